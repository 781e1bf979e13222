"""Agreement metrics between zone scores (0-3) and global scores (0-18)."""
from typing import Dict

import numpy as np


def quadratic_kappa(a: np.ndarray, b: np.ndarray, classes: int = 4) -> float:
    """Cohen's kappa with quadratic weights over pooled zone scores."""
    a, b = np.asarray(a).ravel().astype(int), np.asarray(b).ravel().astype(int)
    observed = np.zeros((classes, classes))
    np.add.at(observed, (a, b), 1)
    expected = np.outer(observed.sum(1), observed.sum(0)) / max(observed.sum(), 1)
    i, j = np.meshgrid(np.arange(classes), np.arange(classes), indexing="ij")
    weights = (i - j) ** 2 / (classes - 1) ** 2
    denom = (weights * expected).sum()
    return float(1 - (weights * observed).sum() / denom) if denom > 0 else 0.0


def agreement(pred_zones: np.ndarray, true_zones: np.ndarray, pred_global=None, true_global=None) -> Dict[str, float]:
    """pred/true zones [N,6]; predictions may be continuous (MAE) -- rounded for exact agreement and kappa."""
    pred_zones = np.asarray(pred_zones, dtype=np.float64)
    true_zones = np.asarray(true_zones)
    pg = pred_zones.sum(1) if pred_global is None else np.asarray(pred_global, dtype=np.float64)
    tg = true_zones.sum(1) if true_global is None else np.asarray(true_global)
    rounded = np.clip(np.rint(pred_zones), 0, 3)
    r = float(np.corrcoef(pg, tg)[0, 1]) if np.std(pg) > 0 and np.std(tg) > 0 else float("nan")
    return {
        "zoneMae": float(np.abs(pred_zones - true_zones).mean()),
        "globalMae": float(np.abs(pg - tg).mean()),
        "exactAgreement": float((rounded == true_zones).mean()),
        "kappaQuadratic": quadratic_kappa(rounded, true_zones),
        "globalPearson": r,
        "n": int(len(true_zones)),
    }
