"""Data from ../shared (read in place, never copied into the repository); its folds are bsnet.cv's.

Images go through `bsnet-v1` at 512 and then the model's fixed downsample to the internal resolution;
the arrays are cached under models/.cache (git-ignored) so later stages start fast.
"""
import csv
from dataclasses import dataclass
from pathlib import Path
from typing import List

import numpy as np
from PIL import Image
import torch
import torch.nn.functional as F

from .preprocessing import preprocess
from .zones import ZONES

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared"
CACHE = REPO_ROOT / "models" / ".cache"


@dataclass
class ScoreSet:
    """The Brixia public set: images [N,1,R,R], senior/junior zone labels [N,6] (A..F), patient ids."""
    names: List[str]
    images: np.ndarray
    senior: np.ndarray
    junior: np.ndarray
    senior_global: np.ndarray
    junior_global: np.ndarray
    patients: List[str]


@dataclass
class SegSet:
    """Lung segmentation pairs: images and binary masks [N,1,R,R], groups for a patient-wise hold-out."""
    names: List[str]
    images: np.ndarray
    masks: np.ndarray
    groups: List[str]


def read_gray(path: Path) -> np.ndarray:
    with Image.open(path) as img:
        return np.asarray(img.convert("L"), dtype=np.uint8)


def to_resolution(images512: np.ndarray, resolution: int) -> np.ndarray:
    """The model's fixed downsample (area average by an integer factor) applied to [N,1,512,512]."""
    k = 512 // resolution
    if k == 1:
        return images512.astype(np.float32)
    with torch.no_grad():
        return F.avg_pool2d(torch.from_numpy(images512), k, k).numpy()


def load_score_set(resolution: int, shared: Path = SHARED) -> ScoreSet:
    cache = CACHE / f"brixia_{resolution}.npz"
    root = shared / "brixia-public"
    with open(root / "annotations.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    if cache.exists():
        images = np.load(cache)["images"]
    else:
        stack = np.stack([preprocess(read_gray(root / "gray512" / (Path(r["filename"]).stem + ".png")))
                          for r in rows])[:, None]
        images = to_resolution(stack, resolution)
        CACHE.mkdir(parents=True, exist_ok=True)
        np.savez(cache, images=images)
    senior = np.array([[int(r[f"S-{z}"]) for z in ZONES] for r in rows], dtype=np.int64)
    junior = np.array([[int(r[f"J-{z}"]) for z in ZONES] for r in rows], dtype=np.int64)
    return ScoreSet(
        names=[r["filename"] for r in rows], images=images, senior=senior, junior=junior,
        senior_global=np.array([int(r["S-Global"]) for r in rows]),
        junior_global=np.array([int(r["J-Global"]) for r in rows]),
        patients=[r["patient"] for r in rows],
    )


def load_seg_set(resolution: int, shared: Path = SHARED) -> SegSet:
    cache = CACHE / f"lungseg_{resolution}.npz"
    root = shared / "lung-seg"
    names, groups = [], []
    for name in sorted(p.name for p in (root / "jsrt" / "images512").glob("*.png")):
        names.append(("jsrt", name))
        groups.append(f"jsrt:{name}")
    with open(root / "covid" / "licenses.csv", newline="") as f:
        patient_of = {r["filename"]: r["patientid"] for r in csv.DictReader(f)}
    for name in sorted(p.name for p in (root / "covid" / "images512").glob("*.png")):
        names.append(("covid", name))
        groups.append(f"covid:{patient_of.get(name, name)}")
    if cache.exists():
        data = np.load(cache)
        images, masks = data["images"], data["masks"]
    else:
        images = np.stack([preprocess(read_gray(root / s / "images512" / n)) for s, n in names])[:, None]
        masks = np.stack([(read_gray(root / s / "masks512" / n) >= 128).astype(np.float32)
                          for s, n in names])[:, None]
        images = to_resolution(images, resolution)
        masks = (to_resolution(masks, resolution) >= 0.5).astype(np.float32)
        CACHE.mkdir(parents=True, exist_ok=True)
        np.savez(cache, images=images, masks=masks)
    return SegSet(names=[f"{s}/{n}" for s, n in names], images=images, masks=masks, groups=groups)
