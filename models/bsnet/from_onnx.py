"""Recover a PyTorch BSNet from a released ONNX file (its weights, dequantised).

A release keeps only `model.onnx` (no PyTorch checkpoint is committed). The exporter folds every
Conv -> BatchNorm pair into one Conv with a bias (constant folding), and int8 weights are stored with a
DequantizeLinear scale. This rebuilds an equivalent network: the folded convolution gets the folded
weight, its BatchNorm becomes an identity carrying the folded bias (mean 0, variance 1 - eps, scale 1), so
re-exporting folds back to the same numbers. Used to keep the frozen front of a release (stages 1-2)
when training the next release's score stage on it.
"""
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import onnx
from onnx import numpy_helper
import torch
from torch import nn

from .model import BSNet


def _initializers(proto: onnx.ModelProto) -> Dict[str, np.ndarray]:
    """Every initializer as float32, int8 weights dequantised (q * per-channel scale)."""
    raw = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}
    out = {k: v for k, v in raw.items() if not k.endswith(("_int8", "_scale", "_zero_point"))}
    for node in proto.graph.node:
        if node.op_type == "DequantizeLinear" and node.input[0] in raw:
            q, scale = raw[node.input[0]].astype(np.float32), raw[node.input[1]]
            axis = next((a.i for a in node.attribute if a.name == "axis"), 1)
            shape = [1] * q.ndim
            shape[axis] = -1
            out[node.output[0]] = q * scale.reshape(shape)
    return out


def _folded_pairs(model: nn.Module, names: Dict[str, np.ndarray]) -> List[Tuple[str, str]]:
    """(conv module, batchnorm module) pairs whose parameters the exporter folded away, in module order."""
    pairs, pending = [], None
    for name, mod in model.named_modules():
        if isinstance(mod, nn.Conv2d) and f"{name}.weight" not in names:
            pending = name
        elif isinstance(mod, nn.BatchNorm2d) and f"{name}.running_mean" not in names and pending is not None:
            pairs.append((pending, name))
            pending = None
    return pairs


def _folded_convs(proto: onnx.ModelProto, names: Dict[str, np.ndarray]) -> List[Tuple[str, str]]:
    """(weight, bias) initializer names of the folded Conv nodes, in graph order."""
    return [(n.input[1], n.input[2]) for n in proto.graph.node
            if n.op_type == "Conv" and not n.input[1].endswith(".weight") and len(n.input) > 2]


def load_onnx_weights(path: Path, resolution: int = 256) -> BSNet:
    """A BSNet (flip_average off) with the weights of the ONNX file; raises on any mismatch."""
    proto = onnx.load(str(path))
    values = _initializers(proto)
    model = BSNet(resolution)
    state = model.state_dict()
    pairs = _folded_pairs(model, values)
    convs = _folded_convs(proto, values)
    if len(pairs) != len(convs):
        raise ValueError(f"{len(pairs)} folded conv/bn pairs in the model, {len(convs)} in the graph")
    new = {k: torch.from_numpy(np.ascontiguousarray(values[k])).to(v.dtype)
           for k, v in state.items() if k in values}
    for (conv, bn), (w_name, b_name) in zip(pairs, convs):
        w, b = values[w_name], values[b_name]
        if tuple(w.shape) != tuple(state[f"{conv}.weight"].shape):
            raise ValueError(f"{conv}: shape {w.shape} in the graph, {tuple(state[conv + '.weight'].shape)} here")
        eps = dict(model.named_modules())[bn].eps
        new[f"{conv}.weight"] = torch.from_numpy(np.ascontiguousarray(w))
        if f"{conv}.bias" in state:
            new[f"{conv}.bias"] = torch.zeros_like(state[f"{conv}.bias"])
        new[f"{bn}.weight"] = torch.ones_like(state[f"{bn}.weight"])
        new[f"{bn}.bias"] = torch.from_numpy(np.ascontiguousarray(b))
        new[f"{bn}.running_mean"] = torch.zeros_like(state[f"{bn}.running_mean"])
        new[f"{bn}.running_var"] = torch.full_like(state[f"{bn}.running_var"], 1 - eps)
    missing = [k for k in state if k not in new and not k.endswith("num_batches_tracked")]
    if missing:
        raise ValueError(f"not in the graph: {missing[:5]} ({len(missing)})")
    for k in state:
        if k.endswith("num_batches_tracked"):
            new[k] = state[k]
    model.load_state_dict(new)
    return model.eval()
