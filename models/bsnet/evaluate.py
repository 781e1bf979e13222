"""Cross-validation of the score stage against the senior radiologist, with the junior radiologist and the
per-zone mean predictor on the same folds, and the fp32-vs-int8 check of the exported graph."""
from typing import Callable, Dict, List

import numpy as np

from .metrics import agreement

Log = Callable[[str], None]


def fold_report(probs: np.ndarray, senior: np.ndarray, senior_global: np.ndarray, junior: np.ndarray,
                junior_global: np.ndarray, mean_pred: np.ndarray) -> Dict[str, Dict[str, float]]:
    """probs [N,6,4] out-of-fold; mean_pred [N,6] the training-fold zone means."""
    argmax = probs.argmax(-1)
    expected = (probs * np.arange(4)).sum(-1)
    median = median_score(probs)
    return {
        "model": agreement(argmax, senior, argmax.sum(1), senior_global),
        "modelExpectedScore": agreement(expected, senior, expected.sum(1), senior_global),
        "modelMedian": agreement(median, senior, median.sum(1), senior_global),
        "junior": agreement(junior, senior, junior_global, senior_global),
        "meanPredictor": agreement(mean_pred, senior, mean_pred.sum(1), senior_global),
    }


def median_score(probs: np.ndarray) -> np.ndarray:
    """The median of each zone's distribution: the score with the least expected absolute error."""
    return (np.cumsum(probs, axis=-1) < 0.5).sum(-1).clip(0, probs.shape[-1] - 1)


def spread(per_fold: List[Dict[str, Dict[str, float]]], who: str, key: str) -> Dict[str, float]:
    values = np.array([f[who][key] for f in per_fold])
    return {"mean": float(values.mean()), "std": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
            "min": float(values.min()), "max": float(values.max())}


def int8_agreement(fp32_probs: np.ndarray, int8_probs: np.ndarray) -> Dict[str, float]:
    return {
        "zoneArgmaxAgreement": float((fp32_probs.argmax(-1) == int8_probs.argmax(-1)).mean()),
        "maxProbDiff": float(np.abs(fp32_probs - int8_probs).max()),
        "meanProbDiff": float(np.abs(fp32_probs - int8_probs).mean()),
        "images": int(len(fp32_probs)),
    }
