"""Release a trained checkpoint: export (fp32 check, int8), fp32-vs-int8 agreement on the 140 public
images, CPU latency with onnxruntime-node, metrics.json and MODEL_CARD.md.

python3 -m bsnet.release runs/<stamp>/final.pt
"""
import argparse
import json
import statistics
from pathlib import Path
from typing import Callable, Dict, List, Sequence

import numpy as np
import torch

from . import MODEL_VERSION
from .data import load_score_set
from .evaluate import int8_agreement
from .export import MODELS_DIR, PACKAGE_DIR, export_release
from .model import BSNet
from .model_card import write_model_card
from .onnx_check import run_onnx


def _onnx_probs(path: Path, images: np.ndarray, batch: int = 20) -> np.ndarray:
    return np.concatenate([run_onnx(path, images[i:i + batch])[0]["zone_probs"]
                           for i in range(0, len(images), batch)])


def cpu_latency(path: Path, images: np.ndarray, repeat: int = 10, threads: int = 2) -> Dict[str, float]:
    _, single = run_onnx(path, images[:1], repeat=repeat, threads=threads)
    _, batch8 = run_onnx(path, images[:8], repeat=max(repeat // 3, 2), threads=threads)
    return {"batch1MedianMs": statistics.median(single),
            "batch8MedianMsPerImage": statistics.median(batch8) / 8, "threads": threads}


def release(checkpoint: Path, out: Path, log: Callable[[str], None] = print,
            other_runs: Sequence[Dict] = ()) -> Dict:
    ckpt = torch.load(checkpoint, map_location="cpu")
    model = BSNet(ckpt["resolution"])
    model.load_state_dict(ckpt["state_dict"])
    model.eval()
    report = ckpt["report"]
    metrics = {"cvZoneMae": report["cv"]["model"]["zoneMae"], "cvGlobalMae": report["cv"]["model"]["globalMae"]}
    exported = export_release(model, out, ckpt["trainedAt"], ckpt["trainingHardware"], metrics)
    log(f"exported: {json.dumps(exported)}")

    images = load_score_set(512).images.astype(np.float32)
    fp32_path = MODELS_DIR / ".cache" / "export" / "model_fp32.onnx"
    fp32 = _onnx_probs(fp32_path, images)
    int8 = _onnx_probs(out / "model.onnx", images)
    with torch.no_grad():
        torch_probs = np.concatenate([model(torch.from_numpy(images[i:i + 20]))[0].numpy()
                                      for i in range(0, len(images), 20)])
    quant = int8_agreement(fp32, int8)
    quant["fp32OnnxVsTorchMaxProbDiff"] = float(np.abs(fp32 - torch_probs).max())
    log(f"int8: {quant}")
    latency = {"int8": cpu_latency(out / "model.onnx", images), "fp32": cpu_latency(fp32_path, images)}
    log(f"latency: {latency}")

    metrics_doc = dict(report)
    metrics_doc["export"] = exported
    metrics_doc["int8VsFp32"] = quant
    metrics_doc["cpuLatencyOnnxruntimeNode"] = latency
    if other_runs:
        metrics_doc["otherRuns"] = list(other_runs)
    (out / "metrics.json").write_text(json.dumps(metrics_doc, indent=2) + "\n")
    manifest = json.loads((out / "manifest.json").read_text())
    write_model_card(metrics_doc, manifest, PACKAGE_DIR / "MODEL_CARD.md")
    return metrics_doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("--out", type=Path, default=PACKAGE_DIR / MODEL_VERSION)
    parser.add_argument("--run", action="append", default=[], metavar="LABEL=report.json",
                        help="list another CV run (and this one) in the card, e.g. 'run 1 (released)=runs/x/report.json'")
    args = parser.parse_args()
    torch.set_num_threads(2)
    release(args.checkpoint, args.out, other_runs=_runs(args.run))


def _runs(specs: List[str]) -> List[Dict]:
    runs = []
    for spec in specs:
        label, path = spec.split("=", 1)
        cv = json.loads(Path(path).read_text())["cv"]["model"]
        runs.append({"label": label, **{k: cv[k] for k in ("zoneMae", "globalMae", "exactAgreement", "kappaQuadratic")}})
    return runs


if __name__ == "__main__":
    main()
