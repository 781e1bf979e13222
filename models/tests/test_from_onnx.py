"""A release's network read back from its ONNX file (folded BatchNorms unfolded, int8 dequantised)."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from bsnet.export import export_fp32
from bsnet.from_onnx import load_onnx_weights
from bsnet.golden import case_input
from bsnet.model import BSNet
from bsnet.preprocessing import preprocess

RELEASE_020 = Path(__file__).resolve().parents[1] / "bsnet" / "0.2.0"


def _random_batchnorm_statistics(model: torch.nn.Module) -> None:
    gen = torch.Generator().manual_seed(3)
    for mod in model.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.running_mean.copy_(torch.randn(mod.num_features, generator=gen) * 0.1)
            mod.running_var.copy_(torch.rand(mod.num_features, generator=gen) + 0.5)
            if mod.affine:
                mod.weight.data.copy_(torch.rand(mod.num_features, generator=gen) + 0.5)
                mod.bias.data.copy_(torch.randn(mod.num_features, generator=gen) * 0.1)


def test_recovered_network_computes_what_the_exported_one_did(tmp_path):
    torch.manual_seed(0)
    model = BSNet(128).eval()
    _random_batchnorm_statistics(model)
    path = tmp_path / "m.onnx"
    export_fp32(model, path)
    recovered = load_onnx_weights(path, 128)
    x = torch.rand(2, 1, 512, 512)
    with torch.no_grad():
        want, got = model(x), recovered(x)
    for a, b in zip(want, got):
        assert torch.allclose(a, b, atol=1e-4)


@pytest.mark.skipif(not (RELEASE_020 / "model.onnx").exists(), reason="0.2.0 release absent")
def test_release_020_front_and_heads_reproduce_its_golden_zone_probabilities():
    model = load_onnx_weights(RELEASE_020 / "model.onnx", 256)
    model.flip_average = True
    for case in ("identity_512",):
        doc = json.loads((RELEASE_020 / "golden" / "model" / f"{case}.json").read_text())
        x = torch.from_numpy(preprocess(case_input(case)).astype(np.float32))[None, None]
        with torch.no_grad():
            probs = model(x)[0][0].numpy()
        assert np.abs(probs - np.array(doc["zone_probs_onnx"])).max() < 1e-5
