"""Optional checks on the shared data (skipped when ../shared is absent)."""
import numpy as np

from bsnet.cv import group_folds
from bsnet.data import load_score_set
from conftest import SHARED, needs_shared


@needs_shared
def test_brixia_labels_and_patient_folds():
    data = load_score_set(128, SHARED)
    assert data.images.shape == (140, 1, 128, 128)
    assert data.senior.shape == (140, 6) and data.senior.min() >= 0 and data.senior.max() <= 3
    assert 0 <= data.images.min() and data.images.max() <= 1
    folds = group_folds(data.patients, 5)
    for f in range(5):
        train = {p for p, k in zip(data.patients, folds) if k != f}
        test = {p for p, k in zip(data.patients, folds) if k == f}
        assert not train & test
    assert np.bincount(folds).min() >= 20
