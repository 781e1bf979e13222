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
import argparse
import json
import time
from pathlib import Path
from typing import Dict, List

import numpy as np
import torch

from .data import group_folds, load_score_set
from .descriptors import load_taps
from .evaluate import fold_report
from .from_onnx import load_onnx_weights
from .stages import predict_probs, soft_targets
from .train import fit_scores
from .zones import FLIP_PERMUTATION

RELEASE = Path(__file__).resolve().parent / "0.2.0"
RECIPE_KEYS = ("score_epochs", "score_batch", "score_lr", "score_wd", "mae_weight", "junior_weight", "crop_jitter",
               "finetune_epochs", "flip_average", "folds", "seed")


def recipe_020() -> argparse.Namespace:
    """The score-stage arguments 0.2.0 was cross-validated with (its metrics.json), on the CPU."""
    args = json.loads((RELEASE / "metrics.json").read_text())["args"]
    return argparse.Namespace(**{k: args[k] for k in RECIPE_KEYS}, device="cpu")


def run_folds(model, taps, flipped, data, args: argparse.Namespace, out: Path, log) -> Dict:
    """train._folds for the frozen-front, flip-averaged recipe, saving after every fold and resuming from
    the folds already saved (the shared machine may not give one run the whole 0.2.0 score stage)."""
    folds = group_folds(data.patients, args.folds, args.seed)
    targets = soft_targets(data.senior, data.junior, args.junior_weight)
    oof_path, done_path = out / "oof_probs.npy", out / "folds_done.json"
    oof = np.load(oof_path) if oof_path.exists() else np.zeros((len(targets), 6, 4), dtype=np.float32)
    done: List[int] = json.loads(done_path.read_text()) if done_path.exists() else []
    for f in range(args.folds):
        if f in done:
            continue
        t0 = time.time()
        tr, te = folds != f, folds == f
        fit_scores(model, [t[tr] for t in taps], [t[tr] for t in flipped], data.images[tr], targets[tr], args, log,
                   args.seed + f)
        plain = predict_probs(model, [t[te] for t in taps], args.device)
        mirrored = predict_probs(model, [t[te] for t in flipped], args.device)
        # What the exported graph computes with --flip-average: the mirror's zones swapped back, then averaged.
        oof[te] = (plain + mirrored[:, list(FLIP_PERMUTATION)]) / 2
        done.append(f)
        np.save(oof_path, oof)
        done_path.write_text(json.dumps(done))
        rep = fold_report(oof[te], data.senior[te], data.senior_global[te], data.junior[te], data.junior_global[te],
                          np.zeros((int(te.sum()), 6)))
        log(f"fold {f}: zone MAE (median) {rep['modelMedian']['zoneMae']:.3f}, global "
            f"{rep['modelMedian']['globalMae']:.2f} ({time.time() - t0:.0f}s)")
    sel = np.isin(folds, done)
    mean_pred = np.zeros((len(targets), 6))
    for f in range(args.folds):
        mean_pred[folds == f] = data.senior[folds != f].mean(0)
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


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shared", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    a.out.mkdir(parents=True, exist_ok=True)
    logf = open(a.out / "oof020.log", "a")

    def log(m: str) -> None:
        line = f"{time.strftime('%H:%M:%S')} {m}"
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    taps, flipped = load_taps("brixia", "identity"), load_taps("brixia", "mirror")
    if taps is None or flipped is None:
        raise SystemExit("attended taps not cached: run bsnet.descriptors --only brixia first")
    data = load_score_set(256, a.shared)
    model = load_onnx_weights(RELEASE / "model.onnx", 256)
    args = recipe_020()
    log(f"0.2.0 score stage re-run: {vars(args)}")
    t0 = time.time()
    report = run_folds(model, taps, flipped, data, args, a.out, log)
    report["seconds"] = round(time.time() - t0) + (json.loads((a.out / "report.json").read_text()).get("seconds", 0)
                                                   if (a.out / "report.json").exists() else 0)
    report["threads"] = a.threads
    (a.out / "report.json").write_text(json.dumps(report, indent=2))
    log(f"0.2.0 re-run: median zone MAE {report['modelMedian']['zoneMae']:.3f}, "
        f"global {report['modelMedian']['globalMae']:.2f} ({report['seconds']}s)")


if __name__ == "__main__":
    main()
