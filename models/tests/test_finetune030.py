"""Stage 3b (layer4 + linear ordinal heads) on tiny synthetic data: the cached front features, that the
frozen parts stay frozen and layer4 learns, and that the early-stopping choice reads only the inner split."""
import copy
from dataclasses import replace

import numpy as np
import pytest
import torch
from torch import nn

from bsnet.descriptors import region_descriptors, view_images
from bsnet.finetune030 import (FROZEN_DIM, BASE_HEAD, DeepStage, FinetuneConfig, FrontFeatures, Problem, choose,
                               front_features_of_view, inner_split, predict_flip_averaged, run_fold,
                               stage3a_heads, train_jointly)
from bsnet.model import BSNet
from bsnet.semi import soft_zone_targets

N = 10   # two images per fold
TINY = FinetuneConfig(head=replace(BASE_HEAD, steps=20, normal=0.1), stage_lrs=(1e-3,), max_epochs=2, every=1,
                      batch=4, normal_batch=2)


@pytest.fixture(scope="module")
def front():
    torch.manual_seed(0)
    model = BSNet(128)
    # A narrow stand-in for layer4 (same shapes, a BatchNorm and a strided 1x1 conv) keeps the test fast;
    # DeepStage copies whatever the encoder's last stage is.
    model.encoder.layers[3] = nn.Sequential(nn.BatchNorm2d(256), nn.Conv2d(256, 512, 1, 2, bias=False))
    model.eval()
    images = torch.rand(N + 2, 1, 128, 128, generator=torch.Generator().manual_seed(1)).numpy()
    views = [front_features_of_view(model, view_images(images, v, 0)) for v in ("identity", "mirror")]
    feats = FrontFeatures(**{k: torch.stack([torch.from_numpy(v[k]) for v in views], 1) for k in views[0]})
    return model, images, feats.rows(np.arange(N)), feats.rows(np.arange(N, N + 2))


def _labels(seed: int = 2):
    rng = np.random.default_rng(seed)
    senior = rng.integers(0, 4, (N, 6))
    return senior, senior.copy()


def _problem(front, senior, junior, cfg=TINY) -> Problem:
    model, _, feats, normal = front
    folds = np.repeat(np.arange(5), 2)
    return Problem(feats, soft_zone_targets(senior, junior, 0.3), senior, folds, normal, DeepStage(model), cfg)


def test_front_features_shapes_and_the_deep_stage_reproduces_tap3(front):
    model, images, feats, _ = front
    assert feats.stage_input.shape == (N, 2, 256, 8, 8)
    assert feats.aligned_mask.shape == (N, 2, 1, 4, 4)
    assert feats.theta.shape == (N, 2, 2, 3)
    assert feats.frozen.shape == (N, 2, 6, FROZEN_DIM) and feats.deep_frozen.shape == (N, 2, 6, 512)
    assert feats.descriptors().shape == (N, 2, 1, 6, 960)
    # The 960 are taps 0-2 then tap 3, as descriptors.region_descriptors concatenates them.
    x = torch.from_numpy(images[:3])
    skips, mask = model.segment(x)
    full = region_descriptors(model, model.attend(skips[1:], mask, model.alignment(mask)))
    assert torch.allclose(full[..., :FROZEN_DIM], feats.frozen[:3, 0], atol=1e-5)
    stage = DeepStage(model)
    with torch.no_grad():
        deep = stage(feats.stage_input[:, 0], feats.aligned_mask[:, 0], feats.theta[:, 0])
    assert torch.allclose(deep, feats.deep_frozen[:, 0], atol=1e-5)


def test_joint_training_changes_layer4_and_heads_only(front):
    model, _, feats, normal = front
    senior, junior = _labels()
    targets = soft_zone_targets(senior, junior, 0.3)
    stage = DeepStage(model)
    before_stage = copy.deepcopy(stage.state_dict())
    before_model = copy.deepcopy(model.state_dict())
    frozen = feats.frozen.clone()
    heads = stage3a_heads(TINY.head, feats, targets, normal, 0)
    before_heads = copy.deepcopy(heads.state_dict())
    train_jointly(stage, heads, feats, targets, normal, TINY, 1e-3, 2, 0)
    after = stage.state_dict()
    conv = [k for k, m in stage.named_modules() if isinstance(m, nn.Conv2d)]
    conv = [f"{k}.weight" for k in conv]
    assert conv and all(not torch.equal(after[k], before_stage[k]) for k in conv)
    # BatchNorm statistics stay the pretrained ones (eval mode throughout).
    stats = [k for k in after if k.endswith(("running_mean", "running_var"))]
    assert stats and all(torch.equal(after[k], before_stage[k]) for k in stats)
    assert not torch.equal(heads.weight, before_heads["weight"])
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in before_model.items())   # the front itself
    assert torch.equal(frozen, feats.frozen)
    assert predict_flip_averaged(stage, heads, feats).shape == (N, 6, 4)


def test_inner_split_never_touches_the_outer_fold():
    folds = np.repeat(np.arange(5), 3)
    for outer in range(5):
        train, held = inner_split(folds, outer)
        assert not (train & held).any()
        assert not ((train | held) & (folds == outer)).any()
        assert (train | held | (folds == outer)).all()


def test_choose_prefers_fewer_epochs_then_the_lower_rate_on_ties():
    curves = {1e-4: {0: 0.7, 2: 0.6, 4: 0.6}, 3e-5: {0: 0.7, 2: 0.65, 4: 0.6}}
    assert choose(curves) == (1e-4, 2)
    assert choose({1e-4: {0: 0.5, 2: 0.5}, 3e-5: {0: 0.5, 2: 0.5}}) == (3e-5, 0)


def test_early_stopping_choice_reads_only_the_inner_split(front):
    senior, junior = _labels()
    base = run_fold(_problem(front, senior, junior), outer=0)
    assert set(base["innerCurves"][1e-3]) == {0, 1, 2}
    # Other labels on the outer fold: the inner curves and the choice do not move.
    s2, j2 = senior.copy(), junior.copy()
    s2[:2], j2[:2] = (senior[:2] + 2) % 4, (junior[:2] + 1) % 4
    other = run_fold(_problem(front, s2, j2), outer=0)
    assert other["innerCurves"] == base["innerCurves"]
    assert (other["chosenLr"], other["chosenEpochs"]) == (base["chosenLr"], base["chosenEpochs"])
    # Other labels on the inner held-out fold (fold 1) do move the curve (a positive control).
    s3 = senior.copy()
    s3[2:4] = (senior[2:4] + 2) % 4
    moved = run_fold(_problem(front, s3, junior), outer=0)
    assert moved["innerCurves"] != base["innerCurves"]


def test_the_committed_summary_renders_in_the_model_card_section():
    from bsnet.experiments_card import _stage3b_section
    from bsnet.finetune030 import summary_document
    arm = {"zoneMae": 0.6, "globalMae": 3.0, "exactAgreement": 0.5, "kappaQuadratic": 0.5,
           "perFoldZoneMae": {"0": 0.6}, "eceMedianDecision": 0.1}
    diff = {"mean": -0.01, "ci95": [-0.05, 0.03], "probabilityBelowZero": 0.7, "patients": 17, "rounds": 10}
    report = {"config": {**{k: getattr(TINY, k) for k in TINY.__dataclass_fields__ if k != "head"},
                         "head": {"normal": 0.1}},
              "arms": {"stage3b": arm, "stage3a": arm},
              "paired": {"stage3b-vs-stage3a": {"zoneMaeDifference": diff, "globalMaeDifference": diff}},
              "folds": [{"fold": 0, "innerHeldFold": 1, "chosenLr": 1e-3, "chosenEpochs": 2,
                         "innerCurves": {"0.001": {"0": 0.7, "2": 0.6}}, "outerCurveVisibilityOnly": {"0": 0.6},
                         "cpuSeconds": 1.0}],
              "descriptorCheck": {"compared": False}, "frontCpuSeconds": 60.0, "cpuSeconds": 120.0}
    text = "\n".join(_stage3b_section(summary_document(report)))
    assert "| stage 3b" in text and "chose lr 0.001, 2 epochs" in text and "2.0 CPU-min" in text
