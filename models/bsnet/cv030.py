"""Nested cross-validation of the 0.3.0 score stage on cached descriptors.

Outer: the five patient folds of brixia-public (the same folds as 0.2.0). For each outer fold the recipe
is chosen on an inner split of its training folds (leave-one-training-fold-out, single member, median
decision zone MAE), then the chosen recipe is refitted on all training folds as an ensemble and scores the
held-out fold. Every candidate recipe is also scored on the outer folds (single member) so the runs table
shows what selection saw and what it did not.

    python3 -m bsnet.cv030 --shared ../../shared --out runs/cv030
"""
import argparse
import csv
import json
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from .data import group_folds, load_score_set
from .descriptors import SEVERITY, load_descriptors, read_rows
from .evaluate import fold_report, median_score
from .paired import calibration, paired_report
from .semi import (Extras, HeadConfig, describe_config, extras_subset, fit_heads, mapped_severity, predict,
                   soft_zone_targets, with_members)


INNER_SPLITS = 1
L2_GRID = (1e-2, 1e-1)   # range found on one inner split (outer fold 0's training folds), see the card
PUBLISHED_020 = Path(__file__).resolve().parent / "0.2.0" / "metrics.json"


def load_extras(shared: Path) -> Extras:
    """The extra sets whose descriptors are cached (a missing one is left out, and so are its recipes)."""
    rows = read_rows(shared, SEVERITY)
    sev_global = mapped_severity(np.array([float(r["geographic_extent"]) for r in rows]),
                                 np.array([float(r["opacity"]) for r in rows]))

    def load(name: str) -> Optional[torch.Tensor]:
        desc = load_descriptors(name)
        return None if desc is None else torch.from_numpy(desc)

    severity = load("severity")
    # A cached subset is the first rows of the CSV (descriptors.cache_all extra_limit).
    sev_global = sev_global[:len(severity)] if severity is not None else sev_global
    return Extras(severity=severity, severity_global=torch.from_numpy(sev_global),
                  unlabelled=load("unlabelled"), normal=load("normal"))


def candidate_grid(extras: Extras, l2: Sequence[float] = L2_GRID) -> List[HeadConfig]:
    """The recipes compared on the inner splits: head type x L2, then the extra losses on top (at the
    larger L2), each only when its data is cached."""
    grid = [HeadConfig(ordinal=o, l2=v) for o in (False, True) for v in l2]
    base_l2 = l2[-1]
    for o in (False, True):
        if extras.severity is not None:
            grid += [HeadConfig(ordinal=o, l2=base_l2, weak=w) for w in (0.3, 1.0)]
        if extras.severity is not None and extras.normal is not None:
            grid.append(HeadConfig(ordinal=o, l2=base_l2, weak=0.3, normal=0.1))
        if extras.severity is not None and extras.unlabelled is not None:
            grid.append(HeadConfig(ordinal=o, l2=base_l2, weak=0.3, consistency=1.0))
            if extras.normal is not None:
                grid.append(HeadConfig(ordinal=o, l2=base_l2, weak=0.3, consistency=1.0, normal=0.1))
    return grid


def zone_mae(probs: np.ndarray, senior: np.ndarray) -> float:
    return float(np.abs(median_score(probs) - senior).mean())


def oof_probs(cfg: HeadConfig, desc: torch.Tensor, targets: torch.Tensor, folds: np.ndarray,
              fold_ids: Sequence[int], extras: Extras, seed: int,
              held_out: Optional[Sequence[int]] = None) -> np.ndarray:
    """Out-of-fold probabilities for the folds in held_out (default: all of fold_ids), each fitted on the
    other folds of fold_ids (others left at zero)."""
    out = np.zeros((len(desc), 6, 4), dtype=np.float32)
    ex = extras_subset(extras, cfg)
    for f in (fold_ids if held_out is None else held_out):
        tr = np.isin(folds, fold_ids) & (folds != f)
        te = folds == f
        heads = fit_heads(cfg, desc[tr], targets[tr], ex, seed + f)
        out[te] = predict(heads, desc[te])
    return out


def run(shared: Path, out_dir: Path, members: int, log, baseline_oof: Optional[Path] = None) -> Dict:
    torch.set_num_threads(2)
    data = load_score_set(256, shared)
    folds = group_folds(data.patients, 5, 0)
    desc = torch.from_numpy(load_descriptors("brixia"))
    extras = load_extras(shared)
    grid = candidate_grid(extras)
    targets = soft_zone_targets(data.senior, data.junior, grid[0].junior_weight)
    report: Dict = {"candidates": [describe_config(c) for c in grid], "members": members}
    oof = np.zeros((len(desc), 6, 4), dtype=np.float32)
    chosen = []
    for f in range(5):
        inner_ids = [g for g in range(5) if g != f]
        # The inner split: INNER_SPLITS of the four training folds held out in turn.
        held = [(f + 1 + k) % 5 for k in range(INNER_SPLITS)]
        inner = np.isin(folds, held)
        scores = []
        for cfg in grid:
            p = oof_probs(cfg, desc, targets, folds, inner_ids, extras, 100, held)
            scores.append(zone_mae(p[inner], data.senior[inner]))
        best = grid[int(np.argmin(scores))]
        chosen.append({"fold": f, "chosen": best.label(), "innerZoneMae": dict(zip([g.label() for g in grid], scores))})
        log(f"outer fold {f}: inner choice {best.label()} (inner zone MAE {min(scores):.3f})")
        tr, te = folds != f, folds == f
        ens = with_members(best, members)
        heads = fit_heads(ens, desc[tr], targets[tr], extras_subset(extras, ens), 1000 + f)
        oof[te] = predict(heads, desc[te])
        log(f"outer fold {f}: held-out zone MAE {zone_mae(oof[te], data.senior[te]):.3f}")
    report["selection"] = chosen
    np.save(out_dir / "oof_probs.npy", oof)
    report["nested"] = summarise(oof, data, folds, baseline_oof)
    (out_dir / "report.json").write_text(json.dumps(report, indent=2))
    # Every candidate on the outer folds (single member): visibility, never used for a choice.
    outer_single = []
    for c, cfg in enumerate(grid):
        t0 = time.time()
        p = oof_probs(cfg, desc, targets, folds, range(5), extras, 0)
        rep = fold_report(p, data.senior, data.senior_global, data.junior, data.junior_global, p.argmax(-1))
        outer_single.append({"label": cfg.label(), "zoneMae": rep["modelMedian"]["zoneMae"],
                             "globalMae": rep["modelMedian"]["globalMae"]})
        log(f"outer single {cfg.label()}: zone MAE {outer_single[-1]['zoneMae']:.3f} "
            f"global {outer_single[-1]['globalMae']:.2f} ({time.time() - t0:.0f}s)")
    report["outerSingle"] = outer_single
    return report


def summarise(oof: np.ndarray, data, folds: np.ndarray, baseline_oof: Optional[Path]) -> Dict:
    """Pooled and per-fold figures of the nested OOF predictions, calibration, and the comparison with
    0.2.0: fold-paired against its published per-fold figures (same folds), and image-paired with a
    patient bootstrap when 0.2.0's out-of-fold probabilities are given."""
    mean_pred = np.zeros((len(oof), 6))
    for f in range(5):
        mean_pred[folds == f] = data.senior[folds != f].mean(0)
    pooled = fold_report(oof, data.senior, data.senior_global, data.junior, data.junior_global, mean_pred)
    out: Dict = {k: pooled[k] for k in ("modelMedian", "model", "modelExpectedScore", "junior", "meanPredictor")}
    out["calibration"] = calibration(oof, data.senior)
    published = json.loads(PUBLISHED_020.read_text())["cv"]["perFold"]
    out["perFold"] = []
    for f in range(5):
        te = folds == f
        rep = fold_report(oof[te], data.senior[te], data.senior_global[te], data.junior[te],
                          data.junior_global[te], mean_pred[te])
        out["perFold"].append({"fold": f, "images": int(te.sum()), "zoneMae": rep["modelMedian"]["zoneMae"],
                               "globalMae": rep["modelMedian"]["globalMae"],
                               "published020ZoneMae": published[f]["modelMedian"]["zoneMae"],
                               "published020GlobalMae": published[f]["modelMedian"]["globalMae"]})
    diffs = [r["zoneMae"] - r["published020ZoneMae"] for r in out["perFold"]]
    out["foldPairedVsPublished020"] = {"zoneMaeDifferences": diffs, "foldsBetter": int(sum(d < 0 for d in diffs))}
    if baseline_oof is not None and baseline_oof.exists():
        out["pairedVs020"] = paired_report(oof, np.load(baseline_oof), data.senior, data.patients, folds)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shared", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--members", type=int, default=3)
    p.add_argument("--baseline-oof", type=Path, default=None,
                   help="0.2.0's out-of-fold probabilities (bsnet.train's oof_probs.npy) for the image-paired test")
    p.add_argument("--front-onnx", type=Path, default=Path(__file__).resolve().parent / "0.2.0" / "model.onnx",
                   help="the frozen front whose descriptors are cached first when absent")
    p.add_argument("--no-cache", action="store_true", help="use only the descriptors already cached")
    a = p.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    logf = open(a.out / "cv.log", "a")

    def log(m: str) -> None:
        line = f"{time.strftime('%H:%M:%S')} {m}"
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    torch.set_num_threads(2)
    from .descriptors import cache_all
    from .from_onnx import load_onnx_weights
    if not a.no_cache:
        cache_all(load_onnx_weights(a.front_onnx, 256), a.shared, 3, log)
    report = run(a.shared, a.out, a.members, log, a.baseline_oof)
    (a.out / "report.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
