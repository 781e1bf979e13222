"""The training configuration: one frozen value built from the command line in one place (`parse_config`).

A run records it as its report's "args" (`TrainConfig.record()`: JSON, paths as strings, the same keys
and order the command line had), and `TrainConfig.from_record` reads such a record back, e.g.
bsnet/0.2.0/metrics.json's "args". Reading a record:
- an unknown key is rejected (ValueError naming it): a misspelt or retired flag must not silently fall
  back to a default and change what a re-run computes;
- a missing key takes today's default (records written before a flag existed lack it). A caller whose
  meaning of "absent" differs from today's default reads that key from the record itself (bsnet.release
  reads an absent "flip_average" as off, which is what runs before that flag did).
"""
import argparse
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence

from . import MODEL_VERSION
from .data import SHARED

MODELS_DIR = Path(__file__).resolve().parents[1]
RESOLUTIONS = (128, 256, 512)


@dataclass(frozen=True)
class TrainConfig:
    """Every choice of a bsnet.train run (field order = the command line's, which the records keep)."""
    device: str = "cpu"
    resolution: int = 128
    threads: int = 2
    # Stages 1-2: the front (segmentation, then alignment).
    seg_epochs: int = 24
    seg_batch: int = 8
    align_steps: int = 1500
    # Stage 3a: the score heads on the frozen front's cached taps.
    score_epochs: int = 30
    score_batch: int = 16
    score_lr: float = 2e-3
    score_wd: float = 1e-2
    mae_weight: float = 1.0
    junior_weight: float = 0.3
    crop_jitter: float = 0.1
    # Stage 3b: the encoder fine-tuned with the heads (0 epochs = off).
    finetune_epochs: int = 0
    finetune_encoder_lr: float = 1e-4
    finetune_head_lr: float = 5e-4
    flip_average: bool = True
    gamma_jitter: float = 0.0
    # Cross-validation by patient.
    folds: int = 5
    seed: int = 0
    # Where the front comes from, and its coarse-then-fine schedule.
    front: Optional[Path] = None
    front_init: Optional[Path] = None
    seg_lr: float = 2e-3
    front_resolution: Optional[int] = None
    fine_seg_epochs: int = 6
    fine_seg_lr: float = 5e-4
    fine_align_steps: int = 300
    seg_deadline: Optional[str] = None
    # Input and output.
    shared: Path = SHARED
    no_export: bool = False
    out: Path = MODELS_DIR / "bsnet" / MODEL_VERSION

    def record(self) -> Dict[str, Any]:
        """JSON-ready, paths as strings: what a run's report keeps as "args"."""
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> "TrainConfig":
        """The config a recorded "args" dict describes (see the module doc for unknown and missing keys)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(record) - known)
        if unknown:
            raise ValueError(f"unknown training config keys: {', '.join(unknown)}")
        paths = {"front", "front_init", "shared", "out"}
        return cls(**{k: (Path(v) if k in paths and v is not None else v) for k, v in record.items()})

    def coarse_front(self) -> "TrainConfig":
        """Stages 1-2 at the lower --front-resolution (the first part of a coarse-then-fine front)."""
        assert self.front_resolution is not None
        return replace(self, resolution=self.front_resolution)

    def fine_front(self) -> "TrainConfig":
        """Stages 1-2 fine-tuned at --resolution from the coarse front: the fine-tuning lengths and rate."""
        return replace(self, seg_epochs=self.fine_seg_epochs, seg_lr=self.fine_seg_lr,
                       align_steps=self.fine_align_steps)


def build_parser(description: str) -> argparse.ArgumentParser:
    """bsnet.train's flags; every default is TrainConfig's."""
    d = TrainConfig()
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default=d.device)
    p.add_argument("--resolution", type=int, default=d.resolution, choices=RESOLUTIONS)
    p.add_argument("--threads", type=int, default=d.threads)
    p.add_argument("--seg-epochs", type=int, default=d.seg_epochs)
    p.add_argument("--seg-batch", type=int, default=d.seg_batch)
    p.add_argument("--align-steps", type=int, default=d.align_steps)
    p.add_argument("--score-epochs", type=int, default=d.score_epochs)
    p.add_argument("--score-batch", type=int, default=d.score_batch)
    p.add_argument("--score-lr", type=float, default=d.score_lr)
    p.add_argument("--score-wd", type=float, default=d.score_wd)
    p.add_argument("--mae-weight", type=float, default=d.mae_weight)
    p.add_argument("--junior-weight", type=float, default=d.junior_weight)
    p.add_argument("--crop-jitter", type=float, default=d.crop_jitter, help="random zoom/shift of the region boxes")
    p.add_argument("--finetune-epochs", type=int, default=d.finetune_epochs,
                   help="stage 3b: encoder fine-tuned with the heads (0 = encoder stays frozen)")
    p.add_argument("--finetune-encoder-lr", type=float, default=d.finetune_encoder_lr)
    p.add_argument("--finetune-head-lr", type=float, default=d.finetune_head_lr)
    p.add_argument("--flip-average", action=argparse.BooleanOptionalAction, default=d.flip_average,
                   help="the exported graph averages each image with its mirror image (zones swapped); CV scores it so")
    p.add_argument("--gamma-jitter", type=float, default=d.gamma_jitter, help="stage 3b: random gamma exp(+-g)")
    p.add_argument("--folds", type=int, default=d.folds)
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--front", type=Path, default=d.front, help="reuse a trained front (stages 1-2) checkpoint")
    p.add_argument("--front-init", type=Path, default=d.front_init,
                   help="start stages 1-2 from a front trained at another resolution (the network is fully "
                        "convolutional and the alignment net always sees a 128x128 mask)")
    p.add_argument("--seg-lr", type=float, default=d.seg_lr)
    p.add_argument("--front-resolution", type=int, default=d.front_resolution, choices=RESOLUTIONS,
                   help="train stages 1-2 at this (lower) resolution first, then fine-tune them at --resolution for "
                        "--fine-seg-epochs / --fine-align-steps (what 0.2.0 did: 128, then 256)")
    p.add_argument("--fine-seg-epochs", type=int, default=d.fine_seg_epochs)
    p.add_argument("--fine-seg-lr", type=float, default=d.fine_seg_lr)
    p.add_argument("--fine-align-steps", type=int, default=d.fine_align_steps)
    p.add_argument("--seg-deadline", default=d.seg_deadline, help="UTC HH:MM after which stage 1 stops early")
    p.add_argument("--shared", type=Path, default=d.shared, help="folder holding brixia-public/ and lung-seg/")
    p.add_argument("--no-export", action="store_true", help="skip bsnet.release (it needs Node.js)")
    p.add_argument("--out", type=Path, default=d.out)
    return p


def parse_config(description: str = "", argv: Optional[Sequence[str]] = None) -> TrainConfig:
    """The one place a command line becomes a TrainConfig."""
    return TrainConfig(**vars(build_parser(description).parse_args(argv)))
