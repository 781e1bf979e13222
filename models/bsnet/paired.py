"""Paired comparison of two sets of out-of-fold zone probabilities on the same images, and calibration.

The difference in zone MAE (candidate - baseline, median decision) is bootstrapped over patients (all of a
patient's images resampled together), so the interval reflects the patient-level dependence of the folds.
Calibration: expected calibration error (ECE, 10 equal-width bins) of the probability the service
publishes as confidence, the probability of the decided score, against whether that score equals the
senior radiologist's.
"""
from typing import Dict, Sequence

import numpy as np

from .evaluate import median_score


def per_image_zone_mae(probs: np.ndarray, senior: np.ndarray) -> np.ndarray:
    return np.abs(median_score(probs) - senior).mean(1)


def per_image_global_ae(probs: np.ndarray, senior: np.ndarray) -> np.ndarray:
    return np.abs(median_score(probs).sum(1) - senior.sum(1)).astype(np.float64)


def bootstrap_by_patient(values: np.ndarray, patients: Sequence[str], rounds: int = 5000,
                         seed: int = 0) -> Dict[str, float]:
    """Mean of per-image values with a 95 % percentile interval, resampling patients."""
    ids = sorted(set(patients))
    index = {p: i for i, p in enumerate(ids)}
    pid = np.array([index[p] for p in patients])
    sums = np.bincount(pid, weights=values, minlength=len(ids))
    counts = np.bincount(pid, minlength=len(ids)).astype(np.float64)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(ids), size=(rounds, len(ids)))
    means = sums[draws].sum(1) / counts[draws].sum(1)
    return {"mean": float(values.mean()), "ci95": [float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))],
            "probabilityBelowZero": float((means < 0).mean()), "patients": len(ids), "rounds": rounds}


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    confidence, correct = confidence.ravel(), correct.ravel().astype(np.float64)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        sel = which == b
        if sel.any():
            ece += sel.mean() * abs(confidence[sel].mean() - correct[sel].mean())
    return float(ece)


def calibration(probs: np.ndarray, senior: np.ndarray) -> Dict[str, float]:
    """ECE of the decided score's probability (median decision, what the service publishes) and of the
    arg-max probability."""
    med = median_score(probs)
    p_med = np.take_along_axis(probs, med[..., None], -1)[..., 0]
    top = probs.argmax(-1)
    return {"eceMedianDecision": expected_calibration_error(p_med, med == senior),
            "eceArgmax": expected_calibration_error(probs.max(-1), top == senior),
            "meanConfidenceMedian": float(p_med.mean()), "accuracyMedian": float((med == senior).mean())}


def paired_report(candidate: np.ndarray, baseline: np.ndarray, senior: np.ndarray, patients: Sequence[str],
                  folds: np.ndarray) -> Dict:
    zone_diff = per_image_zone_mae(candidate, senior) - per_image_zone_mae(baseline, senior)
    global_diff = per_image_global_ae(candidate, senior) - per_image_global_ae(baseline, senior)
    per_fold = []
    for f in sorted(set(folds.tolist())):
        sel = folds == f
        per_fold.append({"fold": int(f), "images": int(sel.sum()),
                         "candidateZoneMae": float(per_image_zone_mae(candidate[sel], senior[sel]).mean()),
                         "baselineZoneMae": float(per_image_zone_mae(baseline[sel], senior[sel]).mean()),
                         "candidateGlobalMae": float(per_image_global_ae(candidate[sel], senior[sel]).mean()),
                         "baselineGlobalMae": float(per_image_global_ae(baseline[sel], senior[sel]).mean())})
    return {"zoneMaeDifference": bootstrap_by_patient(zone_diff, patients),
            "globalMaeDifference": bootstrap_by_patient(global_diff, patients, seed=1),
            "perFold": per_fold,
            "candidateCalibration": calibration(candidate, senior),
            "baselineCalibration": calibration(baseline, senior)}
