"""Fitting the 0.3.0 linear zone heads on cached descriptors: Brixia zone labels, weak global severity from
severity-extra, consistency on unlabelled views (mean teacher), confidence-filtered pseudo-labels, normal
films as all-zero examples.

Every extra set comes from patients disjoint from brixia-public, so it joins every training fold; the zone
heads learn zone labels only from Brixia (pseudo-labels are the heads' own confident predictions). The
severity map (S-Global from COVIDx-S geographic extent and opacity) is fitted on the training folds only
(bsnet.recipes); the published least-squares fit on 114 brixia-public images (SEVERITY_MAP) spans every
fold, so it is kept for comparison only. The weak loss is a Laplace loss on the sum of the six expected
zone scores with scale SEVERITY_MAP_MAE (the published map's residual, a constant absorbed by the
recipe's weight, which the inner split chooses).
"""
from dataclasses import dataclass, replace
from typing import Dict, Optional

import numpy as np
import torch

from .descriptor_heads import LinearZoneHeads
from .descriptors import MIRRORED
from .zones import FLIP_PERMUTATION

SEVERITY_MAP = (1.082, 1.036, 0.508)   # S-Global ~ a * geographic + b * opacity + c
SEVERITY_MAP_MAE = 1.81
PERM = list(FLIP_PERMUTATION)
LEVELS = torch.arange(4, dtype=torch.float32)
EXTRA_BATCH = 64   # images of each extra set per step


@dataclass(frozen=True)
class HeadConfig:
    """One score-stage recipe (every field is a recipe choice made on inner splits)."""
    ordinal: bool = False
    l2: float = 1e-2
    weak: float = 0.0          # weight of the severity-extra global loss
    consistency: float = 0.0   # weight of the mean-teacher consistency on unlabelled + severity-extra views
    normal: float = 0.0        # weight of the JSRT normal films as all-zero examples
    pseudo: float = 0.0        # weight of confidence-filtered pseudo-labels on unlabelled + severity-extra
    pseudo_threshold: float = 0.8
    severity_map: str = "quantile"   # how the weak target is fitted on the training folds (bsnet.recipes)
    second_stage: float = 0.0  # > 0: a second stage over all six zone distributions, L2 to identity
    members: int = 1
    steps: int = 200
    lr: float = 0.01
    junior_weight: float = 0.3
    mae_weight: float = 1.0
    ema: float = 0.95
    tta: str = "flip"          # test-time views averaged: "flip" (the image and its mirror, as exported) or
                               # "views" (every cached view and box jitter: + augmented views, + jittered boxes)

    def label(self) -> str:
        parts = ["ordinal" if self.ordinal else "softmax", f"l2={self.l2:g}"]
        for k in ("weak", "consistency", "normal", "pseudo"):
            if getattr(self, k):
                parts.append(f"{k}={getattr(self, k):g}")
                if k == "weak" and self.severity_map != "quantile":
                    parts.append(f"map={self.severity_map}")
        if self.second_stage:
            parts.append(f"stage2={self.second_stage:g}")
        if self.tta != "flip":
            parts.append(f"tta={self.tta}")
        return " ".join(parts) + f" x{self.members}"


@dataclass(frozen=True)
class Extras:
    """Descriptor tensors [N,V,J,6,D] of the sets outside Brixia (None when not used)."""
    severity: Optional[torch.Tensor] = None
    severity_global: Optional[torch.Tensor] = None
    unlabelled: Optional[torch.Tensor] = None
    normal: Optional[torch.Tensor] = None
    pseudo: Optional[torch.Tensor] = None           # [M,V,J,6,D] images with pseudo-labels
    pseudo_targets: Optional[torch.Tensor] = None   # [M,6,4] one-hot, image zone order
    pseudo_weight: Optional[torch.Tensor] = None    # [M,6] 1 where the zone's prediction was confident


def mapped_severity(geographic: np.ndarray, opacity: np.ndarray) -> np.ndarray:
    a, b, c = SEVERITY_MAP
    return np.clip(a * geographic + b * opacity + c, 0, 18).astype(np.float32)


def sample_views(desc: torch.Tensor, members: int, gen: torch.Generator, batch: Optional[int] = None):
    """One random (view, box jitter) per image and member: ([E,N,6,D], mirrored [E,N], rows [E,N]).

    batch: a random subset of that many images per member instead of all (the extra sets)."""
    n, v, j = desc.shape[:3]
    size = n if batch is None or batch >= n else batch
    rows = (torch.arange(n).expand(members, n) if size == n
            else torch.stack([torch.randperm(n, generator=gen)[:size] for _ in range(members)]))
    views = torch.randint(0, v, (members, size), generator=gen)
    jit = torch.randint(0, j, (members, size), generator=gen)
    return desc[rows, views, jit].float(), torch.from_numpy(MIRRORED)[views], rows


def to_image_order(p: torch.Tensor, mirrored: torch.Tensor) -> torch.Tensor:
    """[E,N,6,4] per-view zone order -> the image's own (mirrored views swap A-C with D-F)."""
    return torch.where(mirrored[..., None, None], p[:, :, PERM], p)


def zone_loss(p: torch.Tensor, target: torch.Tensor, weight: torch.Tensor, mae_weight: float) -> torch.Tensor:
    """Cross-entropy to a soft target + |expected - target mean|, per image weighted [E,N]."""
    ce = -(target * torch.log(p + 1e-7)).sum(-1).mean(-1)
    mae = ((p * LEVELS).sum(-1) - (target * LEVELS).sum(-1)).abs().mean(-1)
    return ((ce + mae_weight * mae) * weight).sum() / weight.sum()


def zone_loss_per_zone(p: torch.Tensor, target: torch.Tensor, weight: torch.Tensor, mae_weight: float) -> torch.Tensor:
    """zone_loss with a weight per image and zone [E,N,6] (pseudo-labels keep only confident zones)."""
    ce = -(target * torch.log(p + 1e-7)).sum(-1)
    mae = ((p * LEVELS).sum(-1) - (target * LEVELS).sum(-1)).abs()
    return ((ce + mae_weight * mae) * weight).sum() / weight.sum().clamp_min(1.0)


def fit_heads(cfg: HeadConfig, desc: torch.Tensor, targets: torch.Tensor, extras: Extras,
              seed: int) -> LinearZoneHeads:
    """desc [N,V,J,6,D] Brixia training images, targets [N,6,4] soft (image's zone order)."""
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    pooled = [desc[:, :, 0].float().reshape(-1, desc.shape[-1])]
    for extra in (extras.severity, extras.unlabelled, extras.normal):
        if extra is not None:
            pooled.append(extra[:, :, 0].float().reshape(-1, desc.shape[-1]))
    allrows = torch.cat(pooled)
    heads = LinearZoneHeads(cfg.members, desc.shape[-1], cfg.ordinal)
    heads.mean.copy_(allrows.mean(0))
    heads.std.copy_(allrows.std(0) + 1e-3)
    teacher = LinearZoneHeads(cfg.members, desc.shape[-1], cfg.ordinal)
    teacher.load_state_dict(heads.state_dict())

    # Every set standardised once (per step it would dominate the cost of a step).
    def standardised(t: Optional[torch.Tensor]) -> Optional[torch.Tensor]:
        return None if t is None else (t.float() - heads.mean) / heads.std

    def fwd(model: LinearZoneHeads, z: torch.Tensor) -> torch.Tensor:
        return model.probs_from_scores(model.scores_standardised(z))

    desc = standardised(desc)
    extras = replace(extras, severity=standardised(extras.severity), unlabelled=standardised(extras.unlabelled),
                     normal=standardised(extras.normal), pseudo=standardised(extras.pseudo))
    opt = torch.optim.Adam(heads.parameters(), lr=cfg.lr)
    # Bagging: each member sees its own Poisson(1) weights of the labelled images (members > 1 only).
    bag = (torch.poisson(torch.ones(cfg.members, len(desc)), generator=gen) if cfg.members > 1
           else torch.ones(1, len(desc)))
    unl = [t for t in (extras.unlabelled, extras.severity) if t is not None and cfg.consistency > 0]
    for step in range(cfg.steps):
        x, mirrored, _ = sample_views(desc, cfg.members, gen)
        t = torch.where(mirrored[..., None, None], targets[:, PERM][None], targets[None])
        loss = zone_loss(fwd(heads, x), t, bag, cfg.mae_weight) + cfg.l2 * heads.penalty()
        if cfg.weak > 0 and extras.severity is not None:
            xs, _, rows = sample_views(extras.severity, cfg.members, gen, EXTRA_BATCH)
            total = (fwd(heads, xs) * LEVELS).sum(-1).sum(-1)
            loss = loss + cfg.weak * (total - extras.severity_global[rows]).abs().mean() / SEVERITY_MAP_MAE
        if cfg.normal > 0 and extras.normal is not None:
            xn, _, _ = sample_views(extras.normal, cfg.members, gen, EXTRA_BATCH)
            zero = torch.zeros(4)
            zero[0] = 1
            pn = fwd(heads, xn)
            loss = loss + cfg.normal * zone_loss(pn, zero.expand_as(pn), torch.ones(pn.shape[:2]), cfg.mae_weight)
        if cfg.pseudo > 0 and extras.pseudo is not None:
            xp, mp, rows = sample_views(extras.pseudo, cfg.members, gen, EXTRA_BATCH)
            tp = extras.pseudo_targets[rows]
            wp = extras.pseudo_weight[rows]
            # A mirrored view shows zone PERM[r] in region r: targets and weights follow.
            tp = torch.where(mp[..., None, None], tp[:, :, PERM], tp)
            wp = torch.where(mp[..., None], wp[:, :, PERM], wp)
            loss = loss + cfg.pseudo * zone_loss_per_zone(fwd(heads, xp), tp, wp, cfg.mae_weight)
        for u in unl:
            x1, m1, rows = sample_views(u, cfg.members, gen, EXTRA_BATCH)
            # The same images in another random view (and box jitter) for the teacher.
            views = torch.randint(0, u.shape[1], rows.shape, generator=gen)
            jit = torch.randint(0, u.shape[2], rows.shape, generator=gen)
            x2, m2 = u[rows, views, jit].float(), torch.from_numpy(MIRRORED)[views]
            with torch.no_grad():
                target = to_image_order(fwd(teacher, x2), m2)
            student = to_image_order(fwd(heads, x1), m1)
            loss = loss + cfg.consistency * ((student - target) ** 2).sum(-1).mean() / len(unl)
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            for pt, ps in zip(teacher.parameters(), heads.parameters()):
                pt.mul_(cfg.ema).add_(ps, alpha=1 - cfg.ema)
    return heads.eval()


TTA_MODES = ("flip", "views")


@torch.no_grad()
def predict(heads: LinearZoneHeads, desc: torch.Tensor, tta: str = "flip") -> np.ndarray:
    """Flip-averaged ensemble probabilities [N,6,4] on the unjittered identity and mirror views (what the
    exported graph computes); the identity view alone when no mirror view is cached.

    tta="views": the mean over every cached view (mirrored ones back in image zone order) and every box
    jitter, i.e. test-time augmentation with the augmented views' gamma + small affine and the jittered
    region boxes on top of the flip."""
    if tta not in TTA_MODES:
        raise ValueError(f"unknown test-time augmentation {tta!r}")
    if tta == "views":
        n, v, j = desc.shape[:3]
        total = torch.zeros(n, 6, 4)
        for view in range(v):
            p = heads(desc[:, view].reshape(n * j, *desc.shape[3:]).float()).mean(0).reshape(n, j, 6, 4).mean(1)
            total += p[:, PERM] if MIRRORED[view] else p
        return (total / v).numpy()
    p_id = heads(desc[:, 0, 0].float()).mean(0)
    if desc.shape[1] < 2:
        # A set cached without its mirror view (the extra sets, when CPU is short): the image alone.
        return p_id.numpy()
    p_mirror = heads(desc[:, 1, 0].float()).mean(0)[:, PERM]
    return ((p_id + p_mirror) / 2).numpy()


def soft_zone_targets(senior: np.ndarray, junior: np.ndarray, junior_weight: float) -> torch.Tensor:
    eye = np.eye(4, dtype=np.float32)
    return torch.from_numpy((1 - junior_weight) * eye[senior] + junior_weight * eye[junior])


def with_members(cfg: HeadConfig, members: int) -> HeadConfig:
    return replace(cfg, members=members)


def extras_subset(extras: Extras, cfg: HeadConfig) -> Extras:
    """Only the sets a recipe uses (keeps the standardisation statistics to the data a recipe sees)."""
    return Extras(
        severity=extras.severity if (cfg.weak > 0 or cfg.consistency > 0 or cfg.pseudo > 0) else None,
        severity_global=extras.severity_global,
        unlabelled=extras.unlabelled if (cfg.consistency > 0 or cfg.pseudo > 0) else None,
        normal=extras.normal if cfg.normal > 0 else None,
        pseudo=extras.pseudo if cfg.pseudo > 0 else None,
        pseudo_targets=extras.pseudo_targets if cfg.pseudo > 0 else None,
        pseudo_weight=extras.pseudo_weight if cfg.pseudo > 0 else None,
    )


def describe_config(cfg: HeadConfig) -> Dict:
    return {k: getattr(cfg, k) for k in cfg.__dataclass_fields__}
