"""What the command-line entry points share: a run log that is closed, and the experiments' common flags."""
import argparse
import datetime as dt
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import torch

Log = Callable[[str], None]


def utc_clock() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%H:%M:%S")


def local_clock() -> str:
    return time.strftime("%H:%M:%S")


@contextmanager
def run_log(path: Path, clock: Callable[[], str] = utc_clock) -> Iterator[Log]:
    """A log function that prints each line with a time stamp and appends it to path (flushed per line, so
    a long run can be followed and a killed one keeps its lines); the file is closed on leaving."""
    with open(path, "a") as file:
        def log(msg: str) -> None:
            line = f"{clock()} {msg}"
            print(line, flush=True)
            file.write(line + "\n")
            file.flush()

        yield log


def experiment_parser(description: str, threads: int = 1) -> argparse.ArgumentParser:
    """The flags every score-stage experiment (bsnet.cv030, bsnet.oof020) takes: --shared, --out, --threads."""
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shared", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--threads", type=int, default=threads)
    return p


@contextmanager
def experiment_run(args: argparse.Namespace, log_name: str) -> Iterator[Log]:
    """An experiment's set-up from its parsed flags: torch threads, the --out folder, and its log there."""
    torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    with run_log(args.out / log_name, local_clock) as log:
        yield log
