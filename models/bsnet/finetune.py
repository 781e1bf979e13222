"""Stage 3b, "the whole": the encoder fine-tuned together with the feature pyramid and the six heads.

Stage 3a fits the pyramid and heads on the frozen front's cached taps; the encoder then only knows lung
outlines (it was trained to segment). Here the encoder learns from the scores too, at a learning rate
well below the heads', starting from the heads stage 3a fitted. The decoder and the spatial transformer
stay frozen: the lung mask and theta are computed once per image and orientation, so a step costs one
encoder pass and back, not the whole UNet++. The encoder's BatchNorm statistics stay frozen as well
(batch 16 of 112-140 images would make them noisy); their affine parameters still learn.
"""
import time
from typing import Callable, List, Tuple

import numpy as np
import torch
from torch import nn

from .model import BSNet
from .stages import minibatches, region_jitter, score_step
from .zones import FLIP_PERMUTATION

Log = Callable[[str], None]


@torch.no_grad()
def masks_and_thetas(model: BSNet, images: np.ndarray, device: str, batch: int = 16) -> Tuple[np.ndarray, np.ndarray]:
    """The frozen front's lung mask [N,1,R,R] and alignment theta [N,2,3] for each image."""
    model.eval()
    masks, thetas = [], []
    for i in range(0, len(images), batch):
        _, mask = model.segment(torch.from_numpy(images[i:i + batch]).to(device))
        masks.append(mask.cpu())
        thetas.append(model.alignment(mask).cpu())
    return torch.cat(masks).numpy(), torch.cat(thetas).numpy()


def with_flipped_images(images: np.ndarray, targets: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Both orientations of each image; the mirrored image's zones swap A-C with D-F."""
    mirrored = np.ascontiguousarray(images[..., ::-1])
    return np.concatenate([images, mirrored]), np.concatenate([targets, targets[:, list(FLIP_PERMUTATION)]])


def _freeze_batchnorm_statistics(module: nn.Module) -> None:
    for m in module.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.eval()


def finetune_whole(model: BSNet, images: np.ndarray, targets: np.ndarray, epochs: int, batch: int,
                   encoder_lr: float, head_lr: float, weight_decay: float, mae_weight: float, device: str,
                   log: Log, seed: int = 0, crop_jitter: float = 0.0, gamma_jitter: float = 0.0) -> None:
    """Fine-tunes encoder + pyramid + heads on images [N,1,R,R] (both orientations already in the set)."""
    if epochs <= 0:
        return
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    masks, thetas = masks_and_thetas(model, images, device)
    groups = [{"params": model.encoder.parameters(), "lr": encoder_lr},
              {"params": list(model.pyramid.parameters()) + list(model.heads.parameters()), "lr": head_lr}]
    opt = torch.optim.AdamW(groups, weight_decay=weight_decay)
    n = len(targets)
    steps = epochs * int(np.ceil(n / batch))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[encoder_lr, head_lr], total_steps=max(steps, 1),
                                                pct_start=0.2)
    model.encoder.train()
    _freeze_batchnorm_statistics(model.encoder)
    model.pyramid.train()
    model.heads.train()
    t0 = time.time()
    for epoch in range(epochs):
        total = 0.0
        for idx in minibatches(n, batch, rng):
            if len(idx) < 2:
                continue
            x = torch.from_numpy(images[idx]).to(device)
            if gamma_jitter > 0:
                # Exposure differs between films; equalisation removes most of it, a mild gamma the rest.
                gamma = torch.exp(gamma_jitter * (2 * torch.rand(len(idx), 1, 1, 1, device=device) - 1))
                x = x.clamp_min(0) ** gamma
            skips = model.encoder(x)
            attended = model.attend(skips[1:], torch.from_numpy(masks[idx]).to(device),
                                    torch.from_numpy(thetas[idx]).to(device))
            logits, _ = model.score(attended, region_jitter(len(idx), crop_jitter, device))
            total += score_step(logits, targets[idx], mae_weight, opt, sched) * len(idx)
        log(f"finetune epoch {epoch + 1}/{epochs} loss {total / n:.4f} ({time.time() - t0:.0f}s)")
    model.eval()


@torch.no_grad()
def predict_whole(model: BSNet, images: np.ndarray, device: str, batch: int = 16) -> np.ndarray:
    """Zone probabilities [N,6,4] from the whole network at the internal resolution."""
    model.eval()
    out: List[torch.Tensor] = []
    for i in range(0, len(images), batch):
        logits = model.core(torch.from_numpy(images[i:i + batch]).to(device))["logits"]
        out.append(torch.softmax(logits, -1).cpu())
    return torch.cat(out).numpy()
