"""Region descriptors of the frozen front, cached once for every image and view (the 0.3.0 score stage).

For each image the frozen front (encoder, decoder, alignment: stages 1-2) gives the four attended taps;
each of the six region crops of each tap is averaged over space, so a region is described by
64 + 128 + 256 + 512 = 960 numbers. Because the score heads on top are linear per location, averaging
first and applying the head after is exactly the head's CAM averaged (the exported graph computes the
CAM on the crops pooled to the CAM size; see descriptor_heads.py).

Views: the image itself, its mirror image, and a photometric + geometric augmentation (gamma, small
rotation/zoom/shift, re-segmented and re-aligned by the front) and its mirror; each with the unjittered
region boxes first, then `jitters` random zooms/shifts of the boxes (the 0.2.0 crop jitter).
"""
import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from .augment import random_theta, warp
from .data import CACHE, read_gray, to_resolution
from .model import BSNet
from .preprocessing import preprocess
from .stages import region_jitter

VIEWS = ("identity", "mirror", "augmented", "augmented_mirror")
MIRRORED = np.array([False, True, False, True])
DESCRIPTOR_DIM = 64 + 128 + 256 + 512


@dataclass(frozen=True)
class ImageFolder:
    """An image set from ../shared: a CSV listing file names (with their patient) and a gray512 folder."""
    name: str
    csv_path: str
    image_dir: str


def read_rows(shared: Path, folder: ImageFolder) -> List[Dict[str, str]]:
    with open(shared / folder.csv_path, newline="") as f:
        return list(csv.DictReader(f))


def load_folder_images(shared: Path, folder: ImageFolder, names: Sequence[str], resolution: int) -> np.ndarray:
    """bsnet-v1 images at the internal resolution [N,1,R,R], cached under models/.cache."""
    cache = CACHE / f"{folder.name}_{resolution}.npz"
    if cache.exists():
        return np.load(cache)["images"]
    # The names as listed (severity-extra and JSRT are PNG, cxr-unlabelled JPEG).
    stack = np.stack([preprocess(read_gray(shared / folder.image_dir / n)) for n in names])[:, None]
    images = to_resolution(stack, resolution)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(cache, images=images)
    return images


def view_images(images: np.ndarray, view: str, seed: int) -> np.ndarray:
    """The images of one view; augmented views are seeded (gamma exp(+-0.25), rotation 5 deg, zoom and
    shift 6 %)."""
    x = torch.from_numpy(images)
    if view.startswith("augmented"):
        gen = torch.Generator().manual_seed(seed)
        gamma = torch.exp((2 * torch.rand(len(x), generator=gen) - 1) * 0.25)
        x = x.clamp(0, 1) ** gamma[:, None, None, None]
        x = warp(x, random_theta(len(x), gen, 5.0, 0.06, 0.06))
    if view.endswith("mirror"):
        x = torch.flip(x, dims=[3])
    return np.ascontiguousarray(x.numpy())


@torch.no_grad()
def region_descriptors(model: BSNet, attended: List[torch.Tensor], jitter=None) -> torch.Tensor:
    """[N,6,960]: every region crop of every attended tap averaged over space."""
    crops = model.crop_regions(attended, jitter)
    n = attended[0].shape[0]
    return torch.cat([c.mean(dim=(2, 3)).reshape(n, 6, -1) for c in crops], dim=2)


@torch.no_grad()
def describe(model: BSNet, images: np.ndarray, jitters: int, seed: int, views: Sequence[str] = VIEWS,
             batch: int = 16, taps_out: Optional[List[List[np.ndarray]]] = None) -> np.ndarray:
    """[N, len(views), 1 + jitters, 6, 960] float16 for one image set.

    taps_out: when given, the attended taps of each batch (float16) are appended to its four lists, so the
    0.2.0 score stage (a convolutional pyramid on the taps) can be re-run on the same front pass."""
    model.eval()
    torch.manual_seed(seed + VIEWS.index(views[0]))
    out = np.zeros((len(images), len(views), 1 + jitters, 6, DESCRIPTOR_DIM), dtype=np.float16)
    for v, view in enumerate(views):
        # The mirrored augmented view mirrors the same augmentation (same seed).
        imgs = view_images(images, view, seed + (1 if view.startswith("augmented") else 0))
        for i in range(0, len(imgs), batch):
            x = torch.from_numpy(imgs[i:i + batch])
            skips, mask = model.segment(x)
            attended = model.attend(skips[1:], mask, model.alignment(mask))
            if taps_out is not None:
                for k, t in enumerate(attended):
                    taps_out[k].append(t.numpy().astype(np.float16))
            out[i:i + batch, v, 0] = region_descriptors(model, attended).numpy()
            for j in range(jitters):
                jit = region_jitter(len(x), 0.1, "cpu")
                out[i:i + batch, v, 1 + j] = region_descriptors(model, attended, jit).numpy()
    return out


SEVERITY = ImageFolder("severity_extra", "severity-extra/labels.csv", "severity-extra/gray512")
UNLABELLED = ImageFolder("cxr_unlabelled", "cxr-unlabelled/index.csv", "cxr-unlabelled/gray512")


def normal_jsrt_names(shared: Path) -> List[str]:
    """The JSRT films without a nodule (JPCNN*): normal radiographs."""
    return sorted(p.name for p in (shared / "lung-seg" / "jsrt" / "images512").glob("JPCNN*.png"))


def descriptor_cache(set_name: str, view: str) -> Path:
    return CACHE / "descriptors" / f"{set_name}.{view}.npz"


def taps_cache(set_name: str, view: str) -> Path:
    return CACHE / "taps" / f"{set_name}.{view}.npz"


def load_taps(set_name: str, view: str) -> Optional[List[np.ndarray]]:
    """The four attended taps [N,C,s,s] (float32) of one set and view, cached beside its descriptors."""
    path = taps_cache(set_name, view)
    if not path.exists():
        return None
    data = np.load(path)
    return [data[f"tap{k}"].astype(np.float32) for k in range(4)]


def load_descriptors(set_name: str) -> Optional[np.ndarray]:
    """[N,V,J,6,960] with the cached views of a set, which must be a prefix of VIEWS (so MIRRORED applies
    by index); None when not even the image itself is cached."""
    parts = []
    for view in VIEWS:
        path = descriptor_cache(set_name, view)
        if not path.exists():
            break
        parts.append(np.load(path)["descriptors"])
    return np.concatenate(parts, axis=1) if parts else None


def cache_all(model: BSNet, shared: Path, jitters: int, log, seed: int = 0, only: Sequence[str] = (),
              views: Sequence[str] = ("identity", "mirror"), extra_views: Sequence[str] = ("identity",),
              extra_jitters: int = 1, extra_limit: Optional[int] = None) -> None:
    """Descriptors of the four image sets, one file per set and view (skips those already cached).

    Brixia gets `views` with `jitters` box jitters, the sets outside it `extra_views` with one (CPU
    budget: the front costs ~1.3 CPU-seconds per image at 256 here) and `extra_jitters`; extra_limit: only
    the first that many images of each extra set. only: restrict to these set names."""
    from .data import load_score_set
    import time
    resolution = model.resolution
    sets = {
        "brixia": lambda: load_score_set(resolution, shared).images,
        "severity": lambda: load_folder_images(shared, SEVERITY, [r["filename"] for r in read_rows(shared, SEVERITY)],
                                               resolution),
        "normal": lambda: load_folder_images(shared, ImageFolder("jsrt_normal", "", "lung-seg/jsrt/images512"),
                                             normal_jsrt_names(shared), resolution),
        "unlabelled": lambda: load_folder_images(shared, UNLABELLED,
                                                 [r["filename"] for r in read_rows(shared, UNLABELLED)], resolution),
    }
    for k, (name, images_of) in enumerate(sets.items()):
        if only and name not in only:
            continue
        for view in (views if name == "brixia" else extra_views):
            path = descriptor_cache(name, view)
            # Brixia's plain views also keep their attended taps (the 0.2.0 baseline re-run, bsnet.oof020).
            keep = name == "brixia" and view in ("identity", "mirror")
            if path.exists() and (not keep or taps_cache(name, view).exists()):
                continue
            t0 = time.time()
            images = images_of()
            if name != "brixia" and extra_limit:
                images = images[:extra_limit]
            taps: Optional[List[List[np.ndarray]]] = [[], [], [], []] if keep else None
            desc = describe(model, images, jitters if name == "brixia" else extra_jitters, seed + 1000 * k, [view],
                            taps_out=taps)
            path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(path, descriptors=desc)
            if taps is not None:
                taps_cache(name, view).parent.mkdir(parents=True, exist_ok=True)
                np.savez(taps_cache(name, view), **{f"tap{k}": np.concatenate(t) for k, t in enumerate(taps)})
            log(f"descriptors {name}/{view}: {desc.shape} in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    import argparse
    from .from_onnx import load_onnx_weights
    p = argparse.ArgumentParser(description="cache region descriptors of a released front")
    p.add_argument("--front-onnx", type=Path, required=True)
    p.add_argument("--shared", type=Path, required=True)
    p.add_argument("--jitters", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--only", nargs="*", default=[], help="set names (brixia severity normal unlabelled)")
    p.add_argument("--views", nargs="*", default=["identity", "mirror"], help="brixia's views (a prefix of VIEWS)")
    p.add_argument("--extra-views", nargs="*", default=["identity"], help="the other sets' views (a prefix of VIEWS)")
    p.add_argument("--extra-jitters", type=int, default=1)
    p.add_argument("--extra-limit", type=int, default=None, help="only the first N images of each extra set")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    cache_all(load_onnx_weights(a.front_onnx, 256), a.shared, a.jitters, lambda m: print(m, flush=True),
              only=a.only, views=a.views, extra_views=a.extra_views, extra_jitters=a.extra_jitters,
              extra_limit=a.extra_limit)
