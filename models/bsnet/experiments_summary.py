"""Writes the committed summary of a bsnet.cv030 run (bsnet/experiments/<name>.json) that the model card
renders: python3 -m bsnet.experiments_summary runs/cv030/report.json --name 0.3.0-score-stage"""
import argparse
import json
from pathlib import Path

from .experiments_card import EXPERIMENTS_DIR
from .cv030 import INNER_SPLITS


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("report", type=Path)
    p.add_argument("--name", default="0.3.0-score-stage")
    p.add_argument("--title", default="Score-stage experiments toward 0.3.0 (not released)")
    p.add_argument("--summary", default="")
    p.add_argument("--note", action="append", default=[])
    a = p.parse_args()
    report = json.loads(a.report.read_text())
    doc = {"title": a.title, "summary": a.summary, "innerSplits": INNER_SPLITS, "members": report["members"],
           "nested": report["nested"], "selection": [{"fold": s["fold"], "chosen": s["chosen"]}
                                                     for s in report["selection"]],
           "innerZoneMae": [s["innerZoneMae"] for s in report["selection"]],
           "outerSingle": report.get("outerSingle", []), "notes": a.note}
    EXPERIMENTS_DIR.mkdir(exist_ok=True)
    (EXPERIMENTS_DIR / f"{a.name}.json").write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
