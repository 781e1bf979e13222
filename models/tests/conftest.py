import sys
from pathlib import Path

import pytest
import torch

MODELS_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(MODELS_DIR))
SHARED = MODELS_DIR.parent.parent / "shared"

torch.set_num_threads(2)


@pytest.fixture(scope="session")
def release_dir() -> Path:
    from bsnet import MODEL_VERSION
    return MODELS_DIR / "bsnet" / MODEL_VERSION


needs_shared = pytest.mark.skipif(not (SHARED / "brixia-public").exists(), reason="../shared data absent")
