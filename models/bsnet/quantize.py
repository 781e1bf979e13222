"""Int8 weight-only quantisation of an ONNX graph: per-output-channel symmetric scales.

Each Conv / ConvTranspose / Gemm / MatMul weight initializer becomes an int8 initializer plus a
DequantizeLinear node (axis = the output-channel axis), so the file shrinks about 4x while every kernel
still runs in float (the WebGPU provider executes DequantizeLinear; shared/device/README.md).
"""
from typing import Dict, Tuple

import numpy as np
import onnx
from onnx import helper, numpy_helper

MIN_ELEMENTS = 256  # tiny tensors (biases, 1-channel kernels) stay float: no size gain, needless error


def _weight_axis(node: onnx.NodeProto, input_index: int) -> int:
    """Output-channel axis of the weight consumed at input_index, or -1 when it is not a weight."""
    if node.op_type == "Conv" and input_index == 1:
        return 0
    if node.op_type == "ConvTranspose" and input_index == 1:
        return 1
    if node.op_type == "Gemm" and input_index == 1:
        trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
        return 0 if trans_b else 1
    if node.op_type == "MatMul" and input_index == 1:
        return 1
    return -1


def quantize_per_channel(w: np.ndarray, axis: int) -> Tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 with one scale per slice along axis: q = round(w / s), s = max|w| / 127."""
    moved = np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1)
    scale = np.abs(moved).max(axis=1) / 127.0
    scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
    shape = [1] * w.ndim
    shape[axis] = -1
    q = np.clip(np.round(w / scale.reshape(shape)), -127, 127).astype(np.int8)
    return q, scale


def quantize_model(model: onnx.ModelProto) -> Tuple[onnx.ModelProto, Dict[str, int]]:
    """Returns the quantised model (a copy) and a count of quantised tensors per op type."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    targets: Dict[str, int] = {}
    op_of: Dict[str, str] = {}
    for node in graph.node:
        for idx, name in enumerate(node.input):
            axis = _weight_axis(node, idx)
            if axis < 0 or name not in inits:
                continue
            if name in targets and targets[name] != axis:
                raise ValueError(f"weight {name} used with two different channel axes")
            targets[name] = axis
            op_of[name] = node.op_type
    counts: Dict[str, int] = {}
    new_nodes = []
    for name, axis in targets.items():
        w = numpy_helper.to_array(inits[name])
        if w.dtype != np.float32 or w.size < MIN_ELEMENTS:
            continue
        q, scale = quantize_per_channel(w, axis)
        graph.initializer.remove(inits[name])
        graph.initializer.extend([
            numpy_helper.from_array(q, name + "_int8"),
            numpy_helper.from_array(scale, name + "_scale"),
            numpy_helper.from_array(np.zeros_like(scale, dtype=np.int8), name + "_zero_point"),
        ])
        new_nodes.append(helper.make_node(
            "DequantizeLinear", [name + "_int8", name + "_scale", name + "_zero_point"], [name],
            name=name + "_dequantize", axis=axis,
        ))
        counts[op_of[name]] = counts.get(op_of[name], 0) + 1
    # Dequantize nodes first keeps the graph topologically sorted.
    nodes = new_nodes + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    return model, counts
