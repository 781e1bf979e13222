"""The three training stages, "from the part to the whole" (bsnet.md, Training):

1. segmentation: encoder + UNet++ decoder on lung masks (BCE + Dice);
2. alignment: the spatial transformer on synthetic rotations/shifts/zooms of predicted masks, target = the
   theta that makes the ground-truth lung bounding box fill the frame (theta MSE + Dice of the warp);
3. scores: feature pyramid + six heads on the attended taps, cross-entropy + a differentiable MAE on the
   expected score. Stages 1-2 stay frozen in stage 3, so their outputs are computed once and cached.
"""
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from .augment import bbox_theta, compose, invert, random_theta, warp
from .heads import RegionPyramid, ZoneHeads
from .model import BSNet
from .zones import FLIP_PERMUTATION

Log = Callable[[str], None]


def dice(pred: torch.Tensor, target: torch.Tensor, eps: float = 1.0) -> torch.Tensor:
    """Soft Dice per sample, [N]."""
    inter = (pred * target).flatten(1).sum(1)
    return (2 * inter + eps) / (pred.flatten(1).sum(1) + target.flatten(1).sum(1) + eps)


def minibatches(n: int, size: int, rng: np.random.Generator, shuffle: bool = True) -> List[np.ndarray]:
    """Index batches over n items, shuffled by rng (shared by every training stage)."""
    order = rng.permutation(n) if shuffle else np.arange(n)
    return [order[i:i + size] for i in range(0, n, size)]


def train_segmentation(model: BSNet, images: np.ndarray, masks: np.ndarray, epochs: int, batch: int,
                       lr: float, device: str, log: Log, seed: int = 0,
                       deadline: Optional[float] = None) -> int:
    """Encoder + decoder on lung masks with flip/rotation/zoom/shift augmentation; returns epochs run."""
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    params = list(model.encoder.parameters()) + list(model.decoder.parameters())
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=1e-4)
    steps = epochs * int(np.ceil(len(images) / batch))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=max(steps, 1), pct_start=0.15)
    model.train()
    for epoch in range(epochs):
        t0, total = time.time(), 0.0
        for idx in minibatches(len(images), batch, rng):
            x = torch.from_numpy(images[idx])
            y = torch.from_numpy(masks[idx])
            theta = random_theta(len(idx), gen, 10.0, 0.12, 0.08, flip=True)
            x, y = warp(x, theta).to(device), (warp(y, theta) >= 0.5).float().to(device)
            _, pred = model.segment(x)
            loss = F.binary_cross_entropy(pred.clamp(1e-6, 1 - 1e-6), y) + (1 - dice(pred, y)).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        log(f"seg epoch {epoch + 1}/{epochs} loss {total / len(images):.4f} ({time.time() - t0:.0f}s)")
        if deadline and time.time() > deadline:
            log("seg: deadline reached, stopping early")
            return epoch + 1
    return epochs


@torch.no_grad()
def predict_masks(model: BSNet, images: np.ndarray, device: str, batch: int = 16) -> np.ndarray:
    model.eval()
    out = [model.segment(torch.from_numpy(images[i:i + batch]).to(device))[1].cpu()
           for i in range(0, len(images), batch)]
    return torch.cat(out).numpy()


def segmentation_dice(pred: np.ndarray, masks: np.ndarray) -> float:
    p = torch.from_numpy((pred >= 0.5).astype(np.float32))
    return float(dice(p, torch.from_numpy(masks), eps=1e-6).mean())


def train_alignment(model: BSNet, pred_masks: np.ndarray, true_masks: np.ndarray, steps: int, batch: int,
                    lr: float, device: str, log: Log, seed: int = 0) -> None:
    """Spatial transformer on synthetic transforms A of predicted masks: target theta = A^-1 o theta*."""
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    target_star = bbox_theta(torch.from_numpy(true_masks))
    aligned_true = warp(torch.from_numpy(true_masks), target_star)
    opt = torch.optim.Adam(model.alignment.parameters(), lr=lr)
    model.alignment.train()
    t0, running = time.time(), 0.0
    for step in range(steps):
        idx = rng.integers(0, len(pred_masks), size=batch)
        a = random_theta(batch, gen, 15.0, 0.25, 0.15)
        # A quarter of the batch untouched so the common case, a film already framed, stays accurate.
        keep = torch.rand(batch, generator=gen) < 0.25
        a[keep] = torch.tensor([[1.0, 0, 0], [0, 1.0, 0]])
        moved = warp(torch.from_numpy(pred_masks[idx]), a)
        target = compose(invert(a), target_star[idx])
        theta = model.alignment(moved.to(device))
        realigned = warp(moved.to(device), theta)
        loss = F.mse_loss(theta, target.to(device)) * 10 + (1 - dice(realigned, aligned_true[idx].to(device))).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        running += loss.item()
        if (step + 1) % 100 == 0:
            log(f"align step {step + 1}/{steps} loss {running / 100:.4f} ({time.time() - t0:.0f}s)")
            running = 0.0


@torch.no_grad()
def attended_taps(model: BSNet, images: np.ndarray, device: str, batch: int = 16) -> List[np.ndarray]:
    """The frozen front of the network: warped, mask-attended taps for each image."""
    model.eval()
    parts: List[List[torch.Tensor]] = [[], [], [], []]
    for i in range(0, len(images), batch):
        x = torch.from_numpy(images[i:i + batch]).to(device)
        skips, mask = model.segment(x)
        theta = model.alignment(mask)
        for k, t in enumerate(model.attend(skips[1:], mask, theta)):
            parts[k].append(t.cpu())
    return [torch.cat(p).numpy() for p in parts]


def score_loss(logits: torch.Tensor, target: torch.Tensor, mae_weight: float) -> torch.Tensor:
    """Cross-entropy to a (soft) target distribution + MAE of the expected score to the target's mean."""
    logp = F.log_softmax(logits, dim=-1)
    ce = -(target * logp).sum(-1).mean()
    levels = torch.arange(4, dtype=logits.dtype, device=logits.device)
    expected = (logp.exp() * levels).sum(-1)
    mae = (expected - (target * levels).sum(-1)).abs().mean()
    return ce + mae_weight * mae


def region_jitter(n: int, crop_jitter: float, device: str) -> Optional[Tuple[torch.Tensor, torch.Tensor]]:
    """Random zoom within 1 +- crop_jitter and shift within +- crop_jitter/2 of the frame (normalised units
    x2) of each of the six region boxes, or None when off (BSNet.crop_regions)."""
    if crop_jitter <= 0:
        return None
    zoom = 1 + crop_jitter * (2 * torch.rand(n, 6) - 1)
    shift = crop_jitter * (2 * torch.rand(n, 6, 2) - 1)
    return zoom.to(device), shift.to(device)


def score_step(logits: torch.Tensor, targets: np.ndarray, mae_weight: float, opt: torch.optim.Optimizer,
               sched: torch.optim.lr_scheduler.OneCycleLR) -> float:
    """One optimiser step on the score loss; returns the batch's mean loss."""
    loss = score_loss(logits, torch.from_numpy(targets).to(logits.device), mae_weight)
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    return loss.item()


def soft_targets(senior: np.ndarray, junior: Optional[np.ndarray], junior_weight: float) -> np.ndarray:
    """[N,6,4] target distribution: senior one-hot, optionally mixed with the junior's label."""
    t = np.eye(4, dtype=np.float32)[senior]
    if junior is not None and junior_weight > 0:
        t = (1 - junior_weight) * t + junior_weight * np.eye(4, dtype=np.float32)[junior]
    return t


def with_flips(taps: List[np.ndarray], flipped: List[np.ndarray], targets: np.ndarray) -> Tuple[List[np.ndarray], np.ndarray]:
    """Training pairs for both orientations; the mirrored image's zones swap A-C with D-F."""
    both = [np.concatenate([a, b]) for a, b in zip(taps, flipped)]
    return both, np.concatenate([targets, targets[:, list(FLIP_PERMUTATION)]])


def flip_averaged(plain: np.ndarray, mirrored: np.ndarray) -> np.ndarray:
    """What the exported graph computes with --flip-average: the mirror's zones swapped back, then averaged."""
    return (plain + mirrored[:, list(FLIP_PERMUTATION)]) / 2


def train_score_heads(model: BSNet, taps: List[np.ndarray], targets: np.ndarray, epochs: int, batch: int,
                      lr: float, weight_decay: float, mae_weight: float, device: str, log: Log,
                      seed: int = 0, crop_jitter: float = 0.0) -> None:
    """Fresh pyramid + heads (seeded) trained on cached taps; the rest of the model is untouched."""
    torch.manual_seed(seed)
    model.pyramid = RegionPyramid().to(device)
    model.heads = ZoneHeads().to(device)
    params = list(model.pyramid.parameters()) + list(model.heads.parameters())
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    rng = np.random.default_rng(seed)
    n = len(targets)
    steps = epochs * int(np.ceil(n / batch))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=max(steps, 1), pct_start=0.2)
    model.pyramid.train()
    model.heads.train()
    for epoch in range(epochs):
        total = 0.0
        for idx in minibatches(n, batch, rng):
            if len(idx) < 2:
                continue
            x = [torch.from_numpy(t[idx]).to(device) for t in taps]
            logits, _ = model.score(x, region_jitter(len(idx), crop_jitter, device))
            total += score_step(logits, targets[idx], mae_weight, opt, sched) * len(idx)
        if (epoch + 1) % 5 == 0 or epoch == epochs - 1:
            log(f"score epoch {epoch + 1}/{epochs} loss {total / n:.4f}")
    model.eval()


@torch.no_grad()
def predict_probs(model: BSNet, taps: List[np.ndarray], device: str, batch: int = 32) -> np.ndarray:
    model.eval()
    out = []
    for i in range(0, len(taps[0]), batch):
        logits, _ = model.score([torch.from_numpy(t[i:i + batch]).to(device) for t in taps])
        out.append(torch.softmax(logits, -1).cpu())
    return torch.cat(out).numpy()
