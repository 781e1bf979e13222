"""Preprocessing `bsnet-v1`: the exact, resampling-library-free definition the TypeScript service mirrors.

Reference code (bsnet.md "Preprocessing"): 8-bit grey / 255 -> bilinear stretch to 512x512 (PIL's
antialiasing triangle filter) -> global histogram equalisation with 4096 levels (PIL ImageOps.equalize
algorithm) -> divide by the maximum. Everything is float64 numpy; the result is float32.
"""
import numpy as np

from . import PREPROCESSING_ID

SIZE = 512
LEVELS = 4096

__all__ = ["PREPROCESSING_ID", "SIZE", "LEVELS", "resize_weights", "resize", "equalize", "preprocess"]


def resize_weights(in_size: int, out_size: int = SIZE) -> np.ndarray:
    """Dense [out_size, in_size] matrix of PIL-style triangle-filter weights (antialiased when shrinking)."""
    scale = in_size / out_size
    filterscale = max(scale, 1.0)
    support = 1.0 * filterscale
    matrix = np.zeros((out_size, in_size), dtype=np.float64)
    for i in range(out_size):
        center = (i + 0.5) * scale
        xmin = max(0, int(center - support + 0.5))
        xmax = min(in_size, int(center + support + 0.5))
        j = np.arange(xmax - xmin, dtype=np.float64)
        w = np.maximum(0.0, 1.0 - np.abs((j + xmin - center + 0.5) / filterscale))
        total = w.sum()
        if total != 0.0:
            w = w / total
        matrix[i, xmin:xmax] = w
    return matrix


def resize(x: np.ndarray, out_size: int = SIZE) -> np.ndarray:
    """Separable resize of a float64 H x W image to out_size^2: horizontal pass first, then vertical."""
    h, w = x.shape
    horizontal = x @ resize_weights(w, out_size).T  # H x out
    return resize_weights(h, out_size) @ horizontal  # out x out


def equalize(x: np.ndarray) -> np.ndarray:
    """Histogram equalisation of [0,1] float64 values on 4096 levels (PIL ImageOps.equalize), then / max."""
    level = np.clip(np.floor(x * (LEVELS - 1) + 0.5), 0, LEVELS - 1).astype(np.int64)
    hist = np.bincount(level.ravel(), minlength=LEVELS).astype(np.int64)
    last = int(np.nonzero(hist)[0][-1])
    step = (int(hist.sum()) - int(hist[last])) // LEVELS
    if step == 0:
        lut = np.arange(LEVELS, dtype=np.int64)
    else:
        # n starts at step // 2 and accumulates the histogram *before* bin i (PIL's loop order).
        before = np.concatenate([[0], np.cumsum(hist)[:-1]])
        lut = np.minimum(LEVELS - 1, (step // 2 + before) // step)
    y = lut[level].astype(np.float64)
    peak = y.max()
    return y / peak if peak > 0 else np.zeros_like(y)


def preprocess(gray: np.ndarray) -> np.ndarray:
    """`bsnet-v1`: uint8 H x W grey image -> float32 512 x 512 in [0, 1]."""
    gray = np.asarray(gray)
    if gray.dtype != np.uint8 or gray.ndim != 2:
        raise ValueError("preprocess expects a 2-D uint8 grey image")
    x = gray.astype(np.float64) / 255.0
    if x.shape != (SIZE, SIZE):
        x = resize(x)
    return equalize(x).astype(np.float32)
