"""The 0.3.0 score stage: linear heads on descriptors == the exported per-location heads; fitting; the
paired comparison and calibration."""
import numpy as np
import pytest
import torch

from bsnet.descriptor_heads import ExportedZoneHeads, LinearZoneHeads, RegionPool, ordinal_probs, ordered
from bsnet.descriptors import DESCRIPTOR_DIM, region_descriptors
from bsnet.model import BSNet
from bsnet.paired import bootstrap_by_patient, calibration, expected_calibration_error, paired_report
from bsnet.semi import Extras, HeadConfig, fit_heads, predict, to_image_order
from bsnet.zones import FLIP_PERMUTATION


def _attended(n: int, resolution: int = 128):
    torch.manual_seed(0)
    sizes = [resolution // s for s in (4, 8, 16, 32)]
    return [torch.randn(n, c, s, s) for c, s in zip((64, 128, 256, 512), sizes)]


def test_ordinal_probs_are_a_distribution_that_moves_up_with_the_score():
    t = ordered(torch.tensor([[0.3, -2.0, 1.0]]))
    assert torch.all(t[:, 1:] >= t[:, :-1])
    scores = torch.linspace(-5, 8, 20)[:, None]
    p = ordinal_probs(scores, t)
    assert torch.allclose(p.sum(-1), torch.ones(20), atol=1e-6)
    assert (p >= 0).all()
    expected = (p * torch.arange(4.0)).sum(-1)
    assert torch.all(expected[1:] >= expected[:-1])


@pytest.mark.parametrize("ordinal", [False, True])
def test_exported_heads_give_exactly_the_trained_probabilities(ordinal):
    model = BSNet(128)
    attended = _attended(3)
    trained = LinearZoneHeads(members=3, dim=DESCRIPTOR_DIM, ordinal=ordinal)
    with torch.no_grad():
        trained.weight.normal_(0, 0.05)
        trained.bias.normal_(0, 0.5)
        trained.thresholds.normal_(0, 1)
        trained.mean.normal_(0, 0.1)
        trained.std.uniform_(0.5, 2.0)
    want = trained(region_descriptors(model, attended)).mean(0)
    model.pyramid = RegionPool(model.cam_size)
    model.heads = ExportedZoneHeads(trained)
    logits, cams = model.score(attended)
    assert cams.shape == (3, 6, 4, model.cam_size, model.cam_size)
    assert torch.allclose(torch.softmax(logits, -1), want, atol=1e-5)


def _synthetic(n: int, gen: torch.Generator):
    """Descriptors whose first feature encodes each zone's score (7 more of noise); 4 views x 2 jitters."""
    labels = torch.randint(0, 4, (n, 6), generator=gen)
    desc = torch.zeros(n, 4, 2, 6, DESCRIPTOR_DIM)
    desc[..., :8] = torch.randn(n, 4, 2, 6, 8, generator=gen) * 0.5
    # Views 1 and 3 are mirrors: their region r shows the image's zone FLIP_PERMUTATION[r].
    for v in range(4):
        lab = labels[:, list(FLIP_PERMUTATION)] if v % 2 else labels
        desc[:, v, :, :, 0] += lab[:, None].float() * 2
    return desc.half(), labels


def test_fit_heads_learns_zone_scores_with_every_extra_loss_on():
    gen = torch.Generator().manual_seed(0)
    desc, labels = _synthetic(40, gen)
    extra, extra_labels = _synthetic(20, gen)
    targets = torch.eye(4)[labels]
    extras = Extras(severity=extra, severity_global=extra_labels.sum(1).float(), unlabelled=extra,
                    normal=torch.randn(10, 4, 2, 6, DESCRIPTOR_DIM, generator=gen).half())
    cfg = HeadConfig(ordinal=True, weak=0.3, consistency=1.0, normal=0.1, members=2, steps=60, lr=0.05)
    heads = fit_heads(cfg, desc, targets, extras, seed=1)
    test_desc, test_labels = _synthetic(30, gen)
    probs = predict(heads, test_desc)
    assert probs.shape == (30, 6, 4)
    # Chance is 0.25; 60 steps on 40 noisy images reach ~0.67 here.
    assert (probs.argmax(-1) == test_labels.numpy()).mean() > 0.5


def test_mirrored_views_are_put_back_in_the_image_zone_order():
    p = torch.arange(2 * 1 * 6 * 4, dtype=torch.float32).reshape(2, 1, 6, 4)
    back = to_image_order(p, torch.tensor([[False], [True]]))
    assert torch.equal(back[0], p[0])
    assert torch.equal(back[1], p[1][:, list(FLIP_PERMUTATION)])


def test_paired_bootstrap_and_calibration():
    rng = np.random.default_rng(0)
    senior = rng.integers(0, 4, (50, 6))
    good = np.eye(4)[senior] * 0.9 + 0.025
    bad = np.roll(good, 1, axis=-1)
    patients = [f"p{i // 2}" for i in range(50)]
    rep = paired_report(good, bad, senior, patients, np.arange(50) % 5)
    assert rep["zoneMaeDifference"]["ci95"][1] < 0
    assert len(rep["perFold"]) == 5
    assert rep["candidateCalibration"]["eceMedianDecision"] < 0.15
    same = bootstrap_by_patient(np.zeros(50), patients)
    assert same["ci95"] == [0.0, 0.0]
    # Always 70 % confident and right 70 % of the time: calibrated.
    assert expected_calibration_error(np.full(10, 0.7), np.array([1] * 7 + [0] * 3)) < 1e-9
    assert calibration(good, senior)["accuracyMedian"] == 1.0


def test_test_time_views_average_every_view_in_image_zone_order():
    gen = torch.Generator().manual_seed(0)
    desc, _ = _synthetic(5, gen)   # [N, 4 views, 2 jitters, 6, D]
    heads = fit_heads(HeadConfig(steps=5), desc, torch.eye(4)[torch.zeros(5, 6, dtype=torch.long)], Extras(), seed=0)
    flip = predict(heads, desc)
    views = predict(heads, desc, "views")
    expected = torch.zeros(5, 6, 4)
    for v in range(desc.shape[1]):
        for j in range(desc.shape[2]):
            with torch.no_grad():
                p = heads(desc[:, v, j].float()).mean(0)
            expected += p[:, list(FLIP_PERMUTATION)] if v % 2 else p
    assert np.allclose(views, (expected / (desc.shape[1] * desc.shape[2])).numpy(), atol=1e-6)
    assert np.allclose(views.sum(-1), 1, atol=1e-5)
    assert not np.allclose(views, flip)
    with pytest.raises(ValueError):
        predict(heads, desc, "rotations")
