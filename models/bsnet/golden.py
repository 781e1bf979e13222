"""Golden vectors for `bsnet-v1` preprocessing: synthetic seeded inputs only (never patient data).

Each case is golden/preprocess/<case>.json with the gzip+base64 uint8 input and float32le output, so the
TypeScript reimplementation can be checked bit-for-bit (tolerances in the file).
"""
import base64
import gzip
import json
from pathlib import Path
from typing import Callable, Dict

import numpy as np

from . import PREPROCESSING_ID
from .preprocessing import SIZE, preprocess

TOLERANCE = {"maxAbs": 1e-6, "maxFractionOfPixelsOffByOneLevel": 0.001}


def _smooth(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A radiograph-like smooth field: two bright 'lungs' on a gradient plus mild seeded noise."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    yy /= max(height - 1, 1)
    xx /= max(width - 1, 1)
    field = 0.3 + 0.4 * yy
    for cx in (0.3, 0.7):
        field += 0.35 * np.exp(-(((xx - cx) / 0.15) ** 2 + ((yy - 0.5) / 0.3) ** 2))
    field += rng.normal(0.0, 0.02, size=field.shape)
    return np.clip(np.round(field * 200), 0, 255).astype(np.uint8)


def _two_level(rng: np.random.Generator) -> np.ndarray:
    """Exactly two grey levels at 512x512 (no resampling), a seeded random third of the pixels bright."""
    return np.where(rng.random((SIZE, SIZE)) < 1 / 3, 210, 40).astype(np.uint8)


CASES: Dict[str, Callable[[np.random.Generator], np.ndarray]] = {
    "upscale_37x53": lambda rng: _smooth(rng, 53, 37),
    "downscale_640x480": lambda rng: _smooth(rng, 480, 640),
    "identity_512": lambda rng: _smooth(rng, 512, 512),
    "constant_300x200": lambda rng: np.full((200, 300), 117, dtype=np.uint8),
    "two_level_512": _two_level,
}


def encode(array: np.ndarray) -> str:
    return base64.b64encode(gzip.compress(np.ascontiguousarray(array).tobytes(), mtime=0)).decode("ascii")


def decode(data: str, dtype: str) -> np.ndarray:
    return np.frombuffer(gzip.decompress(base64.b64decode(data)), dtype=dtype)


def case_input(name: str) -> np.ndarray:
    """The seeded uint8 input of a case (seed derived from the case's position, stable across runs)."""
    seed = list(CASES).index(name) + 20261127
    return CASES[name](np.random.default_rng(seed))


def write_preprocess_goldens(out_dir: Path) -> Dict[str, np.ndarray]:
    """Writes every case and returns the float32 outputs by case name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = {}
    for name in CASES:
        gray = case_input(name)
        out = preprocess(gray)
        outputs[name] = out
        doc = {
            "preprocessingId": PREPROCESSING_ID,
            "case": name,
            "input": {"width": int(gray.shape[1]), "height": int(gray.shape[0]), "dtype": "uint8",
                      "encoding": "gzip+base64", "data": encode(gray)},
            "output": {"width": SIZE, "height": SIZE, "dtype": "float32le", "encoding": "gzip+base64",
                       "data": encode(out.astype("<f4"))},
            "tolerance": TOLERANCE,
        }
        (out_dir / f"{name}.json").write_text(json.dumps(doc) + "\n")
    return outputs


def read_case(path: Path) -> Dict[str, np.ndarray]:
    doc = json.loads(Path(path).read_text())
    gray = decode(doc["input"]["data"], "uint8").reshape(doc["input"]["height"], doc["input"]["width"])
    out = decode(doc["output"]["data"], "<f4").reshape(SIZE, SIZE)
    return {"input": gray, "output": out}
