"""The model card's section on score-stage experiments made after the release (bsnet.cv030), rendered
from a committed summary (bsnet/experiments/*.json), so the card lists every run with its figures even
when no new release came of it."""
import json
from pathlib import Path
from typing import Dict, List

EXPERIMENTS_DIR = Path(__file__).resolve().parent / "experiments"


def _f(value, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _section(doc: Dict) -> List[str]:
    nested = doc["nested"]
    med = nested["modelMedian"]
    lines = [f"## {doc['title']}", "", doc["summary"], "",
             f"Nested cross-validation (the five patient folds above; recipe chosen per outer fold on "
             f"{doc['innerSplits']} held-out training fold(s); the chosen recipe refitted on the four training "
             f"folds as an ensemble of {doc['members']} bagged seeds, flip-averaged, median decision): "
             f"**zone MAE {_f(med['zoneMae'])}, global MAE {_f(med['globalMae'], 2)}**, exact agreement "
             f"{_f(med['exactAgreement'])}, κ {_f(med['kappaQuadratic'])}. Calibration of the decided score's "
             f"probability (what the service publishes as confidence): ECE "
             f"{_f(nested['calibration']['eceMedianDecision'])} (arg-max probability: ECE "
             f"{_f(nested['calibration']['eceArgmax'])}).", "",
             "| fold | images | zone MAE | 0.2.0 zone MAE (published) | global MAE | 0.2.0 global MAE (published) | inner choice |",
             "|---|---|---|---|---|---|---|"]
    for f, sel in zip(nested["perFold"], doc["selection"]):
        lines.append(f"| {f['fold']} | {f['images']} | {_f(f['zoneMae'])} | {_f(f['published020ZoneMae'])} | "
                     f"{_f(f['globalMae'], 2)} | {_f(f['published020GlobalMae'], 2)} | {sel['chosen']} |")
    fp = nested["foldPairedVsPublished020"]
    lines += ["", f"Better than 0.2.0 on {fp['foldsBetter']} of 5 folds (fold-paired against 0.2.0's published "
                  f"per-fold figures)."]
    paired = nested.get("pairedVs020")
    if paired:
        z, g = paired["zoneMaeDifference"], paired["globalMaeDifference"]
        lines.append(f"Image-paired against 0.2.0's out-of-fold predictions, bootstrap over {z['patients']} patients: "
                     f"zone MAE difference {_f(z['mean'])} (95 % {_f(z['ci95'][0])} to {_f(z['ci95'][1])}), "
                     f"global MAE difference {_f(g['mean'], 2)} (95 % {_f(g['ci95'][0], 2)} to {_f(g['ci95'][1], 2)}).")
    lines += ["", "Every recipe, each scored on the five outer folds with a single member (for visibility; the "
                  "choices above never saw these figures):", ""]
    lines += [f"- {r['label']}: zone MAE {_f(r['zoneMae'])}, global MAE {_f(r['globalMae'], 2)}"
              for r in doc["outerSingle"]] or ["- (not completed before this session's deadline)"]
    inner = doc.get("innerZoneMae")
    if inner:
        lines += ["", "Inner-split zone MAE of each candidate (what the choice saw), per outer fold:", ""]
        lines += [f"- fold {f}: " + ", ".join(f"{k} {_f(v)}" for k, v in row.items()) for f, row in enumerate(inner)]
    lines += [""] + [f"- {n}" for n in doc.get("notes", [])]
    return lines + [""]


def experiments_section() -> str:
    if not EXPERIMENTS_DIR.exists():
        return ""
    parts: List[str] = []
    for path in sorted(EXPERIMENTS_DIR.glob("*.json")):
        parts += _section(json.loads(path.read_text()))
    return "\n".join(parts)
