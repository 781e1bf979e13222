"""The frozen training config: built from the command line in one place, recorded in a run's report and read
back from such a record (bsnet/0.2.0/metrics.json); the run log is closed when the run ends."""
import dataclasses
import json
from pathlib import Path

import pytest

from bsnet.cli import experiment_parser, run_log
from bsnet.config import TrainConfig, parse_config


def test_the_command_line_defaults_are_the_config_defaults():
    assert parse_config(argv=[]) == TrainConfig()


def test_flags_become_typed_fields():
    cfg = parse_config(argv=["--resolution", "256", "--front", "runs/x/front.pt", "--no-flip-average",
                             "--score-lr", "1e-3", "--no-export", "--front-resolution", "128"])
    assert cfg.resolution == 256 and cfg.front == Path("runs/x/front.pt") and cfg.flip_average is False
    assert cfg.score_lr == 1e-3 and cfg.no_export and cfg.front_resolution == 128


def test_the_config_is_frozen():
    cfg = TrainConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.score_epochs = 1  # type: ignore[misc]


def test_a_record_reads_back_as_the_same_config():
    cfg = TrainConfig(resolution=512, front_init=Path("/tmp/front.pt"), seg_deadline="04:30", folds=3)
    record = json.loads(json.dumps(cfg.record()))
    assert record["front_init"] == "/tmp/front.pt" and record["front"] is None
    assert TrainConfig.from_record(record) == cfg


def test_the_released_records_load(release_dir: Path):
    metrics = json.loads((release_dir / "metrics.json").read_text())
    cfg = TrainConfig.from_record(metrics["args"])
    assert cfg.resolution == 256 and cfg.score_epochs == 30 and cfg.flip_average and cfg.folds == 5
    assert cfg.front == Path(metrics["args"]["front"])
    # Keys the record lacks (flags added after it was written) take today's defaults.
    front = TrainConfig.from_record(metrics["frontArgs"])
    assert front.seg_epochs == 6 and front.align_steps == 300 and front.fine_seg_epochs == TrainConfig().fine_seg_epochs
    # Everything the record holds is kept: writing it again gives the same values.
    assert {k: cfg.record()[k] for k in metrics["args"]} == metrics["args"]


def test_unknown_record_keys_are_rejected():
    with pytest.raises(ValueError, match="score_epoch"):
        TrainConfig.from_record({"score_epoch": 3})


def test_the_coarse_then_fine_front_schedule():
    cfg = TrainConfig(resolution=256, front_resolution=128, seg_epochs=24, fine_seg_epochs=6, fine_seg_lr=5e-4,
                      align_steps=1500, fine_align_steps=300)
    assert cfg.coarse_front().resolution == 128 and cfg.coarse_front().seg_epochs == 24
    fine = cfg.fine_front()
    assert (fine.resolution, fine.seg_epochs, fine.seg_lr, fine.align_steps) == (256, 6, 5e-4, 300)


def test_the_run_log_is_written_and_closed_even_when_the_run_fails(tmp_path: Path, capsys):
    path = tmp_path / "train.log"
    with pytest.raises(RuntimeError):
        with run_log(path, clock=lambda: "12:00:00") as log:
            log("first")
            log("second")
            raise RuntimeError("stage failed")
    assert path.read_text() == "12:00:00 first\n12:00:00 second\n"
    assert "12:00:00 first" in capsys.readouterr().out
    with pytest.raises(ValueError):   # the file behind the log is closed
        log("after the run")


def test_the_experiments_share_their_flags(tmp_path: Path):
    a = experiment_parser("x").parse_args(["--shared", str(tmp_path), "--out", str(tmp_path / "o")])
    assert a.shared == tmp_path and a.out == tmp_path / "o" and a.threads == 1
    with pytest.raises(SystemExit):
        experiment_parser("x").parse_args(["--out", "o"])     # --shared is required
