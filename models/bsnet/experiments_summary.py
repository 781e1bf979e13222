"""Writes the committed summary of a bsnet.cv030 run (bsnet/experiments/<name>.json) that the model card
renders: python3 -m bsnet.experiments_summary runs/cv030/report.json --name 0.3.0-score-stage"""
import argparse
import json
from pathlib import Path

from .experiments_card import EXPERIMENTS_DIR
from .cv030 import INNER_SPLITS, PUBLISHED_020


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("report", type=Path)
    p.add_argument("--name", default="0.3.0-score-stage")
    p.add_argument("--title", default="Score-stage experiments toward 0.3.0 (not released)")
    p.add_argument("--summary", default="")
    p.add_argument("--note", action="append", default=[])
    p.add_argument("--baseline-report", type=Path, default=None,
                   help="bsnet.oof020's report.json (0.2.0's score stage re-run), summarised beside the paired test")
    a = p.parse_args()
    report = json.loads(a.report.read_text())
    doc = {"title": a.title, "summary": a.summary, "innerSplits": report.get("innerSplits", INNER_SPLITS),
           "members": report["members"], "nested": report["nested"],
           "selection": [{"fold": s["fold"], "chosen": s["chosen"], "severityMap": s.get("severityMap")}
                         for s in report["selection"]],
           "innerZoneMae": [s["innerZoneMae"] for s in report["selection"]],
           "outerSingle": report.get("outerSingle", []), "notes": a.note}
    if a.baseline_report:
        base = json.loads(a.baseline_report.read_text())
        med = base["modelMedian"]
        published = json.loads(PUBLISHED_020.read_text())["cv"]["modelMedian"]
        doc["baseline020"] = {
            "modelMedian": med, "seconds": base.get("seconds"),
            "note": (f"0.2.0's out-of-fold predictions come from its score stage re-run (bsnet.oof020: the "
                     f"released recipe on the same folds, on the front read back from its int8 ONNX, "
                     f"{base.get('threads', 1)} torch thread(s), {round(base.get('seconds', 0) / 60)} min): zone MAE "
                     f"{med['zoneMae']:.3f}, global MAE {med['globalMae']:.2f} (published, fp32 front: "
                     f"{published['zoneMae']:.3f}, {published['globalMae']:.2f}).")}
    EXPERIMENTS_DIR.mkdir(exist_ok=True)
    (EXPERIMENTS_DIR / f"{a.name}.json").write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
