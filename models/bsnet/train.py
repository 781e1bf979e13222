"""Train BS-Net from scratch, "from the part to the whole", cross-validate, fit on all data and export.

One command (CPU, internal resolution 128):
    python3 -m bsnet.train
Full resolution on a GPU:
    python3 -m bsnet.train --device cuda --resolution 512
Logs and checkpoints go to models/runs/<stamp>/ (git-ignored); release files to models/bsnet/<version>/.
"""
import argparse
import datetime as dt
import json
import platform
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import numpy as np
import torch

from . import MODEL_VERSION
from .data import SHARED, group_folds, load_score_set, load_seg_set
from .evaluate import fold_report, spread
from .finetune import finetune_whole, predict_whole, with_flipped_images
from .model import BSNet
from .stages import (attended_taps, predict_masks, predict_probs, segmentation_dice, soft_targets,
                     train_alignment, train_score_heads, train_segmentation, with_flips)
from .zones import FLIP_PERMUTATION, ZONES

MODELS_DIR = Path(__file__).resolve().parents[1]


def hardware(device: str) -> str:
    if device.startswith("cuda"):
        return f"GPU {torch.cuda.get_device_name(0)}, torch {torch.__version__}"
    cpu = platform.processor() or "CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"CPU {cpu}, {torch.get_num_threads()} threads (shared machine), torch {torch.__version__}"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="cpu")
    p.add_argument("--resolution", type=int, default=128, choices=(128, 256, 512))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seg-epochs", type=int, default=24)
    p.add_argument("--seg-batch", type=int, default=8)
    p.add_argument("--align-steps", type=int, default=1500)
    p.add_argument("--score-epochs", type=int, default=30)
    p.add_argument("--score-batch", type=int, default=16)
    p.add_argument("--score-lr", type=float, default=2e-3)
    p.add_argument("--score-wd", type=float, default=1e-2)
    p.add_argument("--mae-weight", type=float, default=1.0)
    p.add_argument("--junior-weight", type=float, default=0.3)
    p.add_argument("--crop-jitter", type=float, default=0.1, help="random zoom/shift of the region boxes")
    p.add_argument("--finetune-epochs", type=int, default=0,
                   help="stage 3b: encoder fine-tuned with the heads (0 = encoder stays frozen)")
    p.add_argument("--finetune-encoder-lr", type=float, default=1e-4)
    p.add_argument("--finetune-head-lr", type=float, default=5e-4)
    p.add_argument("--flip-average", action=argparse.BooleanOptionalAction, default=True,
                   help="the exported graph averages each image with its mirror image (zones swapped); CV scores it so")
    p.add_argument("--gamma-jitter", type=float, default=0.0, help="stage 3b: random gamma exp(+-g)")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--front", type=Path, default=None, help="reuse a trained front (stages 1-2) checkpoint")
    p.add_argument("--front-init", type=Path, default=None,
                   help="start stages 1-2 from a front trained at another resolution (the network is fully "
                        "convolutional and the alignment net always sees a 128x128 mask)")
    p.add_argument("--seg-lr", type=float, default=2e-3)
    p.add_argument("--front-resolution", type=int, default=None, choices=(128, 256, 512),
                   help="train stages 1-2 at this (lower) resolution first, then fine-tune them at --resolution for "
                        "--fine-seg-epochs / --fine-align-steps (what 0.2.0 did: 128, then 256)")
    p.add_argument("--fine-seg-epochs", type=int, default=6)
    p.add_argument("--fine-seg-lr", type=float, default=5e-4)
    p.add_argument("--fine-align-steps", type=int, default=300)
    p.add_argument("--seg-deadline", default=None, help="UTC HH:MM after which stage 1 stops early")
    p.add_argument("--shared", type=Path, default=SHARED, help="folder holding brixia-public/ and lung-seg/")
    p.add_argument("--no-export", action="store_true", help="skip bsnet.release (it needs Node.js)")
    p.add_argument("--out", type=Path, default=MODELS_DIR / "bsnet" / MODEL_VERSION)
    return p.parse_args()


def deadline_ts(hhmm: str) -> float:
    now = dt.datetime.now(dt.timezone.utc)
    h, m = (int(v) for v in hhmm.split(":"))
    return now.replace(hour=h, minute=m, second=0, microsecond=0).timestamp()


def train_front(model: BSNet, args: argparse.Namespace, log, report: Dict) -> None:
    seg = load_seg_set(args.resolution, args.shared)
    folds = group_folds(seg.groups, 6, args.seed)
    train, held = folds != 0, folds == 0
    log(f"segmentation: {train.sum()} train / {held.sum()} held-out images")
    t0 = time.time()
    deadline = deadline_ts(args.seg_deadline) if args.seg_deadline else None
    epochs_run = train_segmentation(model, seg.images[train], seg.masks[train], args.seg_epochs, args.seg_batch,
                                    args.seg_lr, args.device, log, args.seed, deadline)
    pred = predict_masks(model, seg.images, args.device)
    report["segmentation"] = {"heldOutDice": segmentation_dice(pred[held], seg.masks[held]),
                              "trainDice": segmentation_dice(pred[train], seg.masks[train]),
                              "heldOutImages": int(held.sum()), "trainImages": int(train.sum()),
                              "epochsPlanned": args.seg_epochs, "epochsCompleted": epochs_run,
                              "seconds": round(time.time() - t0)}
    log(f"segmentation: {report['segmentation']}")
    t0 = time.time()
    train_alignment(model, pred[train], seg.masks[train], args.align_steps, 32, 1e-3, args.device, log, args.seed)
    report["alignment"] = alignment_report(model, pred[held], seg.masks[held], args.device)
    report["alignment"]["seconds"] = round(time.time() - t0)
    report["alignment"]["steps"] = args.align_steps
    log(f"alignment: {report['alignment']}")


@torch.no_grad()
def alignment_report(model: BSNet, pred_masks: np.ndarray, true_masks: np.ndarray, device: str) -> Dict:
    """Dice of the aligned ground-truth mask with its bounding-box-filled target: identity vs learned theta."""
    from .augment import bbox_theta, warp
    from .stages import dice
    model.eval()
    truth = torch.from_numpy(true_masks)
    target = warp(truth, bbox_theta(truth))
    theta = model.alignment(torch.from_numpy(pred_masks).to(device)).cpu()
    return {"heldOutDiceIdentity": float(dice(truth, target).mean()),
            "heldOutDiceAligned": float(dice(warp(truth, theta), target).mean())}


def fit_scores(model: BSNet, taps: List[np.ndarray], flipped: List[np.ndarray], images: np.ndarray,
               targets: np.ndarray, args, log, seed: int, after_heads: Callable[[], None] = lambda: None) -> None:
    """Stage 3a (heads on the frozen front's cached taps), then stage 3b (encoder fine-tuned) if asked.

    after_heads runs between the two (cross-validation scores the frozen-front model there too)."""
    x, y = with_flips(taps, flipped, targets)
    train_score_heads(model, x, y, args.score_epochs, args.score_batch, args.score_lr, args.score_wd,
                      args.mae_weight, args.device, log, seed, args.crop_jitter)
    after_heads()
    if args.finetune_epochs > 0:
        both, y = with_flipped_images(images, targets)
        finetune_whole(model, both, y, args.finetune_epochs, args.score_batch, args.finetune_encoder_lr,
                       args.finetune_head_lr, args.score_wd, args.mae_weight, args.device, log, seed,
                       args.crop_jitter, args.gamma_jitter)


def cross_validate(model: BSNet, taps: List[np.ndarray], flipped: List[np.ndarray], data, args,
                   log) -> Tuple[Dict, np.ndarray]:
    """Pooled and per-fold agreement, and the out-of-fold zone probabilities [N,6,4]."""
    folds = group_folds(data.patients, args.folds, args.seed)
    # Stage 3b changes the encoder: every fold starts again from the pre-trained front.
    front_encoder = {k: v.clone() for k, v in model.encoder.state_dict().items()}
    try:
        return _folds(model, taps, flipped, data, args, log, folds, front_encoder)
    finally:
        model.encoder.load_state_dict(front_encoder)


def _folds(model: BSNet, taps, flipped, data, args, log, folds: np.ndarray, front_encoder) -> Tuple[Dict, np.ndarray]:
    targets = soft_targets(data.senior, data.junior, args.junior_weight)
    oof = np.zeros((len(targets), 6, 4), dtype=np.float32)
    mean_pred = np.zeros((len(targets), 6))
    per_fold = []
    frozen = np.zeros_like(oof)
    plain = np.zeros_like(oof)
    for f in range(args.folds):
        tr, te = folds != f, folds == f
        model.encoder.load_state_dict(front_encoder)

        def score_frozen(te=te) -> None:
            frozen[te] = predict_probs(model, [t[te] for t in taps], args.device)

        fit_scores(model, [t[tr] for t in taps], [t[tr] for t in flipped], data.images[tr], targets[tr],
                   args, log, args.seed + f, score_frozen)
        if args.finetune_epochs > 0:
            plain[te] = predict_whole(model, data.images[te], args.device)
            mirrored = predict_whole(model, np.ascontiguousarray(data.images[te][..., ::-1]), args.device)
        else:
            plain[te] = predict_probs(model, [t[te] for t in taps], args.device)
            mirrored = predict_probs(model, [t[te] for t in flipped], args.device)
        # What the exported graph computes with --flip-average: the mirror's zones swapped back, then averaged.
        oof[te] = (plain[te] + mirrored[:, list(FLIP_PERMUTATION)]) / 2 if args.flip_average else plain[te]
        mean_pred[te] = data.senior[tr].mean(0)
        rep = fold_report(oof[te], data.senior[te], data.senior_global[te], data.junior[te],
                          data.junior_global[te], mean_pred[te])
        rep["fold"] = f
        per_fold.append(rep)
        log(f"fold {f}: model zone MAE {rep['model']['zoneMae']:.3f} (median {rep['modelMedian']['zoneMae']:.3f}), "
            f"junior {rep['junior']['zoneMae']:.3f}, mean {rep['meanPredictor']['zoneMae']:.3f}")
    pooled = fold_report(oof, data.senior, data.senior_global, data.junior, data.junior_global, mean_pred)
    pooled["perFold"] = per_fold
    pooled["spread"] = {f"{who}.{key}": spread(per_fold, who, key)
                        for who in ("model", "junior", "meanPredictor") for key in ("zoneMae", "globalMae")}
    pooled["perZoneMae"] = {z: float(np.abs(oof.argmax(-1)[:, i] - data.senior[:, i]).mean())
                            for i, z in enumerate(ZONES)}
    pooled["confusion"] = np.histogram2d(data.senior.ravel(), oof.argmax(-1).ravel(),
                                         bins=[np.arange(5) - 0.5] * 2)[0].astype(int).tolist()
    if args.flip_average:
        single = fold_report(plain, data.senior, data.senior_global, data.junior, data.junior_global, mean_pred)
        pooled["withoutFlipAverage"] = {k: single[k] for k in ("model", "modelMedian", "modelExpectedScore")}
    if args.finetune_epochs > 0:
        # The same folds scored before stage 3b: what the encoder fine-tuning adds, measured.
        before = fold_report(frozen, data.senior, data.senior_global, data.junior, data.junior_global, mean_pred)
        pooled["frozenFront"] = {"model": before["model"], "modelMedian": before["modelMedian"],
                                 "modelExpectedScore": before["modelExpectedScore"]}
    pooled["folds"] = args.folds
    pooled["foldSizes"] = np.bincount(folds).tolist()
    return pooled, oof


def main() -> None:
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    run_dir = MODELS_DIR / "runs" / stamp
    run_dir.mkdir(parents=True, exist_ok=True)
    log_file = open(run_dir / "train.log", "a")

    def log(msg: str) -> None:
        line = f"{dt.datetime.now(dt.timezone.utc).strftime('%H:%M:%S')} {msg}"
        print(line, flush=True)
        log_file.write(line + "\n")
        log_file.flush()

    log(f"args: {vars(args)}")
    started = time.time()
    report: Dict = {"modelVersion": MODEL_VERSION, "internalResolution": args.resolution, "args": {
        k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}}
    model = BSNet(args.resolution).to(args.device)
    if args.front:
        ckpt = torch.load(args.front, map_location="cpu")
        model.load_state_dict(ckpt["state_dict"])
        front_report = dict(ckpt.get("report", {}))
        report["frontArgs"] = front_report.pop("args", None)
        report.update({k: v for k, v in front_report.items() if k in ("segmentation", "alignment", "front", "frontInit")})
        log(f"front loaded from {args.front}")
    else:
        if args.front_resolution and args.front_resolution != args.resolution:
            coarse = BSNet(args.front_resolution).to(args.device)
            coarse_report: Dict = {}
            train_front(coarse, argparse.Namespace(**{**vars(args), "resolution": args.front_resolution}), log,
                        coarse_report)
            model.load_state_dict(coarse.state_dict())
            report["frontInit"] = {"checkpoint": None, "resolution": args.front_resolution, "report": coarse_report}
            log(f"front trained at {args.front_resolution}; fine-tuning it at {args.resolution}")
            args = argparse.Namespace(**{**vars(args), "seg_epochs": args.fine_seg_epochs, "seg_lr": args.fine_seg_lr,
                                         "align_steps": args.fine_align_steps})
        elif args.front_init:
            ckpt = torch.load(args.front_init, map_location="cpu")
            model.load_state_dict(ckpt["state_dict"])
            report["frontInit"] = {"checkpoint": str(args.front_init), "resolution": ckpt.get("resolution"),
                                   "report": {k: v for k, v in ckpt.get("report", {}).items()
                                              if k in ("segmentation", "alignment")}}
            log(f"front initialised from {args.front_init} (resolution {ckpt.get('resolution')})")
        train_front(model, args, log, report)
        torch.save({"resolution": args.resolution, "state_dict": model.state_dict(), "report": dict(report)},
                   run_dir / "front.pt")

    data = load_score_set(args.resolution, args.shared)
    t0 = time.time()
    taps = attended_taps(model, data.images, args.device)
    flipped = attended_taps(model, np.ascontiguousarray(data.images[..., ::-1]), args.device)
    log(f"cached attended taps for {len(data.images)} images x 2 orientations ({time.time() - t0:.0f}s)")
    t0 = time.time()
    report["cv"], oof = cross_validate(model, taps, flipped, data, args, log)
    report["cv"]["seconds"] = round(time.time() - t0)
    log(f"CV: model {json.dumps(report['cv']['model'])}")
    log(f"CV: junior {json.dumps(report['cv']['junior'])}")
    log(f"CV: mean {json.dumps(report['cv']['meanPredictor'])}")
    log(f"CV: median decision {json.dumps(report['cv']['modelMedian'])}")
    if "withoutFlipAverage" in report["cv"]:
        log(f"CV: without the flip average {json.dumps(report['cv']['withoutFlipAverage'])}")
    if "frozenFront" in report["cv"]:
        log(f"CV: before encoder fine-tuning {json.dumps(report['cv']['frozenFront'])}")
    np.save(run_dir / "oof_probs.npy", oof)

    targets = soft_targets(data.senior, data.junior, args.junior_weight)
    fit_scores(model, taps, flipped, data.images, targets, args, log, args.seed + 100)
    report["trainingSeconds"] = round(time.time() - started)
    report["trainedAt"] = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    report["trainingHardware"] = hardware(args.device)
    ckpt = {"resolution": args.resolution, "state_dict": model.cpu().state_dict(), "report": report,
            "trainedAt": report["trainedAt"], "trainingHardware": report["trainingHardware"]}
    torch.save(ckpt, run_dir / "final.pt")
    (run_dir / "report.json").write_text(json.dumps(report, indent=2))
    log(f"final model saved to {run_dir / 'final.pt'} after {report['trainingSeconds']}s")
    if not args.no_export:
        from .release import release
        release(run_dir / "final.pt", args.out, log)


if __name__ == "__main__":
    main()
