"""0.2.0's out-of-fold zone probabilities, regenerated for the image-paired comparison (bsnet.paired).

0.2.0's training run kept its cross-validation figures but not its out-of-fold probabilities. Its score
stage (a fresh feature pyramid + six convolutional heads per fold on the frozen front's attended taps,
the recipe in 0.2.0/metrics.json "args") is re-run here on the same five patient folds, on the attended
taps that bsnet.descriptors caches in the same front pass as the descriptors. The front is the release's
own network read back from its int8 model.onnx (bsnet.from_onnx), so the figures differ slightly from the
published ones (fp32 front, 2 torch threads); both are reported.

    python3 -m bsnet.oof020 --shared ../../shared --out runs/oof020
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from .data import load_score_set
from .descriptors import load_taps
from .from_onnx import load_onnx_weights
from .train import cross_validate

RELEASE = Path(__file__).resolve().parent / "0.2.0"
RECIPE_KEYS = ("score_epochs", "score_batch", "score_lr", "score_wd", "mae_weight", "junior_weight", "crop_jitter",
               "finetune_epochs", "flip_average", "folds", "seed")


def recipe_020() -> argparse.Namespace:
    """The score-stage arguments 0.2.0 was cross-validated with (its metrics.json), on the CPU."""
    args = json.loads((RELEASE / "metrics.json").read_text())["args"]
    return argparse.Namespace(**{k: args[k] for k in RECIPE_KEYS}, device="cpu")


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
    report, oof = cross_validate(model, taps, flipped, data, args, log)
    report["seconds"] = round(time.time() - t0)
    report["threads"] = a.threads
    np.save(a.out / "oof_probs.npy", oof)
    (a.out / "report.json").write_text(json.dumps(report, indent=2))
    log(f"0.2.0 re-run: median zone MAE {report['modelMedian']['zoneMae']:.3f}, "
        f"global {report['modelMedian']['globalMae']:.2f} ({report['seconds']}s)")


if __name__ == "__main__":
    main()
