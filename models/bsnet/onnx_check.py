"""Runs ONNX models through onnxruntime-node (models/tools/ort_run.js): there is no Python onnxruntime here."""
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Dict, Optional, Tuple

import numpy as np

TOOL = Path(__file__).resolve().parents[1] / "tools" / "ort_run.js"


def run_onnx(model_path: Path, images: np.ndarray, repeat: int = 0,
             threads: Optional[int] = None) -> Tuple[Dict[str, np.ndarray], list]:
    """images float32 [N,1,512,512] -> ({output name: array}, per-run timings in ms)."""
    images = np.ascontiguousarray(images, dtype="<f4")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        (tmp_path / "input.f32").write_bytes(images.tobytes())
        cmd = ["node", str(TOOL), "--model", str(model_path), "--input", str(tmp_path / "input.f32"),
               "--n", str(images.shape[0]), "--out", str(tmp_path / "out"), "--repeat", str(repeat)]
        if threads:
            cmd += ["--threads", str(threads)]
        subprocess.run(cmd, check=True, cwd=str(TOOL.parent))
        meta = json.loads((tmp_path / "out" / "meta.json").read_text())
        outs = {name: np.fromfile(tmp_path / "out" / f"{name}.f32", dtype="<f4").reshape(dims)
                for name, dims in meta["outputs"].items()}
    return outs, meta["timingsMs"]
