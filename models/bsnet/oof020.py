"""0.2.0's out-of-fold zone probabilities, regenerated for the image-paired comparison (bsnet.paired).

0.2.0's training run kept its cross-validation figures but not its out-of-fold probabilities. Its score
stage (a fresh feature pyramid + six convolutional heads per fold on the frozen front's attended taps,
the recipe in 0.2.0/metrics.json "args") is re-run here on the same five patient folds, on the attended
taps that bsnet.descriptors caches in the same front pass as the descriptors. The front is the release's
own network read back from its int8 model.onnx (bsnet.from_onnx), so the figures differ slightly from the
published ones (fp32 front, 2 torch threads); both are reported. Each fold is saved as it completes and a
second invocation resumes, so the paired test can also run on the folds done so far.

    python3 -m bsnet.oof020 --shared ../../shared --out runs/oof020
"""
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np

from .cli import Log, experiment_parser, experiment_run
from .config import TrainConfig
from .cv import Split, group_folds, out_of_fold, training_mean
from .data import ScoreSet, load_score_set
from .descriptors import load_taps
from .evaluate import fold_report
from .from_onnx import load_onnx_weights
from .stages import flip_averaged, predict_probs, soft_targets
from .train import fit_scores

RELEASE = Path(__file__).resolve().parent / "0.2.0"


def recipe_020() -> TrainConfig:
    """The training config 0.2.0 was cross-validated with (its metrics.json "args"), on the CPU."""
    args = json.loads((RELEASE / "metrics.json").read_text())["args"]
    return replace(TrainConfig.from_record(args), device="cpu")


def run_folds(model, taps, flipped, data: ScoreSet, cfg: TrainConfig, out: Path, log: Log,
              only: Sequence[int] = ()) -> Dict:
    """bsnet.train's fold loop for the frozen-front, flip-averaged recipe, saving after every fold and
    resuming from the folds already saved (the shared machine may not give one run the whole 0.2.0 score
    stage). only: run just these folds (two processes, one core each, each on its own --out; --merge then
    joins them)."""
    folds = group_folds(data.patients, cfg.folds, cfg.seed)
    fold_ids = range(cfg.folds)
    targets = soft_targets(data.senior, data.junior, cfg.junior_weight)
    oof_path, done_path = out / "oof_probs.npy", out / "folds_done.json"
    oof = np.load(oof_path) if oof_path.exists() else np.zeros((len(targets), 6, 4), dtype=np.float32)
    done: List[int] = json.loads(done_path.read_text()) if done_path.exists() else []

    def predict(split: Split) -> np.ndarray:
        tr, te = split.train, split.test
        fit_scores(model, [t[tr] for t in taps], [t[tr] for t in flipped], data.images[tr], targets[tr], cfg, log,
                   cfg.seed + split.fold)
        return flip_averaged(predict_probs(model, [t[te] for t in taps], cfg.device),
                             predict_probs(model, [t[te] for t in flipped], cfg.device))

    def save(split: Split, seconds: float) -> None:
        te = split.test
        done.append(split.fold)
        np.save(oof_path, oof)
        done_path.write_text(json.dumps(done))
        rep = fold_report(oof[te], data.senior[te], data.senior_global[te], data.junior[te], data.junior_global[te],
                          np.zeros((int(te.sum()), 6)))
        log(f"fold {split.fold}: zone MAE (median) {rep['modelMedian']['zoneMae']:.3f}, global "
            f"{rep['modelMedian']['globalMae']:.2f} ({seconds:.0f}s)")

    left_out = [f for f in fold_ids if only and f not in only]
    out_of_fold(folds, predict, fold_ids, into=oof, skip=list(done) + left_out, after=save)
    return summary(oof, done, folds, data, fold_ids)


def summary(oof: np.ndarray, done: Sequence[int], folds: np.ndarray, data: ScoreSet, fold_ids) -> Dict:
    """Pooled and per-fold figures of the folds done."""
    sel = np.isin(folds, done)
    mean_pred = training_mean(data.senior, folds, fold_ids)
    report = fold_report(oof[sel], data.senior[sel], data.senior_global[sel], data.junior[sel],
                         data.junior_global[sel], mean_pred[sel])
    report["foldsDone"] = sorted(done)
    report["perFold"] = []
    for f in sorted(done):
        te = folds == f
        rep = fold_report(oof[te], data.senior[te], data.senior_global[te], data.junior[te], data.junior_global[te],
                          mean_pred[te])
        report["perFold"].append({"fold": f, "zoneMae": rep["modelMedian"]["zoneMae"],
                                  "globalMae": rep["modelMedian"]["globalMae"]})
    return report


def merge(parts: Sequence[Path], out: Path, data: ScoreSet, cfg: TrainConfig) -> Dict:
    """Joins runs made on disjoint folds (--folds) into one oof_probs.npy / folds_done.json / report.json."""
    folds = group_folds(data.patients, cfg.folds, cfg.seed)
    oof = np.zeros((len(data.senior), 6, 4), dtype=np.float32)
    done: List[int] = []
    seconds = 0
    for part in parts:
        part_done = json.loads((part / "folds_done.json").read_text())
        part_oof = np.load(part / "oof_probs.npy")
        for f in part_done:
            if f in done:
                raise SystemExit(f"fold {f} is in more than one run")
            oof[folds == f] = part_oof[folds == f]
        done += part_done
        report_path = part / "report.json"
        seconds += json.loads(report_path.read_text()).get("seconds", 0) if report_path.exists() else 0
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "oof_probs.npy", oof)
    (out / "folds_done.json").write_text(json.dumps(sorted(done)))
    report = summary(oof, done, folds, data, range(cfg.folds))
    report["seconds"] = seconds
    report["mergedFrom"] = [str(p) for p in parts]
    (out / "report.json").write_text(json.dumps(report, indent=2))
    return report


def main() -> None:
    p = experiment_parser(__doc__)
    p.add_argument("--folds", type=int, nargs="*", default=[], help="only these folds (default: all)")
    p.add_argument("--merge", type=Path, nargs="*", default=[], help="join these runs' folds into --out, train nothing")
    a = p.parse_args()
    if a.merge:
        report = merge(a.merge, a.out, load_score_set(256, a.shared), recipe_020())
        print(f"merged folds {report['foldsDone']}: median zone MAE {report['modelMedian']['zoneMae']:.3f}")
        return
    with experiment_run(a, "oof020.log") as log:
        taps, flipped = load_taps("brixia", "identity"), load_taps("brixia", "mirror")
        if taps is None or flipped is None:
            raise SystemExit("attended taps not cached: run bsnet.descriptors --only brixia first")
        data = load_score_set(256, a.shared)
        model = load_onnx_weights(RELEASE / "model.onnx", 256)
        cfg = recipe_020()
        log(f"0.2.0 score stage re-run: {cfg.record()}")
        t0 = time.time()
        report = run_folds(model, taps, flipped, data, cfg, a.out, log, a.folds)
        earlier = json.loads((a.out / "report.json").read_text()) if (a.out / "report.json").exists() else {}
        report["seconds"] = round(time.time() - t0) + earlier.get("seconds", 0)
        report["threads"] = a.threads
        (a.out / "report.json").write_text(json.dumps(report, indent=2))
        log(f"0.2.0 re-run: median zone MAE {report['modelMedian']['zoneMae']:.3f}, "
            f"global {report['modelMedian']['globalMae']:.2f} ({report['seconds']}s)")


if __name__ == "__main__":
    main()
