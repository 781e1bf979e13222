"""Train BS-Net from scratch, "from the part to the whole", cross-validate, fit on all data and export.

One command (CPU, internal resolution 128):
    python3 -m bsnet.train
Full resolution on a GPU:
    python3 -m bsnet.train --device cuda --resolution 512
Logs and checkpoints go to models/runs/<stamp>/ (git-ignored); release files to models/bsnet/<version>/.
"""
import datetime as dt
import json
import platform
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import numpy as np
import torch

from . import MODEL_VERSION
from .cli import Log, run_log
from .config import MODELS_DIR, TrainConfig, parse_config
from .cv import Split, group_folds, out_of_fold, training_mean
from .data import ScoreSet, load_score_set, load_seg_set
from .evaluate import fold_report, spread
from .finetune import finetune_whole, predict_whole, with_flipped_images
from .model import BSNet
from .stages import (attended_taps, flip_averaged, predict_masks, predict_probs, segmentation_dice,
                     soft_targets, train_alignment, train_score_heads, train_segmentation, with_flips)
from .zones import ZONES


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


def deadline_ts(hhmm: str) -> float:
    now = dt.datetime.now(dt.timezone.utc)
    h, m = (int(v) for v in hhmm.split(":"))
    return now.replace(hour=h, minute=m, second=0, microsecond=0).timestamp()


def train_front(model: BSNet, cfg: TrainConfig, log: Log, report: Dict) -> None:
    seg = load_seg_set(cfg.resolution, cfg.shared)
    folds = group_folds(seg.groups, 6, cfg.seed)
    train, held = folds != 0, folds == 0
    log(f"segmentation: {train.sum()} train / {held.sum()} held-out images")
    t0 = time.time()
    deadline = deadline_ts(cfg.seg_deadline) if cfg.seg_deadline else None
    epochs_run = train_segmentation(model, seg.images[train], seg.masks[train], cfg.seg_epochs, cfg.seg_batch,
                                    cfg.seg_lr, cfg.device, log, cfg.seed, deadline)
    pred = predict_masks(model, seg.images, cfg.device)
    report["segmentation"] = {"heldOutDice": segmentation_dice(pred[held], seg.masks[held]),
                              "trainDice": segmentation_dice(pred[train], seg.masks[train]),
                              "heldOutImages": int(held.sum()), "trainImages": int(train.sum()),
                              "epochsPlanned": cfg.seg_epochs, "epochsCompleted": epochs_run,
                              "seconds": round(time.time() - t0)}
    log(f"segmentation: {report['segmentation']}")
    t0 = time.time()
    train_alignment(model, pred[train], seg.masks[train], cfg.align_steps, 32, 1e-3, cfg.device, log, cfg.seed)
    report["alignment"] = alignment_report(model, pred[held], seg.masks[held], cfg.device)
    report["alignment"]["seconds"] = round(time.time() - t0)
    report["alignment"]["steps"] = cfg.align_steps
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
               targets: np.ndarray, cfg: TrainConfig, log: Log, seed: int,
               after_heads: Callable[[], None] = lambda: None) -> None:
    """Stage 3a (heads on the frozen front's cached taps), then stage 3b (encoder fine-tuned) if asked.

    after_heads runs between the two (cross-validation scores the frozen-front model there too)."""
    x, y = with_flips(taps, flipped, targets)
    train_score_heads(model, x, y, cfg.score_epochs, cfg.score_batch, cfg.score_lr, cfg.score_wd,
                      cfg.mae_weight, cfg.device, log, seed, cfg.crop_jitter)
    after_heads()
    if cfg.finetune_epochs > 0:
        both, y = with_flipped_images(images, targets)
        finetune_whole(model, both, y, cfg.finetune_epochs, cfg.score_batch, cfg.finetune_encoder_lr,
                       cfg.finetune_head_lr, cfg.score_wd, cfg.mae_weight, cfg.device, log, seed,
                       cfg.crop_jitter, cfg.gamma_jitter)


def cross_validate(model: BSNet, taps: List[np.ndarray], flipped: List[np.ndarray], data: ScoreSet,
                   cfg: TrainConfig, log: Log) -> Tuple[Dict, np.ndarray]:
    """Pooled and per-fold agreement, and the out-of-fold zone probabilities [N,6,4]."""
    folds = group_folds(data.patients, cfg.folds, cfg.seed)
    # Stage 3b changes the encoder: every fold starts again from the pre-trained front.
    front_encoder = {k: v.clone() for k, v in model.encoder.state_dict().items()}
    try:
        return _folds(model, taps, flipped, data, cfg, log, folds, front_encoder)
    finally:
        model.encoder.load_state_dict(front_encoder)


def _folds(model: BSNet, taps, flipped, data: ScoreSet, cfg: TrainConfig, log: Log, folds: np.ndarray,
           front_encoder) -> Tuple[Dict, np.ndarray]:
    targets = soft_targets(data.senior, data.junior, cfg.junior_weight)
    fold_ids = range(cfg.folds)
    mean_pred = training_mean(data.senior, folds, fold_ids)
    oof = np.zeros((len(targets), 6, 4), dtype=np.float32)
    frozen = np.zeros_like(oof)
    plain = np.zeros_like(oof)
    per_fold = []

    def predict(split: Split) -> np.ndarray:
        tr, te = split.train, split.test
        model.encoder.load_state_dict(front_encoder)

        def score_frozen() -> None:
            frozen[te] = predict_probs(model, [t[te] for t in taps], cfg.device)

        fit_scores(model, [t[tr] for t in taps], [t[tr] for t in flipped], data.images[tr], targets[tr],
                   cfg, log, cfg.seed + split.fold, score_frozen)
        if cfg.finetune_epochs > 0:
            plain[te] = predict_whole(model, data.images[te], cfg.device)
            mirrored = predict_whole(model, np.ascontiguousarray(data.images[te][..., ::-1]), cfg.device)
        else:
            plain[te] = predict_probs(model, [t[te] for t in taps], cfg.device)
            mirrored = predict_probs(model, [t[te] for t in flipped], cfg.device)
        return flip_averaged(plain[te], mirrored) if cfg.flip_average else plain[te]

    def report_fold(split: Split, seconds: float) -> None:
        te = split.test
        rep = fold_report(oof[te], data.senior[te], data.senior_global[te], data.junior[te],
                          data.junior_global[te], mean_pred[te])
        rep["fold"] = split.fold
        per_fold.append(rep)
        log(f"fold {split.fold}: model zone MAE {rep['model']['zoneMae']:.3f} "
            f"(median {rep['modelMedian']['zoneMae']:.3f}), "
            f"junior {rep['junior']['zoneMae']:.3f}, mean {rep['meanPredictor']['zoneMae']:.3f}")

    out_of_fold(folds, predict, fold_ids, into=oof, after=report_fold)
    pooled = fold_report(oof, data.senior, data.senior_global, data.junior, data.junior_global, mean_pred)
    pooled["perFold"] = per_fold
    pooled["spread"] = {f"{who}.{key}": spread(per_fold, who, key)
                        for who in ("model", "junior", "meanPredictor") for key in ("zoneMae", "globalMae")}
    pooled["perZoneMae"] = {z: float(np.abs(oof.argmax(-1)[:, i] - data.senior[:, i]).mean())
                            for i, z in enumerate(ZONES)}
    pooled["confusion"] = np.histogram2d(data.senior.ravel(), oof.argmax(-1).ravel(),
                                         bins=[np.arange(5) - 0.5] * 2)[0].astype(int).tolist()
    if cfg.flip_average:
        single = fold_report(plain, data.senior, data.senior_global, data.junior, data.junior_global, mean_pred)
        pooled["withoutFlipAverage"] = {k: single[k] for k in ("model", "modelMedian", "modelExpectedScore")}
    if cfg.finetune_epochs > 0:
        # The same folds scored before stage 3b: what the encoder fine-tuning adds, measured.
        before = fold_report(frozen, data.senior, data.senior_global, data.junior, data.junior_global, mean_pred)
        pooled["frozenFront"] = {"model": before["model"], "modelMedian": before["modelMedian"],
                                 "modelExpectedScore": before["modelExpectedScore"]}
    pooled["folds"] = cfg.folds
    pooled["foldSizes"] = np.bincount(folds).tolist()
    return pooled, oof


def front_stage(model: BSNet, cfg: TrainConfig, run_dir: Path, log: Log, report: Dict) -> None:
    """Stages 1-2: loaded from --front, or trained (coarse then fine, or from --front-init, or from scratch)."""
    if cfg.front:
        ckpt = torch.load(cfg.front, map_location="cpu")
        model.load_state_dict(ckpt["state_dict"])
        front_report = dict(ckpt.get("report", {}))
        report["frontArgs"] = front_report.pop("args", None)
        report.update({k: v for k, v in front_report.items() if k in ("segmentation", "alignment", "front", "frontInit")})
        log(f"front loaded from {cfg.front}")
        return
    if cfg.front_resolution and cfg.front_resolution != cfg.resolution:
        coarse = BSNet(cfg.front_resolution).to(cfg.device)
        coarse_report: Dict = {}
        train_front(coarse, cfg.coarse_front(), log, coarse_report)
        model.load_state_dict(coarse.state_dict())
        report["frontInit"] = {"checkpoint": None, "resolution": cfg.front_resolution, "report": coarse_report}
        log(f"front trained at {cfg.front_resolution}; fine-tuning it at {cfg.resolution}")
        cfg = cfg.fine_front()
    elif cfg.front_init:
        ckpt = torch.load(cfg.front_init, map_location="cpu")
        model.load_state_dict(ckpt["state_dict"])
        report["frontInit"] = {"checkpoint": str(cfg.front_init), "resolution": ckpt.get("resolution"),
                               "report": {k: v for k, v in ckpt.get("report", {}).items()
                                          if k in ("segmentation", "alignment")}}
        log(f"front initialised from {cfg.front_init} (resolution {ckpt.get('resolution')})")
    train_front(model, cfg, log, report)
    torch.save({"resolution": cfg.resolution, "state_dict": model.state_dict(), "report": dict(report)},
               run_dir / "front.pt")


def train(cfg: TrainConfig, run_dir: Path, log: Log) -> None:
    log(f"args: {cfg.record()}")
    started = time.time()
    report: Dict = {"modelVersion": MODEL_VERSION, "internalResolution": cfg.resolution, "args": cfg.record()}
    model = BSNet(cfg.resolution).to(cfg.device)
    front_stage(model, cfg, run_dir, log, report)

    data = load_score_set(cfg.resolution, cfg.shared)
    t0 = time.time()
    taps = attended_taps(model, data.images, cfg.device)
    flipped = attended_taps(model, np.ascontiguousarray(data.images[..., ::-1]), cfg.device)
    log(f"cached attended taps for {len(data.images)} images x 2 orientations ({time.time() - t0:.0f}s)")
    t0 = time.time()
    report["cv"], oof = cross_validate(model, taps, flipped, data, cfg, log)
    report["cv"]["seconds"] = round(time.time() - t0)
    for label, key in (("model", "model"), ("junior", "junior"), ("mean", "meanPredictor"),
                       ("median decision", "modelMedian"), ("without the flip average", "withoutFlipAverage"),
                       ("before encoder fine-tuning", "frozenFront")):
        if key in report["cv"]:
            log(f"CV: {label} {json.dumps(report['cv'][key])}")
    np.save(run_dir / "oof_probs.npy", oof)

    targets = soft_targets(data.senior, data.junior, cfg.junior_weight)
    fit_scores(model, taps, flipped, data.images, targets, cfg, log, cfg.seed + 100)
    report["trainingSeconds"] = round(time.time() - started)
    report["trainedAt"] = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    report["trainingHardware"] = hardware(cfg.device)
    ckpt = {"resolution": cfg.resolution, "state_dict": model.cpu().state_dict(), "report": report,
            "trainedAt": report["trainedAt"], "trainingHardware": report["trainingHardware"]}
    torch.save(ckpt, run_dir / "final.pt")
    (run_dir / "report.json").write_text(json.dumps(report, indent=2))
    log(f"final model saved to {run_dir / 'final.pt'} after {report['trainingSeconds']}s")
    if not cfg.no_export:
        from .release import release
        release(run_dir / "final.pt", cfg.out, log)


def main() -> None:
    cfg = parse_config(__doc__)
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    run_dir = MODELS_DIR / "runs" / stamp
    run_dir.mkdir(parents=True, exist_ok=True)
    with run_log(run_dir / "train.log") as log:
        train(cfg, run_dir, log)


if __name__ == "__main__":
    main()
