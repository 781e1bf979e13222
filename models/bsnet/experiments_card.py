"""The model card's section on score-stage experiments made after the release (bsnet.cv030), rendered
from a committed summary (bsnet/experiments/*.json), so the card lists every run with its figures even
when no new release came of it."""
import json
from pathlib import Path
from typing import Dict, List, Optional

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
    ref = [(who, nested.get(key)) for who, key in (("junior radiologist", "junior"),
                                                    ("per-zone training mean", "meanPredictor")) if nested.get(key)]
    if ref:
        lines.append("Same images and folds: " + "; ".join(
            f"{who} zone MAE {_f(r['zoneMae'])}, global MAE {_f(r['globalMae'], 2)}" for who, r in ref) + ".")
    paired = nested.get("pairedVs020")
    if paired:
        lines += _paired(paired, doc.get("baseline020"))
    lines += ["", "Every recipe, each scored on the five outer folds with a single member (for visibility; the "
                  "choices above never saw these figures):", ""]
    lines += [_outer_line(r) for r in doc["outerSingle"]] or ["- (not completed before this session's deadline)"]
    maps = [s.get("severityMap") for s in doc.get("selection", [])]
    if any(m for m in maps):
        lines += ["", "Severity map of the chosen recipe per outer fold (linear summary S ≈ a·geographic + "
                      "b·opacity + c of the map fitted on that fold's training images; published all-fold fit "
                      "1.082, 1.036, 0.508): " + "; ".join(
                          f"fold {f}: " + (", ".join(f"{v:.2f}" for v in m) if m else "no weak loss")
                          for f, m in enumerate(maps)) + "."]
    inner = doc.get("innerZoneMae")
    if inner:
        lines += ["", "Inner-split zone MAE of each candidate (what the choice saw), per outer fold:", ""]
        lines += [f"- fold {f}: " + ", ".join(f"{k} {_f(v)}" for k, v in row.items()) for f, row in enumerate(inner)]
    lines += [""] + [f"- {n}" for n in doc.get("notes", [])]
    return lines + [""]


def _outer_line(r: Dict) -> str:
    line = f"- {r['label']}: zone MAE {_f(r['zoneMae'])}, global MAE {_f(r['globalMae'], 2)}"
    if "perFoldZoneMae" in r:
        line += " (folds " + " / ".join(_f(v) for v in r["perFoldZoneMae"]) + f"; ECE {_f(r['eceMedianDecision'])})"
    return line


def _paired(paired: Dict, baseline: Optional[Dict]) -> List[str]:
    """The image-paired comparison with 0.2.0's regenerated out-of-fold predictions."""
    z, g = paired["zoneMaeDifference"], paired["globalMaeDifference"]
    lines = [f"**Image-paired against 0.2.0's out-of-fold predictions** (candidate − 0.2.0, bootstrap over "
             f"{z['patients']} patients, {z['rounds']} rounds): zone MAE difference {_f(z['mean'])} "
             f"(95 % {_f(z['ci95'][0])} to {_f(z['ci95'][1])}; P(< 0) {_f(z['probabilityBelowZero'], 2)}), "
             f"global MAE difference {_f(g['mean'], 2)} (95 % {_f(g['ci95'][0], 2)} to {_f(g['ci95'][1], 2)}). "
             f"ECE of the decided score: candidate {_f(paired['candidateCalibration']['eceMedianDecision'])}, "
             f"0.2.0 {_f(paired['baselineCalibration']['eceMedianDecision'])}."]
    if baseline:
        lines.append(baseline["note"])
    lines += ["", "| fold | candidate zone MAE | 0.2.0 zone MAE (re-run) | candidate global MAE | 0.2.0 global MAE (re-run) |",
              "|---|---|---|---|---|"]
    lines += [f"| {r['fold']} | {_f(r['candidateZoneMae'])} | {_f(r['baselineZoneMae'])} | "
              f"{_f(r['candidateGlobalMae'], 2)} | {_f(r['baselineGlobalMae'], 2)} |" for r in paired["perFold"]]
    return lines


def _stage3b_section(doc: Dict) -> List[str]:
    """bsnet.finetune030's summary: the fine-tuned arm beside the stage-3a heads of the same fits."""
    lines = [f"## {doc['title']}", "", doc["summary"], "",
             "Out-of-fold over the five patient folds, median decision, vs the senior reader:", "",
             "| arm | zone MAE | global MAE | κ | ECE | per-fold zone MAE |", "|---|---|---|---|---|---|"]
    for arm in doc["arms"].values():
        folds = " / ".join(_f(v) for v in arm["perFoldZoneMae"].values())
        lines.append(f"| {arm['label']} | {_f(arm['zoneMae'])} | {_f(arm['globalMae'], 2)} | "
                     f"{_f(arm['kappaQuadratic'])} | {_f(arm['eceMedianDecision'])} | {folds} |")
    for name, p in doc["paired"].items():
        z, g = p["zoneMaeDifference"], p["globalMaeDifference"]
        lines += ["", f"Image-paired {name} (bootstrap over {z['patients']} patients): zone MAE difference "
                      f"{_f(z['mean'])} (95 % {_f(z['ci95'][0])} to {_f(z['ci95'][1])}; P(< 0) "
                      f"{_f(z['probabilityBelowZero'], 2)}), global MAE difference {_f(g['mean'], 2)} "
                      f"(95 % {_f(g['ci95'][0], 2)} to {_f(g['ci95'][1], 2)})."]
    lines += ["", "Per outer fold: the choice on the inner held-out fold (zone MAE by epoch, per layer4 learning "
                  "rate) and, for visibility only, the outer fold by epoch of the refit (never used for a choice):", ""]
    for f in doc["perFold"]:
        curves = "; ".join(f"lr {lr}: " + ", ".join(f"{e}:{_f(v)}" for e, v in c.items())
                           for lr, c in f["innerCurves"].items())
        outer = ", ".join(f"{e}:{_f(v)}" for e, v in f["outerCurveVisibilityOnly"].items())
        lines.append(f"- fold {f['fold']} (inner fold {f['innerHeldFold']}): chose lr {f['chosenLr']}, "
                     f"{f['chosenEpochs']} epochs; inner {curves}; outer {outer}")
    front = doc["frontCpuSeconds"]
    front = (f"of which the frozen front pass {front / 60:.1f}" if front > 10
             else "the frozen front pass read from models/.cache/stage3b/")
    lines += ["", f"CPU time: {doc['cpuSeconds'] / 60:.1f} CPU-min at {doc['threads']} torch thread ({front}).", ""]
    lines += [f"- {n}" for n in doc.get("notes", [])]
    return lines + [""]


def experiments_section() -> str:
    if not EXPERIMENTS_DIR.exists():
        return ""
    parts: List[str] = []
    for path in sorted(EXPERIMENTS_DIR.glob("*.json")):
        doc = json.loads(path.read_text())
        parts += _stage3b_section(doc) if doc.get("kind") == "stage3b" else _section(doc)
    return "\n".join(parts)
