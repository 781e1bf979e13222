"""Nested cross-validation of the 0.3.0 score stage on cached descriptors.

Outer: the five patient folds of brixia-public (the same folds as 0.2.0). For each outer fold the recipe
is chosen on inner splits of its training folds (each training fold held out in turn, single member, median
decision zone MAE of the pooled held-out predictions), then the chosen recipe is refitted on all training
folds as an ensemble and scores the held-out fold. Every candidate recipe is also scored on the outer folds (single member) so the runs table
shows what selection saw and what it did not.

Release rule, fixed before the paired test is seen: 0.3.0 is released only if, image-paired against 0.2.0's
out-of-fold predictions (bsnet.oof020), the nested zone MAE is lower with a patient-bootstrap probability
of at least 0.95 (one-sided) and the global MAE is not higher on average.

    python3 -m bsnet.cv030 --shared ../../shared --out runs/cv030 [--baseline-oof runs/oof020/oof_probs.npy]
"""
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from .cli import experiment_parser, experiment_run
from .cv import FOLDS, Split, out_of_fold, patient_folds, splits, training_mean
from .data import load_score_set
from .descriptors import SEVERITY, VIEWS, load_descriptors, read_rows
from .evaluate import fold_report, median_score
from .paired import calibration, paired_report
from .recipes import FittedRecipe, Severity, fit_recipe
from .semi import Extras, HeadConfig, describe_config, soft_zone_targets, with_members


INNER_SPLITS = 2         # two of the four training folds held out in turn (56 images; CPU)
BASE_L2 = 1e-2           # the extra losses sit on the L2 the inner splits chose in every outer fold before
L2_GRID = (1e-2, 1e-1)
EXTRA_HEADS = (True,)    # ordinal
PUBLISHED_020 = Path(__file__).resolve().parent / "0.2.0" / "metrics.json"


def load_extras(shared: Path) -> Tuple[Extras, Optional[Severity]]:
    """The extra sets whose descriptors are cached (a missing one is left out, and so are its recipes),
    and severity-extra's labels for the rows cached."""
    def load(name: str) -> Optional[torch.Tensor]:
        desc = load_descriptors(name)
        return None if desc is None else torch.from_numpy(desc)

    severity = load("severity")
    labels = None
    if severity is not None:
        rows = read_rows(shared, SEVERITY)[:len(severity)]   # a cached subset is the CSV's first rows
        labels = Severity(np.array([float(r["geographic_extent"]) for r in rows], dtype=np.float32),
                          np.array([float(r["opacity"]) for r in rows], dtype=np.float32))
    return Extras(severity=severity, unlabelled=load("unlabelled"), normal=load("normal")), labels


def candidate_grid(extras: Extras, l2: Sequence[float] = L2_GRID) -> List[HeadConfig]:
    """The recipes compared on the inner splits: head type x L2, then each extra on its own on the base L2
    (each only when its data is cached), then the combination."""
    grid = [HeadConfig(ordinal=o, l2=v) for o in (False, True) for v in l2]
    sev = extras.severity is not None
    unl = extras.unlabelled is not None and sev
    nrm = extras.normal is not None
    # The extras sit on the ordinal head only (the inner splits chose it in 4 of 5 outer folds before; CPU).
    for o in EXTRA_HEADS:
        base = HeadConfig(ordinal=o, l2=BASE_L2)
        if sev:
            grid += [replace(base, weak=w) for w in (0.3, 1.0)]
            grid.append(replace(base, weak=0.3, severity_map="model"))
        if nrm:
            grid.append(replace(base, normal=0.1))
        if unl:
            grid.append(replace(base, consistency=1.0))
            grid.append(replace(base, pseudo=0.5))
        grid.append(replace(base, second_stage=1.0))
        if sev and nrm and unl:
            grid.append(replace(base, weak=0.3, normal=0.1, pseudo=0.5))
    # Test-time augmentation beyond the flip, for every recipe: the same fit (Problem.fit reuses it), predicted
    # on every cached view and box jitter.
    return grid + [replace(g, tta="views") for g in grid]


def zone_mae(probs: np.ndarray, senior: np.ndarray) -> float:
    return float(np.abs(median_score(probs) - senior).mean())


class Problem:
    """The Brixia descriptors and labels with the extra sets: what every fit reads."""

    def __init__(self, desc: torch.Tensor, targets: torch.Tensor, senior_global: np.ndarray, folds: np.ndarray,
                 extras: Extras, severity: Optional[Severity]) -> None:
        self.desc, self.targets, self.senior_global, self.folds = desc, targets, senior_global, folds
        self.extras, self.severity = extras, severity
        self._fitted: Dict[Tuple, FittedRecipe] = {}

    def fit(self, cfg: HeadConfig, train: np.ndarray, seed: int) -> FittedRecipe:
        """A recipe fitted on these training images. Recipes that differ only in their test-time views share
        one fit (the fit never sees the test-time setting), except with a second stage, which is fitted on
        the first stage's predictions and so on its views."""
        key = (replace(cfg, tta="flip") if cfg.second_stage == 0 else cfg, np.flatnonzero(train).tobytes(), seed)
        if key not in self._fitted:
            self._fitted[key] = fit_recipe(replace(cfg, tta="flip") if cfg.second_stage == 0 else cfg,
                                           self.desc[train], self.targets[train], self.senior_global[train],
                                           self.folds[train], self.extras, self.severity, seed)
        return replace(self._fitted[key], tta=cfg.tta)

    def oof(self, cfg: HeadConfig, fold_ids: Sequence[int], seed: int,
            held_out: Optional[Sequence[int]] = None) -> np.ndarray:
        """Probabilities for the folds in held_out (default: all of fold_ids), each fitted on the other folds
        of fold_ids (others left at zero)."""
        return out_of_fold(self.folds, lambda s: self.fit(cfg, s.train, seed + s.fold).predict(self.desc[s.test]),
                           fold_ids, held_out)


def run(shared: Path, out_dir: Path, members: int, log, baseline_oof: Optional[Path] = None,
        inner_splits: int = INNER_SPLITS, grid_filter: Sequence[str] = (), phase: str = "all") -> Dict:
    """phase: "nested" (selection + nested OOF), "outer" (every candidate on the outer folds, added to the
    saved report) or "all"."""
    data = load_score_set(256, shared)
    folds = patient_folds(data.patients)
    extras, severity = load_extras(shared)
    grid = candidate_grid(extras)
    if grid_filter:
        grid = [g for g in grid if g.label() in grid_filter]
    targets = soft_zone_targets(data.senior, data.junior, grid[0].junior_weight)
    problem = Problem(torch.from_numpy(load_descriptors("brixia")), targets, data.senior_global.astype(np.float32),
                      folds, extras, severity)
    log(f"{len(grid)} candidates, {inner_splits} inner split(s): " + "; ".join(g.label() for g in grid))
    if phase == "outer":
        report = json.loads((out_dir / "report.json").read_text())
        report["outerSingle"] = outer_single(problem, grid, data, folds, log)
        return report
    report: Dict = {"candidates": [describe_config(c) for c in grid], "members": members,
                    "innerSplits": inner_splits}
    chosen: List[Dict] = []

    def select_and_fit(split: Split) -> np.ndarray:
        """The recipe chosen on inner splits of this outer fold's training folds, refitted on all of them."""
        f = split.fold
        inner_ids = [g for g in range(FOLDS) if g != f]
        held = [(f + 1 + k) % FOLDS for k in range(inner_splits)]
        inner = np.isin(folds, held)
        scores = [zone_mae(problem.oof(cfg, inner_ids, 100, held)[inner], data.senior[inner]) for cfg in grid]
        best = grid[int(np.argmin(scores))]
        fitted = problem.fit(with_members(best, members), split.train, 1000 + f)
        chosen.append({"fold": f, "chosen": best.label(), "innerZoneMae": dict(zip([g.label() for g in grid], scores)),
                       "severityMap": None if fitted.severity_coef is None else fitted.severity_coef.tolist()})
        return fitted.predict(problem.desc[split.test])

    def log_fold(split: Split, seconds: float) -> None:
        te, picked = split.test, chosen[-1]
        log(f"outer fold {split.fold}: inner choice {picked['chosen']} "
            f"(inner zone MAE {min(picked['innerZoneMae'].values()):.3f}), held-out zone MAE "
            f"{zone_mae(oof[te], data.senior[te]):.3f} ({seconds:.0f}s)")

    oof = np.zeros((len(data.senior), 6, 4), dtype=np.float32)
    out_of_fold(folds, select_and_fit, range(FOLDS), into=oof, after=log_fold)
    report["selection"] = chosen
    np.save(out_dir / "oof_probs.npy", oof)
    report["nested"] = summarise(oof, data, folds, baseline_oof)
    (out_dir / "report.json").write_text(json.dumps(report, indent=2))
    if phase == "all":
        report["outerSingle"] = outer_single(problem, grid, data, folds, log)
    return report


def outer_single(problem: Problem, grid: Sequence[HeadConfig], data, folds: np.ndarray, log) -> List[Dict]:
    """Every candidate on the outer folds (single member): visibility, never used for a choice."""
    rows = []
    for cfg in grid:
        t0 = time.time()
        p = problem.oof(cfg, range(FOLDS), 0)
        rep = fold_report(p, data.senior, data.senior_global, data.junior, data.junior_global, p.argmax(-1))
        rows.append({"label": cfg.label(), "zoneMae": rep["modelMedian"]["zoneMae"],
                     "globalMae": rep["modelMedian"]["globalMae"],
                     "perFoldZoneMae": [zone_mae(p[folds == g], data.senior[folds == g]) for g in range(FOLDS)],
                     "eceMedianDecision": calibration(p, data.senior)["eceMedianDecision"]})
        log(f"outer single {cfg.label()}: zone MAE {rows[-1]['zoneMae']:.3f} "
            f"global {rows[-1]['globalMae']:.2f} ({time.time() - t0:.0f}s)")
    return rows


def summarise(oof: np.ndarray, data, folds: np.ndarray, baseline_oof: Optional[Path]) -> Dict:
    """Pooled and per-fold figures of the nested OOF predictions, calibration, and the comparison with
    0.2.0: fold-paired against its published per-fold figures (same folds), and image-paired with a
    patient bootstrap when 0.2.0's out-of-fold probabilities are given."""
    mean_pred = training_mean(data.senior, folds, range(FOLDS))
    pooled = fold_report(oof, data.senior, data.senior_global, data.junior, data.junior_global, mean_pred)
    out: Dict = {k: pooled[k] for k in ("modelMedian", "model", "modelExpectedScore", "junior", "meanPredictor")}
    out["calibration"] = calibration(oof, data.senior)
    published = json.loads(PUBLISHED_020.read_text())["cv"]["perFold"]
    out["perFold"] = []
    for split in splits(folds, range(FOLDS)):
        f, te = split.fold, split.test
        rep = fold_report(oof[te], data.senior[te], data.senior_global[te], data.junior[te],
                          data.junior_global[te], mean_pred[te])
        out["perFold"].append({"fold": f, "images": int(te.sum()), "zoneMae": rep["modelMedian"]["zoneMae"],
                               "globalMae": rep["modelMedian"]["globalMae"],
                               "published020ZoneMae": published[f]["modelMedian"]["zoneMae"],
                               "published020GlobalMae": published[f]["modelMedian"]["globalMae"]})
    diffs = [r["zoneMae"] - r["published020ZoneMae"] for r in out["perFold"]]
    out["foldPairedVsPublished020"] = {"zoneMaeDifferences": diffs, "foldsBetter": int(sum(d < 0 for d in diffs))}
    if baseline_oof is not None and baseline_oof.exists():
        base = np.load(baseline_oof)
        # Folds bsnet.oof020 has not completed yet are all zeros: the test then runs on the folds done.
        done = base.reshape(len(base), -1).sum(1) > 0
        out["pairedVs020"] = paired_report(oof[done], base[done], data.senior[done],
                                           [p for p, d in zip(data.patients, done) if d], folds[done])
        out["pairedVs020"]["folds"] = sorted(set(folds[done].tolist()))
    return out


def main() -> None:
    p = experiment_parser(__doc__)
    p.add_argument("--members", type=int, default=3)
    p.add_argument("--baseline-oof", type=Path, default=None,
                   help="0.2.0's out-of-fold probabilities (bsnet.train's oof_probs.npy) for the image-paired test")
    p.add_argument("--front-onnx", type=Path, default=Path(__file__).resolve().parent / "0.2.0" / "model.onnx",
                   help="the frozen front whose descriptors are cached first when absent")
    p.add_argument("--no-cache", action="store_true", help="use only the descriptors already cached")
    p.add_argument("--inner-splits", type=int, default=INNER_SPLITS)
    p.add_argument("--summarise-only", action="store_true",
                   help="recompute the nested summary of --out's saved run (e.g. once --baseline-oof exists)")
    p.add_argument("--only", nargs="*", default=[], help="candidate labels to keep (default: the whole grid)")
    p.add_argument("--phase", choices=("all", "nested", "outer"), default="all")
    a = p.parse_args()
    with experiment_run(a, "cv.log") as log:
        if a.summarise_only:
            report = json.loads((a.out / "report.json").read_text())
            data = load_score_set(256, a.shared)
            report["nested"] = summarise(np.load(a.out / "oof_probs.npy"), data, patient_folds(data.patients),
                                         a.baseline_oof)
            (a.out / "report.json").write_text(json.dumps(report, indent=2))
            return
        from .descriptors import cache_all
        from .from_onnx import load_onnx_weights
        if not a.no_cache:
            cache_all(load_onnx_weights(a.front_onnx, 256), a.shared, 3, log, views=VIEWS,
                      extra_views=("identity", "mirror"))
        report = run(a.shared, a.out, a.members, log, a.baseline_oof, a.inner_splits, a.only, a.phase)
        (a.out / "report.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
