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
from .evaluate import int8_agreement, median_score, spread
from .zones import ZONES
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


# The out-of-fold rows of the CV report for each way of reading a zone's score.
DECISION_ROWS = {"median": "modelMedian", "argmax": "model"}


def decision_summary(cv: Dict, oof_path: Path, zone_decision: str) -> None:
    """Adds cv["released"]: the fold spread, per-zone MAE and confusion of the released decision rule,
    from the run's out-of-fold probabilities (saved beside the checkpoint by bsnet.train)."""
    key = DECISION_ROWS[zone_decision]
    released: Dict = {"decision": zone_decision, "row": key, "spread": spread(cv["perFold"], key, "zoneMae")}
    if oof_path.exists():
        oof = np.load(oof_path)
        senior = load_score_set(128).senior
        pred = median_score(oof) if zone_decision == "median" else oof.argmax(-1)
        released["perZoneMae"] = {z: float(np.abs(pred[:, i] - senior[:, i]).mean()) for i, z in enumerate(ZONES)}
        released["confusion"] = np.histogram2d(senior.ravel(), pred.ravel(),
                                               bins=[np.arange(5) - 0.5] * 2)[0].astype(int).tolist()
    cv["released"] = released


def release(checkpoint: Path, out: Path, log: Callable[[str], None] = print,
            other_runs: Sequence[Dict] = (), zone_decision: str = "median") -> Dict:
    ckpt = torch.load(checkpoint, map_location="cpu")
    model = BSNet(ckpt["resolution"], flip_average=bool(ckpt["report"]["args"].get("flip_average", False)))
    model.load_state_dict(ckpt["state_dict"])
    model.eval()
    report = ckpt["report"]
    decision_summary(report["cv"], checkpoint.parent / "oof_probs.npy", zone_decision)
    released = report["cv"][DECISION_ROWS[zone_decision]]
    metrics = {"cvZoneMae": released["zoneMae"], "cvGlobalMae": released["globalMae"]}
    exported = export_release(model, out, ckpt["trainedAt"], ckpt["trainingHardware"], metrics,
                              zone_decision=zone_decision)
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
    metrics_doc["modelVersion"] = MODEL_VERSION
    metrics_doc["export"] = exported
    metrics_doc["int8VsFp32"] = quant
    metrics_doc["cpuLatencyOnnxruntimeNode"] = latency
    metrics_doc["zoneDecision"] = zone_decision
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
    parser.add_argument("--runs-json", type=Path, default=None,
                        help="a JSON list of further CV runs ({label, zoneMae, globalMae, exactAgreement, kappaQuadratic}; "
                             "missing figures print as n/a), e.g. experiments scored outside bsnet.train")
    parser.add_argument("--zone-decision", choices=sorted(DECISION_ROWS), default="median",
                        help="how the service reads a zone's score from its probabilities (written to the manifest)")
    args = parser.parse_args()
    torch.set_num_threads(2)
    runs = _runs(args.run, args.zone_decision) + (json.loads(args.runs_json.read_text()) if args.runs_json else [])
    release(args.checkpoint, args.out, other_runs=runs, zone_decision=args.zone_decision)


def _runs(specs: List[str], zone_decision: str = "median") -> List[Dict]:
    runs = []
    for spec in specs:
        label, path = spec.split("=", 1)
        report = json.loads(Path(path).read_text())["cv"]
        # Runs from before the median row existed are listed with the arg-max they reported.
        cv = report.get(DECISION_ROWS[zone_decision], report["model"])
        runs.append({"label": label, **{k: cv[k] for k in ("zoneMae", "globalMae", "exactAgreement", "kappaQuadratic")}})
    return runs


if __name__ == "__main__":
    main()
