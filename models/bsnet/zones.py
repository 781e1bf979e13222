"""Brixia zones, their regions in the aligned frame, and the left-right flip of labels.

Zones A,B,C are the right lung upper/middle/lower (image-left in standard display), D,E,F the left lung
(image-right) -- bsnet.md "The score". The reference code emits a (3,2,4) grid, i.e. the flat order
A,D,B,E,C,F; this project orders every output A..F instead.
"""
from typing import Dict, List, Sequence, Tuple

import numpy as np

ZONES: Tuple[str, ...] = ("A", "B", "C", "D", "E", "F")
REFERENCE_ORDER: Tuple[str, ...] = ("A", "D", "B", "E", "C", "F")

# Overlapping regions as [y1, x1, y2, x2] fractions of the aligned frame (bsnet.md, architecture step 6).
ZONE_BOXES: Dict[str, Tuple[float, float, float, float]] = {
    "A": (0.0, 0.0, 0.4, 0.5),
    "D": (0.0, 0.5, 0.4, 1.0),
    "B": (0.3, 0.0, 0.7, 0.5),
    "E": (0.3, 0.5, 0.7, 1.0),
    "C": (0.6, 0.0, 1.0, 0.5),
    "F": (0.6, 0.5, 1.0, 1.0),
}

# A horizontal flip moves image-left to image-right: the right lung's zones trade places with the left's.
FLIP_PERMUTATION: Tuple[int, ...] = tuple(ZONES.index(z) for z in ("D", "E", "F", "A", "B", "C"))


def boxes_in_zone_order() -> List[Tuple[float, float, float, float]]:
    """Region boxes listed A..F."""
    return [ZONE_BOXES[z] for z in ZONES]


def reference_to_zone_order(values: Sequence) -> List:
    """Reorder a sequence given in the reference order A,D,B,E,C,F into A..F."""
    by_zone = dict(zip(REFERENCE_ORDER, values))
    return [by_zone[z] for z in ZONES]


def flip_zone_labels(labels: np.ndarray) -> np.ndarray:
    """Zone labels (last axis A..F, or a leading zone axis of size 6 after `axis`) of the mirrored image."""
    labels = np.asarray(labels)
    return labels[..., list(FLIP_PERMUTATION)]
