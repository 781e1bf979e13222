"""Score-stage recipes fitted on training images only: the severity maps, pseudo-labels, the second stage,
the candidate grid, the 0.2.0 re-run's recipe and the descriptor pass that also keeps the taps."""
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from bsnet.cv030 import Problem, candidate_grid, zone_mae
from bsnet.descriptors import DESCRIPTOR_DIM, ImageFolder, describe, load_folder_images
from bsnet.model import BSNet
from bsnet.oof020 import recipe_020
from bsnet.recipes import SecondStage, Severity, fit_recipe, fit_second_stage, linear_map, quantile_map
from bsnet.semi import Extras, HeadConfig, zone_loss_per_zone
from bsnet.stages import attended_taps
from bsnet.zones import FLIP_PERMUTATION


def _synthetic(n: int, gen: torch.Generator, views: int = 2):
    """Descriptors whose first feature encodes each zone's score; odd views are mirrors."""
    labels = torch.randint(0, 4, (n, 6), generator=gen)
    desc = torch.zeros(n, views, 2, 6, DESCRIPTOR_DIM)
    desc[..., :8] = torch.randn(n, views, 2, 6, 8, generator=gen) * 0.5
    for v in range(views):
        lab = labels[:, list(FLIP_PERMUTATION)] if v % 2 else labels
        desc[:, v, :, :, 0] += lab[:, None].float() * 2
    return desc.half(), labels


def test_quantile_map_is_monotone_and_reads_the_training_distribution():
    train_global = np.array([0, 2, 4, 6, 8, 10, 12, 14, 16, 18], dtype=np.float32)
    severity_sum = np.array([5.0, 1.0, 3.0, 3.0, 9.0, 0.0])
    mapped = quantile_map(train_global, severity_sum)
    order = np.argsort(severity_sum, kind="stable")
    assert np.all(np.diff(mapped[order]) >= 0)
    assert mapped[2] == mapped[3]                       # ties share one value
    assert mapped.min() >= 0 and mapped.max() <= 18
    # The same distribution on both sides maps (nearly) onto itself.
    same = quantile_map(np.arange(101, dtype=np.float32), np.arange(101.0))
    assert np.abs(same - np.arange(101)).max() < 1.0


def test_linear_map_recovers_a_linear_relation():
    rng = np.random.default_rng(0)
    g, o = rng.uniform(0, 8, 50), rng.uniform(0, 8, 50)
    fitted, coef = linear_map(1.1 * g + 0.9 * o + 0.5, g, o)
    assert np.allclose(coef, [1.1, 0.9, 0.5], atol=1e-6)
    assert fitted.max() <= 18


def test_second_stage_starts_as_the_identity_and_learns_a_cross_zone_correction():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(4), size=(30, 6)).astype(np.float32)
    stage = SecondStage()
    with torch.no_grad():
        out = stage(torch.from_numpy(p)).numpy()
    renorm = (p + 1e-3) / (p + 1e-3).sum(-1, keepdims=True)
    assert np.allclose(out, renorm, atol=1e-5)
    # Zone A's truth is zone D's most likely score: only the second stage can read it from D.
    truth = p.argmax(-1)
    truth[:, 0] = truth[:, 3]
    targets = torch.eye(4)[torch.from_numpy(truth)]
    fitted = fit_second_stage(p, targets, l2=0.01, mae_weight=1.0, steps=400, lr=0.05)
    with torch.no_grad():
        got = fitted(torch.from_numpy(p)).numpy().argmax(-1)
    assert (got[:, 0] == truth[:, 0]).mean() > (p[:, 0].argmax(-1) == truth[:, 0]).mean() + 0.3


def test_pseudo_label_loss_counts_only_the_weighted_zones():
    p = torch.full((1, 2, 6, 4), 0.25)
    target = torch.eye(4)[torch.zeros(1, 2, 6, dtype=torch.long)]
    w = torch.zeros(1, 2, 6)
    assert zone_loss_per_zone(p, target, w, 1.0) == 0
    w[0, 0, 0] = 1
    one = zone_loss_per_zone(p, target, w, 1.0)
    w[0, 1, 3] = 1
    assert torch.isclose(zone_loss_per_zone(p, target, w, 1.0), one)   # a mean over the kept zones


@pytest.mark.parametrize("cfg", [
    HeadConfig(weak=0.3, steps=60, lr=0.05),
    HeadConfig(weak=0.3, severity_map="model", steps=60, lr=0.05),
    HeadConfig(ordinal=True, pseudo=0.5, pseudo_threshold=0.5, steps=60, lr=0.05),
    HeadConfig(second_stage=1.0, steps=60, lr=0.05),
])
def test_every_recipe_learns_zone_scores_on_synthetic_data(cfg):
    gen = torch.Generator().manual_seed(0)
    desc, labels = _synthetic(40, gen)
    sev, sev_labels = _synthetic(20, gen)
    unl, _ = _synthetic(15, gen, views=1)     # an extra set cached without its mirror view
    g = sev_labels.sum(1).numpy() / 2.0
    severity = Severity(g.astype(np.float32), g.astype(np.float32))
    extras = Extras(severity=sev, unlabelled=unl)
    targets = torch.eye(4)[labels]
    groups = np.arange(40) % 3
    fitted = fit_recipe(cfg, desc, targets, labels.sum(1).numpy().astype(np.float32), groups, extras, severity, 1)
    if cfg.weak:
        assert fitted.severity_coef is not None and fitted.severity_coef[:2].sum() > 0
    assert (fitted.second is not None) == bool(cfg.second_stage)
    test_desc, test_labels = _synthetic(30, gen)
    probs = fitted.predict(test_desc)
    assert probs.shape == (30, 6, 4)
    assert (probs.argmax(-1) == test_labels.numpy()).mean() > 0.5


def test_candidate_grid_offers_only_recipes_whose_data_is_cached():
    gen = torch.Generator().manual_seed(0)
    two, _ = _synthetic(4, gen)
    plain = candidate_grid(Extras())
    assert all(not (c.weak or c.normal or c.pseudo or c.consistency) for c in plain)
    assert any(c.second_stage for c in plain)
    full = candidate_grid(Extras(severity=two, unlabelled=two, normal=two))
    labels = [c.label() for c in full]
    assert len(set(labels)) == len(labels)
    assert any(c.pseudo for c in full) and any(c.severity_map == "model" for c in full)
    no_unlabelled = candidate_grid(Extras(severity=two))
    assert not any(c.pseudo or c.consistency or c.normal for c in no_unlabelled)
    assert any(c.weak for c in no_unlabelled)


def test_problem_oof_fills_only_the_held_out_folds():
    gen = torch.Generator().manual_seed(0)
    desc, labels = _synthetic(30, gen)
    folds = np.arange(30) % 5
    problem = Problem(desc, torch.eye(4)[labels], labels.sum(1).numpy().astype(np.float32), folds, Extras(), None)
    out = problem.oof(HeadConfig(steps=40, lr=0.05), [0, 1, 2, 3], 0, held_out=[1])
    assert np.all(out[folds != 1] == 0)
    assert np.allclose(out[folds == 1].sum(-1), 1, atol=1e-5)
    assert zone_mae(out[folds == 1], labels.numpy()[folds == 1]) < 1.0


def test_recipe_020_is_the_released_score_stage():
    args = recipe_020()
    assert args.score_epochs == 30 and args.folds == 5 and args.flip_average and args.finetune_epochs == 0
    assert args.device == "cpu"


def test_the_descriptor_pass_keeps_the_same_taps_as_the_training_front():
    model = BSNet(128).eval()
    images = np.random.default_rng(0).random((3, 1, 128, 128)).astype(np.float32)
    taps = [[], [], [], []]
    desc = describe(model, images, 1, 0, ["identity"], batch=2, taps_out=taps)
    assert desc.shape == (3, 1, 2, 6, DESCRIPTOR_DIM)
    want = attended_taps(model, images, "cpu")
    for k in range(4):
        got = np.concatenate(taps[k])
        assert got.dtype == np.float16 and got.shape == want[k].shape
        assert np.allclose(got, want[k], atol=2e-3 * max(1.0, np.abs(want[k]).max()))


def test_folder_images_are_read_under_their_listed_names(tmp_path: Path, monkeypatch):
    import bsnet.descriptors as descriptors
    monkeypatch.setattr(descriptors, "CACHE", tmp_path / "cache")
    (tmp_path / "imgs").mkdir()
    Image.fromarray(np.full((512, 512), 90, np.uint8)).save(tmp_path / "imgs" / "a.jpg", quality=92)
    Image.fromarray(np.full((512, 512), 30, np.uint8)).save(tmp_path / "imgs" / "b.png")
    images = load_folder_images(tmp_path, ImageFolder("mixed", "", "imgs"), ["a.jpg", "b.png"], 128)
    assert images.shape == (2, 1, 128, 128)


def test_the_020_rerun_saves_each_fold_and_resumes(tmp_path: Path):
    from bsnet.config import TrainConfig
    from bsnet.data import ScoreSet
    from bsnet.oof020 import run_folds
    rng = np.random.default_rng(0)
    n = 8
    model = BSNet(128)
    images = rng.random((n, 1, 128, 128)).astype(np.float32)
    taps = attended_taps(model, images, "cpu")
    flipped = attended_taps(model, np.ascontiguousarray(images[..., ::-1]), "cpu")
    senior = rng.integers(0, 4, (n, 6))
    data = ScoreSet([f"i{k}" for k in range(n)], images, senior, senior, senior.sum(1), senior.sum(1),
                    [f"p{k}" for k in range(n)])
    args = TrainConfig(score_epochs=1, score_batch=4, score_lr=2e-3, score_wd=1e-2, mae_weight=1.0,
                       junior_weight=0.3, crop_jitter=0.1, finetune_epochs=0, flip_average=True, folds=2,
                       seed=0, device="cpu")
    logs = []
    (tmp_path / "folds_done.json").write_text("[1]")      # fold 1 "done" by an earlier invocation
    report = run_folds(model, taps, flipped, data, args, tmp_path, logs.append)
    assert report["foldsDone"] == [0, 1]
    assert sum("fold 0" in m for m in logs) == 1 and not any("fold 1:" in m for m in logs)
    oof = np.load(tmp_path / "oof_probs.npy")
    trained = oof.reshape(n, -1).sum(1) > 0
    assert trained.sum() == n // 2                         # only fold 0's images were fitted this time
    assert np.allclose(oof[trained].sum(-1), 1, atol=1e-5)


def test_test_time_views_share_the_flip_recipe_fit():
    gen = torch.Generator().manual_seed(0)
    desc, labels = _synthetic(30, gen)
    folds = np.arange(30) % 5
    problem = Problem(desc, torch.eye(4)[labels], labels.sum(1).numpy().astype(np.float32), folds, Extras(), None)
    train = folds != 0
    flip = problem.fit(HeadConfig(steps=20), train, 3)
    views = problem.fit(HeadConfig(steps=20, tta="views"), train, 3)
    assert views.heads is flip.heads and views.tta == "views" and flip.tta == "flip"
    assert not np.allclose(views.predict(desc[~train]), flip.predict(desc[~train]))
    grid = candidate_grid(Extras())
    assert {c.tta for c in grid} == {"flip", "views"}
    assert len(grid) == 2 * sum(c.tta == "flip" for c in grid)
