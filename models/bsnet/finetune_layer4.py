"""Stage 3b's moving parts (bsnet.finetune030 runs the experiment): layer4 of the frozen 0.2.0 front fine-tuned
with the linear zone heads on what one frozen pass per image and view keeps (layer4's input, the lung mask
aligned onto tap 3's grid, theta, and taps 0-2's region descriptors); early stopping on an inner split."""
import copy
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from .alignment import affine_sample
from .cli import Log
from .cv import FOLDS
from .cv030 import zone_mae
from .data import CACHE, read_gray, to_resolution
from .descriptor_heads import LinearZoneHeads
from .descriptors import MIRRORED, normal_jsrt_names, region_descriptors, view_images
from .model import BSNet
from .preprocessing import preprocess
from .semi import PERM, Extras, HeadConfig, fit_heads, zone_loss

FRONT_VIEWS = ("identity", "mirror")
VIEW_MIRRORED = torch.from_numpy(MIRRORED[:len(FRONT_VIEWS)])
DEEP_TAP = 3
FROZEN_DIM = 64 + 128 + 256        # taps 0-2 come first in the 960 (descriptors.region_descriptors)
STAGE3B_CACHE = CACHE / "stage3b"
SUMMARY_NAME = "0.3.0-stage3b"
# The best score-stage recipe so far (cv030, outer folds, single member): ordinal heads with L2 0.01.
BASE_HEAD = HeadConfig(ordinal=True, l2=1e-2)


@dataclass(frozen=True)
class FinetuneConfig:
    """The stage-3b recipe. stage_lrs and the number of epochs are chosen on the inner split."""
    head: HeadConfig = replace(BASE_HEAD, normal=0.1)
    stage_lrs: Tuple[float, ...] = (3e-5, 1e-4)
    head_lr: float = 1e-3
    weight_decay: float = 1e-2     # AdamW's decoupled decay on layer4
    pull: float = 1e-3             # L2-SP: pull * sum (w - w_pretrained)^2 over layer4
    max_epochs: int = 12
    every: int = 2                 # the inner split scores the fit every this many epochs (and at 0)
    batch: int = 16
    normal_batch: int = 4          # normal films per step (weight head.normal)


@dataclass
class FrontFeatures:
    """What the frozen front gives one image set, per image and view (FRONT_VIEWS)."""
    stage_input: torch.Tensor    # [N,V,256,s,s] layer3's output, what feeds layer4 (float32: epoch 0
    #                              reproduces deep_frozen, so the stage-3a baseline is the same model)
    aligned_mask: torch.Tensor   # [N,V,1,t,t] the lung mask warped with theta onto tap 3's grid
    theta: torch.Tensor          # [N,V,2,3]
    frozen: torch.Tensor         # [N,V,6,448] region descriptors of taps 0-2 (never change)
    deep_frozen: torch.Tensor    # [N,V,6,512] tap 3's region descriptors of the pretrained front

    def rows(self, index: np.ndarray) -> "FrontFeatures":
        idx = torch.from_numpy(np.flatnonzero(index) if index.dtype == bool else index)
        return FrontFeatures(*(t[idx] for t in (self.stage_input, self.aligned_mask, self.theta, self.frozen,
                                                self.deep_frozen)))

    def __len__(self) -> int:
        return len(self.theta)

    def descriptors(self) -> torch.Tensor:
        """The pretrained front's descriptors [N,V,1,6,960] (one box, unjittered): stage 3a's input."""
        return torch.cat([self.frozen, self.deep_frozen], dim=-1)[:, :, None]


class DeepStage(nn.Module):
    """layer4 + final BatchNorm of a BSNet encoder, with the warp and region crops of tap 3: from layer4's
    input, the aligned mask and theta to tap 3's region descriptors [N,6,512] (BSNet.attend +
    crop_regions + spatial mean, for this tap alone). BatchNorm always runs on its frozen statistics."""

    def __init__(self, model: BSNet) -> None:
        super().__init__()
        self.layer = copy.deepcopy(model.encoder.layers[DEEP_TAP])
        self.final_bn = copy.deepcopy(model.encoder.final_bn)
        self.size = model.tap_sizes[DEEP_TAP]
        self.register_buffer("warp_grid", getattr(model, f"warp_grid{DEEP_TAP}").clone(), persistent=False)
        self.register_buffer("crop_grid", getattr(model, f"crop_grid{DEEP_TAP}").clone(), persistent=False)
        self.train(False)

    def train(self, mode: bool = True) -> "DeepStage":
        super().train(mode)
        for m in self.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.eval()
        return self

    def forward(self, stage_input: torch.Tensor, aligned_mask: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
        tap = F.relu(self.final_bn(self.layer(stage_input)))
        s = self.size
        attended = affine_sample(tap, theta, self.warp_grid, (s, s)) * aligned_mask
        n, c = tap.shape[:2]
        crops = F.grid_sample(attended, self.crop_grid.expand(n, -1, -1, -1), mode="bilinear",
                              padding_mode="zeros", align_corners=False)
        return crops.reshape(n, c, 6, s, s).mean(dim=(3, 4)).transpose(1, 2)


# ---------------------------------------------------------------------------------------------- front pass

@torch.no_grad()
def front_features_of_view(model: BSNet, images: np.ndarray, batch: int = 8) -> Dict[str, np.ndarray]:
    """The frozen front on images [N,1,R,R] of one view: FrontFeatures' fields for that view."""
    model.eval()
    parts: Dict[str, List[np.ndarray]] = {k: [] for k in ("stage_input", "aligned_mask", "theta", "frozen",
                                                          "deep_frozen")}
    s = model.tap_sizes[DEEP_TAP]
    for i in range(0, len(images), batch):
        skips, mask = model.segment(torch.from_numpy(images[i:i + batch]))
        theta = model.alignment(mask)
        desc = region_descriptors(model, model.attend(skips[1:], mask, theta))
        parts["stage_input"].append(skips[DEEP_TAP].numpy())
        parts["aligned_mask"].append(affine_sample(mask, theta, getattr(model, f"warp_grid{DEEP_TAP}"), (s, s)).numpy())
        parts["theta"].append(theta.numpy())
        parts["frozen"].append(desc[..., :FROZEN_DIM].numpy())
        parts["deep_frozen"].append(desc[..., FROZEN_DIM:].numpy())
    return {k: np.concatenate(v) for k, v in parts.items()}


def front_cache(set_name: str, view: str) -> Path:
    return STAGE3B_CACHE / f"{set_name}.{view}.npz"


def cached_front_features(model: BSNet, set_name: str, images_of: Callable[[], np.ndarray], log: Log) -> FrontFeatures:
    """FrontFeatures of a set, each view computed once and kept under models/.cache/stage3b/."""
    views = []
    for view in FRONT_VIEWS:
        path = front_cache(set_name, view)
        if not path.exists():
            t0 = time.process_time()
            fields = front_features_of_view(model, view_images(images_of(), view, 0))
            path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(path, **fields)
            log(f"front {set_name}/{view}: {len(fields['theta'])} images in {time.process_time() - t0:.0f} CPU-s")
        data = np.load(path)
        views.append({k: torch.from_numpy(data[k]) for k in data.files})
    stacked = {k: torch.stack([v[k] for v in views], dim=1) for k in views[0]}
    return FrontFeatures(**stacked)


def normal_images(shared: Path, resolution: int = 256) -> np.ndarray:
    """The 93 normal JSRT films at the internal resolution; read from main's cache when it holds them,
    otherwise preprocessed in memory (this experiment writes only under models/.cache/stage3b/)."""
    cached = CACHE / f"jsrt_normal_{resolution}.npz"
    if cached.exists():
        return np.load(cached)["images"]
    folder = shared / "lung-seg" / "jsrt" / "images512"
    stack = np.stack([preprocess(read_gray(folder / n)) for n in normal_jsrt_names(shared)])[:, None]
    return to_resolution(stack, resolution)


# ---------------------------------------------------------------------------------------------- training

def zone_probs(stage: DeepStage, heads: LinearZoneHeads, feats: FrontFeatures, rows: torch.Tensor,
               views: torch.Tensor) -> torch.Tensor:
    """[1,B,6,4] for images `rows` in views `views` (the view's own zone order)."""
    deep = stage(feats.stage_input[rows, views].float(), feats.aligned_mask[rows, views].float(),
                 feats.theta[rows, views].float())
    return heads(torch.cat([feats.frozen[rows, views].float(), deep], dim=-1))


@torch.no_grad()
def predict_flip_averaged(stage: DeepStage, heads: LinearZoneHeads, feats: FrontFeatures, batch: int = 32) -> np.ndarray:
    """[N,6,4]: identity and mirror view averaged, the mirror's zones swapped back (as the graph does)."""
    out = []
    for i in range(0, len(feats), batch):
        rows = torch.arange(i, min(i + batch, len(feats)))
        p_id = zone_probs(stage, heads, feats, rows, torch.zeros_like(rows))[0]
        p_mirror = zone_probs(stage, heads, feats, rows, torch.ones_like(rows))[0][:, PERM]
        out.append((p_id + p_mirror) / 2)
    return torch.cat(out).numpy()


def pull_penalty(stage: DeepStage, anchor: Sequence[torch.Tensor]) -> torch.Tensor:
    return sum(((p - a) ** 2).sum() for p, a in zip(stage.parameters(), anchor))


def train_jointly(stage: DeepStage, heads: LinearZoneHeads, feats: FrontFeatures, targets: torch.Tensor,
                  normal: Optional[FrontFeatures], cfg: FinetuneConfig, stage_lr: float, epochs: int, seed: int,
                  checkpoint: Callable[[int], None] = lambda epoch: None) -> None:
    """layer4 and the heads trained together on feats (targets [N,6,4] soft, image zone order); a random
    view (identity or mirror) per image and step. checkpoint(epoch) runs at epoch 0 and every cfg.every."""
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW([{"params": list(stage.parameters()), "lr": stage_lr, "weight_decay": cfg.weight_decay},
                             {"params": list(heads.parameters()), "lr": cfg.head_lr, "weight_decay": 0.0}])
    anchor = [p.detach().clone() for p in stage.parameters()]
    zero = torch.eye(4)[0]
    checkpoint(0)
    for epoch in range(1, epochs + 1):
        for rows in torch.randperm(len(feats), generator=gen).split(cfg.batch):
            views = torch.randint(0, len(FRONT_VIEWS), (len(rows),), generator=gen)
            t = targets[rows]
            # A mirrored view shows zone PERM[r] in region r.
            t = torch.where(VIEW_MIRRORED[views][:, None, None], t[:, PERM], t)
            p = zone_probs(stage, heads, feats, rows, views)
            loss = zone_loss(p, t[None], torch.ones(1, len(rows)), cfg.head.mae_weight)
            loss = loss + cfg.head.l2 * heads.penalty() + cfg.pull * pull_penalty(stage, anchor)
            if normal is not None and cfg.head.normal > 0:
                nrows = torch.randint(0, len(normal), (cfg.normal_batch,), generator=gen)
                nviews = torch.randint(0, len(FRONT_VIEWS), (cfg.normal_batch,), generator=gen)
                pn = zone_probs(stage, heads, normal, nrows, nviews)
                loss = loss + cfg.head.normal * zone_loss(pn, zero.expand_as(pn), torch.ones(pn.shape[:2]),
                                                          cfg.head.mae_weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
        if epoch % cfg.every == 0:
            checkpoint(epoch)


def stage3a_heads(cfg: HeadConfig, feats: FrontFeatures, targets: torch.Tensor, normal: Optional[FrontFeatures],
                  seed: int) -> LinearZoneHeads:
    """The linear heads fitted on the pretrained front's descriptors (bsnet.semi.fit_heads)."""
    extras = Extras(normal=normal.descriptors() if normal is not None and cfg.normal > 0 else None)
    return fit_heads(cfg, feats.descriptors(), targets, extras, seed)


@dataclass
class Problem:
    """Brixia's front features and labels, the normal films, the pretrained layer4: what every fit reads."""
    feats: FrontFeatures
    targets: torch.Tensor
    senior: np.ndarray
    folds: np.ndarray
    normal: Optional[FrontFeatures]
    template: DeepStage
    cfg: FinetuneConfig = field(default_factory=FinetuneConfig)

    def fit(self, train: np.ndarray, stage_lr: float, epochs: int, seed: int,
            scored: Optional[np.ndarray] = None) -> Tuple[Dict[int, np.ndarray], DeepStage]:
        """Stage 3a then the joint fit on `train`; the flip-averaged predictions for `scored` at epoch 0
        and every cfg.every epochs, by epoch."""
        feats, targets = self.feats.rows(train), self.targets[torch.from_numpy(train)]
        heads = stage3a_heads(self.cfg.head, feats, targets, self.normal, seed)
        stage = copy.deepcopy(self.template)
        held = self.feats.rows(scored) if scored is not None else None
        preds: Dict[int, np.ndarray] = {}

        def checkpoint(epoch: int) -> None:
            if held is not None:
                preds[epoch] = predict_flip_averaged(stage, heads, held)

        train_jointly(stage, heads, feats, targets, self.normal, self.cfg, stage_lr, epochs, seed, checkpoint)
        return preds, stage


def inner_split(folds: np.ndarray, outer: int) -> Tuple[np.ndarray, np.ndarray]:
    """(inner training, inner held-out) masks: the training fold after the outer one is held out (as in
    bsnet.cv030); neither touches the outer fold."""
    held = (outer + 1) % FOLDS
    return (folds != outer) & (folds != held), folds == held


def choose(curves: Dict[float, Dict[int, float]]) -> Tuple[float, int]:
    """(learning rate, epochs) with the lowest inner zone MAE; ties go to fewer epochs, then the lower
    rate (the least fine-tuning that does as well)."""
    return min(((lr, e) for lr, c in curves.items() for e in c), key=lambda k: (curves[k[0]][k[1]], k[1], k[0]))


def run_fold(problem: Problem, outer: int, seed: int = 0) -> Dict:
    """One outer fold: the inner curves, the choice, the refit's predictions for the outer fold by epoch."""
    cfg, folds = problem.cfg, problem.folds
    inner_train, inner_held = inner_split(folds, outer)
    curves: Dict[float, Dict[int, float]] = {}
    for lr in cfg.stage_lrs:
        preds, _ = problem.fit(inner_train, lr, cfg.max_epochs, seed + 100 + outer, inner_held)
        curves[lr] = {e: zone_mae(p, problem.senior[inner_held]) for e, p in preds.items()}
    lr, epochs = choose(curves)
    train, test = folds != outer, folds == outer
    # Trained to max_epochs so the outer curve can be shown; the choice above never sees it, and with a
    # constant learning rate the predictions at `epochs` are those of a fit stopped there.
    preds, _ = problem.fit(train, lr, cfg.max_epochs, seed + 1000 + outer, test)
    return {"fold": outer, "innerHeldFold": int((outer + 1) % FOLDS), "innerCurves": curves,
            "chosenLr": lr, "chosenEpochs": epochs, "predictions": preds}
