"""The committed release folder honours the contract the TypeScript service codes against."""
import hashlib
import json

import onnx
import pytest

from bsnet import MODEL_VERSION
from bsnet.golden import CASES

MANIFEST_KEYS = {"name", "version", "onnxFile", "sha256", "opset", "preprocessingId", "zoneOrder", "zoneDecision", "input",
                 "outputs", "quantization", "internalResolution", "parameters", "trainedAt", "trainingHardware",
                 "metrics"}


def test_manifest_matches_model(release_dir):
    manifest = json.loads((release_dir / "manifest.json").read_text())
    assert set(manifest) == MANIFEST_KEYS
    model_bytes = (release_dir / manifest["onnxFile"]).read_bytes()
    assert len(model_bytes) <= 24 * 1024 * 1024
    assert manifest["sha256"] == hashlib.sha256(model_bytes).hexdigest()
    assert manifest["name"] == "bsnet" and manifest["version"] == MODEL_VERSION and manifest["opset"] == 17
    assert manifest["zoneDecision"] in ("median", "argmax")
    assert manifest["zoneOrder"] == list("ABCDEF") and manifest["preprocessingId"] == "bsnet-v1"
    assert manifest["input"] == {"name": "image", "shape": ["N", 1, 512, 512]}
    assert manifest["quantization"] == "int8-weight-only-per-channel"
    assert set(manifest["metrics"]) == {"cvZoneMae", "cvGlobalMae"}
    proto = onnx.load_from_string(model_bytes)
    assert {p.key: p.value for p in proto.metadata_props}["zone_order"] == "A,B,C,D,E,F"
    cams = next(o for o in proto.graph.output if o.name == "zone_cams")
    dims = [d.dim_param or d.dim_value for d in cams.type.tensor_type.shape.dim]
    assert dims == manifest["outputs"]["zone_cams"]
    assert "DequantizeLinear" in {n.op_type for n in proto.graph.node}


def test_golden_model_vectors_name_this_model(release_dir):
    manifest = json.loads((release_dir / "manifest.json").read_text())
    files = list((release_dir / "golden" / "model").glob("*.json"))
    assert files
    for f in files:
        doc = json.loads(f.read_text())
        assert doc["modelSha256"] == manifest["sha256"]
        assert doc["inputCase"] in CASES
        assert len(doc["zone_probs_onnx"]) == 6 and all(len(z) == 4 for z in doc["zone_probs_onnx"])
        torch_probs, onnx_probs = doc["zone_probs_fp32_torch"], doc["zone_probs_onnx"]
        assert max(abs(a - b) for za, zb in zip(torch_probs, onnx_probs) for a, b in zip(za, zb)) < 0.05


def test_golden_folder_is_small(release_dir):
    total = sum(p.stat().st_size for p in (release_dir / "golden").rglob("*") if p.is_file())
    assert total <= 3 * 1024 * 1024
