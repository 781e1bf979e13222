"""Every training stage on tiny synthetic data: losses are finite, heads learn, CV plumbing works."""
import numpy as np
import torch

from bsnet.augment import bbox_theta, compose, invert, random_theta
from bsnet.evaluate import fold_report
from bsnet.model import BSNet
from bsnet.stages import (attended_taps, predict_masks, predict_probs, soft_targets, train_alignment,
                          train_score_heads, train_segmentation, with_flips)


def _synthetic(n, r, rng):
    yy, xx = np.mgrid[0:r, 0:r] / r
    masks = np.zeros((n, 1, r, r), np.float32)
    for i in range(n):
        for cx in (0.3, 0.7):
            masks[i, 0] += ((xx - cx + rng.normal(0, 0.03)) ** 2 / 0.02 + (yy - 0.5) ** 2 / 0.1) < 1
    images = (0.3 + 0.5 * masks + rng.normal(0, 0.05, masks.shape)).astype(np.float32)
    return images, np.clip(masks, 0, 1)


def test_bbox_theta_and_composition():
    m = torch.zeros(1, 1, 64, 64)
    m[..., 16:48, 8:40] = 1
    t = bbox_theta(m)
    assert torch.allclose(t, torch.tensor([[[0.5, 0, -0.25], [0, 0.5, 0.0]]]))
    a = random_theta(4, torch.Generator().manual_seed(0), 15, 0.2, 0.1)
    ident = torch.tensor([[1.0, 0, 0], [0, 1.0, 0]]).expand(4, 2, 3)
    assert torch.allclose(compose(a, invert(a)), ident, atol=1e-5)


def test_all_stages_on_tiny_data():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    logs = []
    model = BSNet(128)
    images, masks = _synthetic(4, 128, rng)
    train_segmentation(model, images, masks, epochs=1, batch=4, lr=1e-3, device="cpu", log=logs.append)
    pred = predict_masks(model, images, "cpu")
    assert pred.shape == masks.shape and np.isfinite(pred).all()
    train_alignment(model, pred, masks, steps=20, batch=4, lr=1e-3, device="cpu", log=logs.append)
    taps = attended_taps(model, images, "cpu")
    flipped = attended_taps(model, np.ascontiguousarray(images[..., ::-1]), "cpu")
    assert [t.shape[1:] for t in taps] == [(64, 32, 32), (128, 16, 16), (256, 8, 8), (512, 4, 4)]
    senior = rng.integers(0, 4, (4, 6))
    x, y = with_flips(taps, flipped, soft_targets(senior, senior, 0.3))
    assert y.shape == (8, 6, 4)
    train_score_heads(model, x, y, epochs=15, batch=8, lr=5e-3, weight_decay=0.0, mae_weight=1.0,
                      device="cpu", log=logs.append)
    losses = [float(line.split("loss ")[1]) for line in logs if line.startswith("score epoch")]
    assert len(losses) == 3 and losses[-1] < 0.8 * losses[0]  # the heads fit 8 samples: training works
    probs = predict_probs(model, x, "cpu")
    assert probs.shape == (8, 6, 4) and np.allclose(probs.sum(-1), 1, atol=1e-5)
    rep = fold_report(probs[:4], senior, senior.sum(1), senior, senior.sum(1), np.full((4, 6), 1.5))
    assert rep["junior"]["zoneMae"] == 0 and rep["meanPredictor"]["zoneMae"] > 0
    assert any(line.startswith("seg epoch") for line in logs) and any(line.startswith("score epoch") for line in logs)


def test_whole_network_finetuning_moves_the_encoder_and_keeps_the_front_frozen():
    from bsnet.finetune import finetune_whole, predict_whole, with_flipped_images
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    logs = []
    model = BSNet(128)
    images, _ = _synthetic(4, 128, rng)
    senior = rng.integers(0, 4, (4, 6))
    both, y = with_flipped_images(images, soft_targets(senior, None, 0.0))
    assert both.shape == (8, 1, 128, 128) and np.array_equal(both[4:], images[..., ::-1])
    encoder_before = {k: v.clone() for k, v in model.encoder.state_dict().items()}
    decoder_before = {k: v.clone() for k, v in model.decoder.state_dict().items()}
    finetune_whole(model, both, y, epochs=2, batch=4, encoder_lr=1e-3, head_lr=1e-3, weight_decay=0.0,
                   mae_weight=1.0, device="cpu", log=logs.append, crop_jitter=0.1, gamma_jitter=0.2)
    assert len([line for line in logs if line.startswith("finetune epoch")]) == 2
    enc = model.encoder.state_dict()
    assert not torch.equal(enc["stem.weight"], encoder_before["stem.weight"])
    # BatchNorm statistics stay those of the pre-trained front; the decoder is not trained at all.
    assert torch.equal(enc["stem_bn.running_mean"], encoder_before["stem_bn.running_mean"])
    assert all(torch.equal(v, decoder_before[k]) for k, v in model.decoder.state_dict().items())
    probs = predict_whole(model, images, "cpu")
    assert probs.shape == (4, 6, 4) and np.allclose(probs.sum(-1), 1, atol=1e-5)


def test_median_score_is_the_least_absolute_error_decision():
    from bsnet.evaluate import median_score
    probs = np.array([[0.4, 0.05, 0.05, 0.5], [0.6, 0.2, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25]])
    assert median_score(probs).tolist() == [2, 0, 1]
    expected_error = [(probs[0] * np.abs(np.arange(4) - k)).sum() for k in range(4)]
    assert int(np.argmin(expected_error)) == 2  # not the arg-max (3)
