"""Cross-validation by patient: folds keep patients apart and are the same on every call; the fold loop
collects exactly the held-out rows; bsnet.train's CV runs end to end on tiny synthetic data."""
import csv
import json
from pathlib import Path

import numpy as np

from bsnet.cv import group_folds, out_of_fold, patient_folds, splits, training_mean
from conftest import SHARED, needs_shared


def _patients(rng: np.random.Generator) -> list:
    """Patients with one to four images each, in shuffled order."""
    patients = [f"p{i}" for i in range(40) for _ in range(int(rng.integers(1, 5)))]
    return [patients[i] for i in rng.permutation(len(patients))]


def test_folds_are_patient_disjoint_and_deterministic():
    patients = _patients(np.random.default_rng(3))
    folds = patient_folds(patients)
    assert np.array_equal(folds, patient_folds(list(patients)))              # same folds on every call
    assert np.array_equal(folds, group_folds(patients, 5, 0))                # the released folds: seed 0
    assert not np.array_equal(folds, group_folds(patients, 5, 1))            # the seed matters
    for split in splits(folds):
        train = {p for p, t in zip(patients, split.train) if t}
        test = {p for p, t in zip(patients, split.test) if t}
        assert test and not train & test
        assert np.array_equal(split.train | split.test, np.ones(len(patients), bool))
    assert sorted(set(folds.tolist())) == [0, 1, 2, 3, 4]


@needs_shared
def test_the_brixia_folds_are_the_published_ones(release_dir: Path):
    with open(SHARED / "brixia-public" / "annotations.csv", newline="") as f:
        patients = [r["patient"] for r in csv.DictReader(f)]      # the order load_score_set reads them in
    cv = json.loads((release_dir / "metrics.json").read_text())["cv"]
    assert np.bincount(patient_folds(patients)).tolist() == cv["foldSizes"]


def test_inner_splits_train_only_on_the_given_folds():
    folds = np.arange(20) % 5
    got = list(splits(folds, fold_ids=[0, 1, 2, 3], held_out=[1, 2]))
    assert [s.fold for s in got] == [1, 2]
    for s in got:
        assert not s.train[folds == 4].any() and not s.train[folds == s.fold].any()
        assert s.train[np.isin(folds, [0, 1, 2, 3]) & (folds != s.fold)].all()


def test_out_of_fold_collects_each_held_out_fold_once():
    folds = np.arange(12) % 3
    seen = []

    def predict(split):
        assert not (split.train & split.test).any()
        return np.full((int(split.test.sum()), 6, 4), split.fold + 1.0)

    oof = out_of_fold(folds, predict, after=lambda split, seconds: seen.append(split.fold))
    assert oof.shape == (12, 6, 4) and oof.dtype == np.float32
    assert seen == [0, 1, 2] and np.array_equal(oof[:, 0, 0], folds + 1.0)
    # Resuming: folds already done are skipped and their rows kept.
    earlier = np.zeros((12, 6, 4), np.float32)
    earlier[folds == 1] = 7
    again = out_of_fold(folds, predict, into=earlier, skip=[1])
    assert again is earlier and np.array_equal(again[:, 0, 0], np.where(folds == 1, 7.0, folds + 1.0))


def test_the_mean_predictor_reads_only_the_other_folds():
    folds = np.array([0, 0, 1, 1])
    senior = np.array([[0] * 6, [2] * 6, [3] * 6, [1] * 6])
    assert training_mean(senior, folds).tolist() == [[2.0] * 6, [2.0] * 6, [1.0] * 6, [1.0] * 6]


def test_training_cross_validation_on_tiny_data():
    from bsnet.config import TrainConfig
    from bsnet.data import ScoreSet
    from bsnet.model import BSNet
    from bsnet.stages import attended_taps
    from bsnet.train import cross_validate
    rng = np.random.default_rng(0)
    n = 8
    model = BSNet(128)
    images = rng.random((n, 1, 128, 128)).astype(np.float32)
    taps = attended_taps(model, images, "cpu")
    flipped = attended_taps(model, np.ascontiguousarray(images[..., ::-1]), "cpu")
    senior = rng.integers(0, 4, (n, 6))
    patients = [f"p{k // 2}" for k in range(n)]
    data = ScoreSet([f"i{k}" for k in range(n)], images, senior, senior, senior.sum(1), senior.sum(1), patients)
    cfg = TrainConfig(score_epochs=1, score_batch=4, folds=2)
    logs = []
    report, oof = cross_validate(model, taps, flipped, data, cfg, logs.append)
    assert np.allclose(oof.sum(-1), 1, atol=1e-5)                    # every image held out once
    assert [r["fold"] for r in report["perFold"]] == [0, 1] and report["folds"] == 2
    assert report["foldSizes"] == np.bincount(group_folds(patients, 2, 0)).tolist()
    assert "withoutFlipAverage" in report and sum(m.startswith("fold ") for m in logs) == 2
