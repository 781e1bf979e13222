import shutil

import numpy as np
import onnx
import pytest
import torch

from bsnet import MODEL_VERSION
from bsnet.export import FORBIDDEN_OPS, OUTPUT_NAMES, export_fp32, max_diffs, torch_outputs
from bsnet.model import BSNet
from bsnet.onnx_check import run_onnx

has_node = shutil.which("node") is not None


@pytest.fixture(scope="module", params=[False, True], ids=["single-pass", "flip-averaged"])
def exported(request, tmp_path_factory):
    torch.manual_seed(1)
    model = BSNet(128, flip_average=request.param).eval()
    path = tmp_path_factory.mktemp("onnx") / "m.onnx"
    proto = export_fp32(model, path)
    return model, path, proto


def test_graph_is_opset17_with_metadata_and_webgpu_friendly_ops(exported):
    _, _, proto = exported
    onnx.checker.check_model(proto)
    assert proto.opset_import[0].version == 17
    meta = {p.key: p.value for p in proto.metadata_props}
    assert meta == {"model_version": MODEL_VERSION, "preprocessing_id": "bsnet-v1", "zone_order": "A,B,C,D,E,F"}
    ops = {n.op_type for n in proto.graph.node}
    assert not ops & FORBIDDEN_OPS
    assert "GridSample" in ops
    assert [o.name for o in proto.graph.output] == OUTPUT_NAMES
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "N"


@pytest.mark.skipif(not has_node, reason="node not installed")
def test_onnxruntime_node_matches_torch_with_dynamic_batch(exported):
    model, path, _ = exported
    images = np.random.default_rng(0).random((2, 1, 512, 512)).astype(np.float32)
    outs, _ = run_onnx(path, images)
    diffs = max_diffs(torch_outputs(model, images), outs)
    assert max(diffs.values()) < 1e-4, diffs
