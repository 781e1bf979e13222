"""One score-stage recipe fitted on training images only (bsnet.cv030 calls it once per fit).

What a recipe adds on top of bsnet.semi.fit_heads, each computed from the training images it is given:
- the **severity map** for the weak loss: COVIDx-S geographic extent + opacity of severity-extra mapped
  onto the Brixia global score of the training folds, either by quantile matching (equipercentile linking:
  both sets are public COVID-19 radiographs of the same collections) or by a least-squares fit of the
  training-fold heads' own global predictions on severity-extra (`severity_map="model"`). The published
  map (semi.SEVERITY_MAP) was fitted on brixia-public images of every fold, so it is only compared with;
- **pseudo-labels**: a first fit's confident zone predictions (max probability >= threshold) on
  cxr-unlabelled and severity-extra, then a second fit that learns them with weight `pseudo`;
- a **second stage** over all six zone distributions (zones of one image are correlated): per zone, a
  softmax over a linear map of the 24 log-probabilities of the first stage, initialised to (and L2-pulled
  towards) the identity, trained on first-stage predictions cross-fitted over the training folds.
"""
from dataclasses import dataclass, replace
from typing import Optional, Tuple

import numpy as np
import torch
from torch import nn

from .semi import LEVELS, Extras, HeadConfig, extras_subset, fit_heads, predict, zone_loss
from .descriptor_heads import LinearZoneHeads

LOG_EPS = 1e-3


def quantile_map(train_global: np.ndarray, severity_sum: np.ndarray) -> np.ndarray:
    """Each severity-extra image's mid-rank quantile of geographic + opacity, read off the distribution of
    the training folds' Brixia global scores (linear interpolation)."""
    s = np.sort(severity_sum)
    mid = (np.searchsorted(s, severity_sum, "left") + np.searchsorted(s, severity_sum, "right")) / 2
    return np.quantile(train_global.astype(np.float64), mid / len(s)).astype(np.float32)


def linear_map(target: np.ndarray, geographic: np.ndarray, opacity: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Least squares target ~ a * geographic + b * opacity + c: (fitted values clipped to 0..18, [a, b, c])."""
    x = np.stack([geographic, opacity, np.ones_like(geographic)], 1).astype(np.float64)
    coef, *_ = np.linalg.lstsq(x, target.astype(np.float64), rcond=None)
    return np.clip(x @ coef, 0, 18).astype(np.float32), coef


@dataclass(frozen=True)
class Severity:
    """severity-extra's labels, aligned with the rows of its cached descriptors."""
    geographic: np.ndarray
    opacity: np.ndarray


class SecondStage(nn.Module):
    """Per zone z: p'_z = softmax(W_z^T log(p + eps) + b_z) over the 24 log-probabilities of all six zones;
    W starts as the identity on zone z's own four (so p' = p, renormalised), penalised by l2 * |W - W0|^2."""

    def __init__(self, zones: int = 6, classes: int = 4) -> None:
        super().__init__()
        eye = torch.zeros(zones, zones * classes, classes)
        for z in range(zones):
            eye[z, z * classes:(z + 1) * classes] = torch.eye(classes)
        self.register_buffer("identity", eye)
        self.weight = nn.Parameter(eye.clone())
        self.bias = nn.Parameter(torch.zeros(zones, classes))

    def forward(self, probs: torch.Tensor) -> torch.Tensor:
        f = torch.log(probs + LOG_EPS).reshape(len(probs), -1)
        return torch.softmax(torch.einsum("nf,zfk->nzk", f, self.weight) + self.bias, dim=-1)

    def penalty(self) -> torch.Tensor:
        return ((self.weight - self.identity) ** 2).sum()


def fit_second_stage(probs: np.ndarray, targets: torch.Tensor, l2: float, mae_weight: float,
                     steps: int = 300, lr: float = 0.01) -> SecondStage:
    stage = SecondStage()
    opt = torch.optim.Adam(stage.parameters(), lr=lr)
    p = torch.from_numpy(probs)
    ones = torch.ones(1, len(p))
    for _ in range(steps):
        loss = zone_loss(stage(p)[None], targets[None], ones, mae_weight) + l2 * stage.penalty() / len(p)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return stage.eval()


@dataclass
class FittedRecipe:
    heads: LinearZoneHeads
    second: Optional[SecondStage] = None
    severity_coef: Optional[np.ndarray] = None   # [a, b, c] of the map's linear summary (for the log)
    tta: str = "flip"

    @torch.no_grad()
    def predict(self, desc: torch.Tensor) -> np.ndarray:
        p = predict(self.heads, desc, self.tta)
        return p if self.second is None else self.second(torch.from_numpy(p)).numpy()


def expected_global(probs: np.ndarray) -> np.ndarray:
    return (probs * LEVELS.numpy()).sum(-1).sum(-1)


def with_severity_map(cfg: HeadConfig, desc: torch.Tensor, targets: torch.Tensor, senior_global: np.ndarray,
                      extras: Extras, severity: Severity, seed: int) -> Tuple[Extras, np.ndarray]:
    """extras with severity_global fitted on these training images; returns the map's [a, b, c]."""
    g, o = severity.geographic, severity.opacity
    if cfg.severity_map == "quantile":
        target = quantile_map(senior_global, g + o)
        _, coef = linear_map(target, g, o)
    elif cfg.severity_map == "model":
        base = fit_heads(replace(cfg, weak=0.0, consistency=0.0, normal=0.0, pseudo=0.0, members=1),
                         desc, targets, Extras(), seed + 7)
        target, coef = linear_map(expected_global(predict(base, extras.severity)), g, o)
    else:
        raise ValueError(f"unknown severity map {cfg.severity_map!r}")
    return replace(extras, severity_global=torch.from_numpy(target)), coef


def with_pseudo_labels(cfg: HeadConfig, desc: torch.Tensor, targets: torch.Tensor, extras: Extras,
                       seed: int) -> Extras:
    """A first fit (the same recipe without pseudo-labels) labels the unlabelled and severity-extra images;
    its confident zones become one-hot targets."""
    first = fit_heads(replace(cfg, pseudo=0.0, members=1), desc, targets, extras, seed + 11)
    pools = [t for t in (extras.unlabelled, extras.severity) if t is not None]
    views = min(t.shape[1] for t in pools)
    jitters = min(t.shape[2] for t in pools)
    pool = torch.cat([t[:, :views, :jitters] for t in pools])
    p = torch.from_numpy(predict(first, pool))
    conf, label = p.max(-1)
    return replace(extras, pseudo=pool, pseudo_targets=torch.eye(4)[label],
                   pseudo_weight=(conf >= cfg.pseudo_threshold).float())


def fit_recipe(cfg: HeadConfig, desc: torch.Tensor, targets: torch.Tensor, senior_global: np.ndarray,
               groups: np.ndarray, extras: Extras, severity: Optional[Severity], seed: int) -> FittedRecipe:
    """Fit cfg on these (training) images; groups: their fold ids, for the second stage's cross-fitting."""
    ex = extras_subset(extras, cfg)
    coef = None
    if cfg.weak > 0:
        if severity is None or ex.severity is None:
            raise ValueError("the weak loss needs severity-extra's descriptors and labels")
        ex, coef = with_severity_map(cfg, desc, targets, senior_global, ex, severity, seed)
    if cfg.pseudo > 0:
        ex = with_pseudo_labels(cfg, desc, targets, ex, seed)
    heads = fit_heads(cfg, desc, targets, ex, seed)
    second = None
    if cfg.second_stage > 0:
        first_cfg = replace(cfg, second_stage=0.0)
        oof = np.zeros((len(desc), 6, 4), dtype=np.float32)
        for g in np.unique(groups):
            tr = groups != g
            inner = fit_recipe(first_cfg, desc[tr], targets[tr], senior_global[tr], groups[tr], extras, severity,
                               seed + 100 + int(g))
            oof[groups == g] = inner.predict(desc[groups == g])
        second = fit_second_stage(oof, targets, cfg.second_stage, cfg.mae_weight)
    return FittedRecipe(heads, second, coef, cfg.tta)
