import numpy as np

from bsnet.cv import group_folds
from bsnet.metrics import agreement, quadratic_kappa


def test_kappa_perfect_and_chance():
    a = np.array([0, 1, 2, 3, 2, 1])
    assert quadratic_kappa(a, a) == 1.0
    assert quadratic_kappa(a, 3 - a) < 0


def test_agreement_values():
    true = np.array([[0, 1, 2, 3, 0, 0]])
    pred = np.array([[1, 1, 2, 2, 0, 0]])
    m = agreement(pred, true)
    assert m["zoneMae"] == 2 / 6 and m["globalMae"] == 0 and abs(m["exactAgreement"] - 4 / 6) < 1e-12


def test_group_folds_keep_patients_together_and_balance():
    groups = [f"p{i // 3}" for i in range(30)] + [f"q{i}" for i in range(20)]
    folds = group_folds(groups, 5, seed=1)
    for g in set(groups):
        assert len({folds[i] for i, x in enumerate(groups) if x == g}) == 1
    counts = np.bincount(folds, minlength=5)
    assert counts.max() - counts.min() <= 3
