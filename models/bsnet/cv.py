"""Cross-validation by patient: fold assignment, the fold loop and the out-of-fold collection.

Every cross-validated figure of the Brixia score (bsnet.train, bsnet.oof020, bsnet.cv030) uses the same
five folds, `patient_folds(patients)`: all images of a patient share a fold, so no patient is ever in
both the training and the held-out part of a split.
"""
import time
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, Iterator, Optional, Sequence

import numpy as np

FOLDS = 5
FOLD_SEED = 0
ZONE_PROBS = (6, 4)   # one out-of-fold row per image: six zones x four scores


def group_folds(groups: Sequence[str], k: int, seed: int = 0) -> np.ndarray:
    """Fold index per item; all items of a group share a fold; folds balanced by item count."""
    rng = np.random.default_rng(seed)
    unique = sorted(set(groups))
    order = rng.permutation(len(unique))
    sizes: Dict[str, int] = {}
    for g in groups:
        sizes[g] = sizes.get(g, 0) + 1
    # Largest groups first (stable within equal sizes by the seeded order), each to the emptiest fold.
    ranked = sorted((unique[i] for i in order), key=lambda g: -sizes[g])
    fold_of: Dict[str, int] = {}
    load = [0] * k
    for g in ranked:
        f = int(np.argmin(load))
        fold_of[g] = f
        load[f] += sizes[g]
    return np.array([fold_of[g] for g in groups], dtype=np.int64)


def patient_folds(patients: Sequence[str], k: int = FOLDS, seed: int = FOLD_SEED) -> np.ndarray:
    """The Brixia cross-validation folds (what 0.2.0 and every later experiment are scored on)."""
    return group_folds(patients, k, seed)


@dataclass(frozen=True)
class Split:
    """One fold held out: boolean masks over the images."""
    fold: int
    train: np.ndarray
    test: np.ndarray


def splits(folds: np.ndarray, fold_ids: Optional[Iterable[int]] = None,
           held_out: Optional[Iterable[int]] = None) -> Iterator[Split]:
    """Each fold of held_out (default: all of fold_ids) held out in turn, trained on the other folds of
    fold_ids (default: every fold; images of folds outside fold_ids are in neither part)."""
    ids = list(range(int(folds.max()) + 1) if fold_ids is None else fold_ids)
    pool = np.isin(folds, ids)
    for f in (ids if held_out is None else held_out):
        yield Split(f, pool & (folds != f), folds == f)


def out_of_fold(folds: np.ndarray, predict: Callable[[Split], np.ndarray],
                fold_ids: Optional[Iterable[int]] = None, held_out: Optional[Iterable[int]] = None,
                into: Optional[np.ndarray] = None, skip: Iterable[int] = (),
                after: Callable[[Split, float], None] = lambda split, seconds: None) -> np.ndarray:
    """The held-out predictions of every split, collected into one array (float32 [N,6,4], zero where no
    split held an image out; `into` continues an earlier array in place). predict(split) fits on
    split.train and returns the predictions for split.test; after(split, seconds) runs once a split's rows
    are in (to save, report or log); folds in skip are left as they are."""
    oof = np.zeros((len(folds),) + ZONE_PROBS, dtype=np.float32) if into is None else into
    done = set(skip)
    for split in splits(folds, fold_ids, held_out):
        if split.fold in done:
            continue
        t0 = time.time()
        oof[split.test] = predict(split)
        after(split, time.time() - t0)
    return oof


def training_mean(senior: np.ndarray, folds: np.ndarray, fold_ids: Optional[Iterable[int]] = None) -> np.ndarray:
    """The mean predictor: each image gets the mean senior zone scores of the other folds [N,6]."""
    mean = np.zeros(senior.shape, dtype=np.float64)
    for split in splits(folds, fold_ids):
        mean[split.test] = senior[split.train].mean(0)
    return mean
