"""Export BS-Net to ONNX (opset 17, dynamic batch), check it, quantise it, and write the release folder.

python3 -m bsnet.export [--checkpoint runs/final.pt] [--resolution 128] [--out bsnet/<version>]
Writes model.onnx (int8 weight-only), manifest.json, golden/preprocess/*.json, golden/model/*.json.
"""
import argparse
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Dict, Optional

import numpy as np
import onnx
import torch

from . import MODEL_NAME, MODEL_VERSION, PREPROCESSING_ID
from .golden import write_preprocess_goldens
from .model import BSNet, count_parameters
from .onnx_check import run_onnx
from .quantize import quantize_model
from .zones import ZONES

PACKAGE_DIR = Path(__file__).resolve().parent
MODELS_DIR = PACKAGE_DIR.parent
OPSET = 17
MAX_MODEL_BYTES = 24 * 1024 * 1024
OUTPUT_NAMES = ["zone_probs", "lung_mask", "alignment", "zone_cams"]
FORBIDDEN_OPS = {"RoiAlign", "AffineGrid"}
MODEL_GOLDEN_CASES = ("identity_512", "downscale_640x480", "upscale_37x53")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export_fp32(model: BSNet, path: Path) -> onnx.ModelProto:
    """torch.onnx.export with a dynamic batch axis, then metadata; returns the loaded proto."""
    model.eval()
    dummy = torch.zeros(1, 1, 512, 512)
    dynamic = {"image": {0: "N"}}
    dynamic.update({name: {0: "N"} for name in OUTPUT_NAMES})
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(model, dummy, str(path), opset_version=OPSET, input_names=["image"],
                      output_names=OUTPUT_NAMES, dynamic_axes=dynamic, do_constant_folding=True)
    proto = onnx.load(str(path))
    fix_output_shapes(proto, model.cam_size)
    set_metadata(proto)
    onnx.save(proto, str(path))
    return proto


def fix_output_shapes(proto: onnx.ModelProto, cam: int) -> None:
    """Write the contract's static output dims (the tracer leaves symbolic names on some of them)."""
    shapes = {"zone_probs": ["N", 6, 4], "lung_mask": ["N", 1, 512, 512], "alignment": ["N", 2, 3],
              "zone_cams": ["N", 6, 4, cam, cam]}
    for output in proto.graph.output:
        dims = output.type.tensor_type.shape.dim
        for dim, value in zip(dims, shapes[output.name]):
            if isinstance(value, str):
                dim.dim_param = value
            else:
                dim.dim_value = value


def set_metadata(proto: onnx.ModelProto) -> None:
    del proto.metadata_props[:]
    for key, value in (("model_version", MODEL_VERSION), ("preprocessing_id", PREPROCESSING_ID),
                       ("zone_order", ",".join(ZONES))):
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value


def check_graph(proto: onnx.ModelProto) -> None:
    onnx.checker.check_model(proto)
    ops = {n.op_type for n in proto.graph.node}
    bad = ops & FORBIDDEN_OPS
    if bad:
        raise RuntimeError(f"graph contains ops the WebGPU provider cannot run: {sorted(bad)}")
    if proto.opset_import[0].version != OPSET:
        raise RuntimeError("wrong opset")


def torch_outputs(model: BSNet, images: np.ndarray) -> Dict[str, np.ndarray]:
    model.eval()
    with torch.no_grad():
        outs = model(torch.from_numpy(images))
    return {name: t.numpy() for name, t in zip(OUTPUT_NAMES, outs)}


def max_diffs(a: Dict[str, np.ndarray], b: Dict[str, np.ndarray]) -> Dict[str, float]:
    return {name: float(np.abs(a[name] - b[name]).max()) for name in OUTPUT_NAMES}


def export_release(model: BSNet, out_dir: Path, trained_at: Optional[str] = None,
                   training_hardware: str = "untrained (random initialisation)",
                   metrics: Optional[Dict[str, float]] = None, work_dir: Optional[Path] = None,
                   zone_decision: str = "median") -> Dict:
    """Full pipeline; returns a report with the fp32/torch and int8/torch differences.

    zone_decision tells the service how to read a zone's score from its probabilities ("median": the
    least expected absolute error, "argmax": the paper's); the manifest carries it."""
    work_dir = work_dir or MODELS_DIR / ".cache" / "export"
    fp32_path = work_dir / "model_fp32.onnx"
    proto = export_fp32(model, fp32_path)
    check_graph(proto)

    golden_dir = out_dir / "golden"
    pre = write_preprocess_goldens(golden_dir / "preprocess")
    images = np.stack([pre[c] for c in MODEL_GOLDEN_CASES])[:, None].astype(np.float32)
    reference = torch_outputs(model, images)
    fp32_out, _ = run_onnx(fp32_path, images)
    fp32_diff = max_diffs(reference, fp32_out)
    if max(fp32_diff.values()) > 1e-4:
        raise RuntimeError(f"ONNX fp32 differs from PyTorch by more than 1e-4: {fp32_diff}")

    quantised, counts = quantize_model(proto)
    set_metadata(quantised)
    check_graph(quantised)
    model_path = out_dir / "model.onnx"
    onnx.save(quantised, str(model_path))
    size = model_path.stat().st_size
    if size > MAX_MODEL_BYTES:
        raise RuntimeError(f"model.onnx is {size} bytes, over the 24 MiB limit")
    digest = sha256(model_path)
    int8_out, _ = run_onnx(model_path, images)
    int8_diff = max_diffs(reference, int8_out)

    model_golden = golden_dir / "model"
    model_golden.mkdir(parents=True, exist_ok=True)
    for old in model_golden.glob("*.json"):
        old.unlink()
    for i, case in enumerate(MODEL_GOLDEN_CASES):
        doc = {"inputCase": case, "modelSha256": digest,
               "zone_probs_fp32_torch": reference["zone_probs"][i].tolist(),
               "zone_probs_onnx": int8_out["zone_probs"][i].tolist(), "tolerance": 1e-3}
        (model_golden / f"{case}.json").write_text(json.dumps(doc, indent=1) + "\n")

    cam = model.cam_size
    manifest = {
        "name": MODEL_NAME, "version": MODEL_VERSION, "onnxFile": "model.onnx", "sha256": digest,
        "opset": OPSET, "preprocessingId": PREPROCESSING_ID, "zoneOrder": list(ZONES),
        "zoneDecision": zone_decision,
        "input": {"name": "image", "shape": ["N", 1, 512, 512]},
        "outputs": {"zone_probs": ["N", 6, 4], "lung_mask": ["N", 1, 512, 512], "alignment": ["N", 2, 3],
                    "zone_cams": ["N", 6, 4, cam, cam]},
        "quantization": "int8-weight-only-per-channel", "internalResolution": model.resolution,
        "parameters": count_parameters(model),
        "trainedAt": trained_at or dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "trainingHardware": training_hardware,
        "metrics": metrics or {"cvZoneMae": None, "cvGlobalMae": None},
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return {"fp32VsTorch": fp32_diff, "int8VsTorch": int8_diff, "bytes": size, "sha256": digest,
            "quantised": counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkpoint", type=Path, default=None, help="state dict from bsnet.train")
    parser.add_argument("--resolution", type=int, default=128)
    parser.add_argument("--out", type=Path, default=PACKAGE_DIR / MODEL_VERSION)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    trained_at, hardware, metrics = None, "untrained (random initialisation)", None
    if args.checkpoint:
        ckpt = torch.load(args.checkpoint, map_location="cpu")
        model = BSNet(ckpt["resolution"])
        model.load_state_dict(ckpt["state_dict"])
        trained_at, hardware = ckpt.get("trainedAt"), ckpt.get("trainingHardware", hardware)
        metrics_path = args.out / "metrics.json"
        if metrics_path.exists():
            cv = json.loads(metrics_path.read_text())["cv"]["model"]
            metrics = {"cvZoneMae": cv["zoneMae"], "cvGlobalMae": cv["globalMae"]}
    else:
        model = BSNet(args.resolution)
    report = export_release(model, args.out, trained_at, hardware, metrics)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
