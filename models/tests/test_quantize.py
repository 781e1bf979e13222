import numpy as np
import onnx
import torch

from bsnet.quantize import quantize_model, quantize_per_channel


def test_per_channel_error_within_half_a_step():
    w = np.random.default_rng(0).normal(size=(8, 4, 3, 3)).astype(np.float32)
    w[3] *= 100  # one loud channel must not coarsen the others
    q, scale = quantize_per_channel(w, 0)
    assert q.dtype == np.int8 and scale.shape == (8,)
    err = np.abs(q * scale[:, None, None, None] - w)
    assert np.all(err <= scale[:, None, None, None] / 2 + 1e-7)


def test_quantised_graph_has_int8_initializers_and_dequantize(tmp_path):
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 16, 5), torch.nn.ConvTranspose2d(16, 8, 4, 2), torch.nn.Flatten(),
                              torch.nn.Linear(8 * 12 * 12, 4))
    torch.onnx.export(net, torch.zeros(1, 1, 9, 9), str(tmp_path / "m.onnx"), opset_version=17)
    q, counts = quantize_model(onnx.load(str(tmp_path / "m.onnx")))
    onnx.checker.check_model(q)
    assert counts == {"ConvTranspose": 1, "Gemm": 1, "Conv": 1}
    ops = [n.op_type for n in q.graph.node]
    assert ops.count("DequantizeLinear") == 3
    int8 = [t for t in q.graph.initializer if t.data_type == onnx.TensorProto.INT8 and t.name.endswith("_int8")]
    assert len(int8) == 3
    deq = {n.output[0]: n for n in q.graph.node if n.op_type == "DequantizeLinear"}
    conv_t = next(n for n in q.graph.node if n.op_type == "ConvTranspose")
    axis = next(a.i for a in deq[conv_t.input[1]].attribute if a.name == "axis")
    assert axis == 1  # ConvTranspose weights are [in, out, kh, kw]
