"""Writes MODEL_CARD.md from metrics.json and manifest.json, so every number in the card is measured."""
from pathlib import Path
from typing import Dict, List

from .experiments_card import experiments_section

DECISION_LABELS = {"modelMedian": "BS-Net (median)", "model": "BS-Net (argmax)"}
OTHER_ROWS = (("modelExpectedScore", "BS-Net (expected score, not an integer)"),
              ("junior", "Junior radiologist"), ("meanPredictor", "Per-zone training mean"))


def _rows(released_key: str):
    """The released decision first (in bold), the other decision rule next, then the references."""
    others = [(k, v) for k, v in DECISION_LABELS.items() if k != released_key]
    return [(released_key, f"**{DECISION_LABELS[released_key]}, released**")] + others + list(OTHER_ROWS)


def _f(value, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _table(cv: Dict, released_key: str) -> List[str]:
    lines = ["| predictor (vs senior) | zone MAE | global MAE | exact agreement | quadratic κ | global Pearson r |",
             "|---|---|---|---|---|---|"]
    for key, label in _rows(released_key):
        if key not in cv:
            continue
        m = cv[key]
        lines.append(f"| {label} | {_f(m['zoneMae'])} | {_f(m['globalMae'], 2)} | {_f(m['exactAgreement'])} | "
                     f"{_f(m['kappaQuadratic'])} | {_f(m['globalPearson'])} |")
    return lines


def _folds(cv: Dict, key: str) -> List[str]:
    lines = ["| fold | images | BS-Net zone MAE | junior zone MAE | mean-predictor zone MAE | BS-Net global MAE |",
             "|---|---|---|---|---|---|"]
    for f in cv["perFold"]:
        lines.append(f"| {f['fold']} | {f[key]['n']} | {_f(f[key]['zoneMae'])} | {_f(f['junior']['zoneMae'])} | "
                     f"{_f(f['meanPredictor']['zoneMae'])} | {_f(f[key]['globalMae'], 2)} |")
    s = cv.get("released", {}).get("spread") or cv["spread"]["model.zoneMae"]
    lines.append("")
    lines.append(f"BS-Net zone MAE over folds: mean {_f(s['mean'])}, sd {_f(s['std'])}, "
                 f"range {_f(s['min'])}–{_f(s['max'])}.")
    return lines


def _other_runs(runs: List[Dict]) -> str:
    if not runs:
        return ""
    lines = ["Every cross-validation run made for this release (same folds, same decision rule unless said), so the "
             "selection is visible:", ""]
    for r in runs:
        figures = [(name, r.get(key), digits) for name, key, digits in (
            ("zone MAE", "zoneMae", 3), ("global MAE", "globalMae", 2), ("exact agreement", "exactAgreement", 3),
            ("κ", "kappaQuadratic", 3)) if r.get(key) is not None]
        measured = ", ".join(f"{name} {_f(value, digits)}" for name, value, digits in figures)
        lines.append(f"- {r['label']}" + (f": {measured}" if measured else ""))
    return "\n".join(lines) + "\n\n"


def write_model_card(metrics: Dict, manifest: Dict, path: Path) -> None:
    cv, seg, al = metrics["cv"], metrics.get("segmentation", {}), metrics.get("alignment", {})
    q, lat, args = metrics["int8VsFp32"], metrics["cpuLatencyOnnxruntimeNode"], metrics["args"]
    # Stages 1-2 may come from an earlier invocation (--front): their settings are that run's.
    front_args = metrics.get("frontArgs") or args
    res = manifest["internalResolution"]
    init_report = (metrics.get("frontInit") or {}).get("report", {})
    total_s = (seg.get("seconds", 0) + al.get("seconds", 0) + metrics.get("trainingSeconds", 0)
               + init_report.get("segmentation", {}).get("seconds", 0) + init_report.get("alignment", {}).get("seconds", 0))
    flip_note = "" if not args.get("flip_average") else (
        "\n\n**Flip averaging.** The exported graph runs each image together with its mirror image and averages the zone "
        "probabilities (the mirror's zones A–C swapped with D–F, the symmetry the training augmentation uses) and the "
        "CAMs (the mirror's maps mirrored back); lung mask and alignment are the image's own. This doubles the compute "
        "per image; the cross-validation below scores exactly this (the single-pass figures are listed with the runs).")
    epochs_note = ""
    decision = metrics.get("zoneDecision", "argmax")
    key = "modelMedian" if decision == "median" else "model"
    beats = sum(f[key]["zoneMae"] < f["meanPredictor"]["zoneMae"] for f in cv["perFold"])
    runs = metrics.get("otherRuns", [])
    selection_note = ("Hyper-parameters were fixed before the cross-validation run (no search on the folds)"
                      if len(runs) <= 1 else
                      f"{len(runs)} score-stage configurations were cross-validated on the same folds (listed under the "
                      "results); the released one was picked after seeing them, so its CV estimate is slightly "
                      "optimistic")
    jitter = args.get("crop_jitter", 0.0)
    jitter_note = "" if not jitter else (
        f", and random zoom (±{100 * jitter:.0f} %) and shift (±{50 * jitter:.0f} % of the frame) of each region box")
    seg_epochs = seg.get("epochsCompleted", front_args["seg_epochs"])
    seg_note = "" if seg_epochs == seg.get("epochsPlanned", seg_epochs) else (
        f" (of {seg['epochsPlanned']} planned: stopped by the time budget, learning-rate schedule not finished)")
    conf = cv.get("released", {}).get("confusion") or cv["confusion"]
    per_zone = cv.get("released", {}).get("perZoneMae") or cv["perZoneMae"]
    init = metrics.get("frontInit")
    init_note = "" if not init else (
        f" Initialised from the front trained at internal resolution {init['resolution']} "
        f"(held-out Dice there {_f(init['report'].get('segmentation', {}).get('heldOutDice'))}; the network is fully "
        f"convolutional and the alignment net always sees a 128×128 mask), then fine-tuned at {res}.")
    init_align = "" if not init else (
        f" (after {init['report'].get('alignment', {}).get('steps', '?')} at internal resolution {init['resolution']})")
    decision_note = (
        "BS-Net zone score = the **median** of the zone's predicted distribution (the smallest score whose cumulative "
        "probability reaches ½): the score with the least expected absolute error, which is what zone MAE measures; "
        "the manifest says `zoneDecision: median` and the service reads zones that way. The paper takes the arg-max "
        "(row below, same probabilities)"
        if decision == "median" else "BS-Net zone score = argmax of the zone probabilities")
    recall = [conf[i][i] / max(sum(conf[i]), 1) for i in range(4)]
    text = f"""# Model card: BS-Net {manifest['version']} (`{manifest['name']}`)

Generated by `bsnet/model_card.py` from `{manifest['version']}/metrics.json` and `{manifest['version']}/manifest.json`.

- ONNX: `{manifest['version']}/model.onnx`, sha256 `{manifest['sha256']}`, opset {manifest['opset']}, {manifest['parameters']:,} parameters,
  int8 weight-only (per-output-channel) quantisation, preprocessing `{manifest['preprocessingId']}`, zone order
  {','.join(manifest['zoneOrder'])}.
- Trained {manifest['trainedAt']} on {manifest['trainingHardware']}; total training time
  {total_s / 60:.0f} min (stages below; score stage incl. 5-fold CV and final fit {metrics.get('trainingSeconds', 0) / 60:.0f} min).

## Intended use
Research on automated Brixia scoring of frontal chest radiographs (COVID-19 pneumonia severity), and as the
model behind this project's research service. **Not for diagnosis or any clinical decision.** Trained on 140
public images only; it has not been validated on any clinical population.

## Architecture (BS-Net, Signoroni et al., Med. Image Anal. 71 (2021) 102046)
Input BatchNorm without scale → pre-activation ResNet-18 (1-channel 7×7/2 stem) → UNet++ decoder → lung mask;
spatial transformer on the mask max-pooled to 128×128 (identity at init) → the four encoder taps are warped
and multiplied by the aligned mask → six overlapping regions (A..F, boxes from the paper) cropped with
GridSample → feature pyramid (64 features, ending with 512 channels at the coarsest tap) → six independent
heads (3×[3×3 conv 8, BN, swish], 3×3 conv 4, global average pooling, softmax).

**Internal resolution {res}.** The graph takes the 512×512 `bsnet-v1` image, averages it down to {res}×{res}
(a fixed {512 // res}×{512 // res} area average), runs the network there and upsamples the lung mask back to
512×512 (bilinear). The paper runs at 512; CPU-only training here (2 shared cores) made that unaffordable.
The zone CAMs are {manifest['outputs']['zone_cams'][3]}×{manifest['outputs']['zone_cams'][4]} (pre-pooling head logits in each region's aligned frame).
`python3 -m bsnet.train --device cuda --resolution 512` retrains at full resolution.
All resampling is GridSample with grids built from constant base grids (no RoiAlign/AffineGrid), so the
graph can run whole on onnxruntime's WebGPU provider.{flip_note}

## Data
- Lung segmentation: `lung-seg` JSRT/SCR (247) + COVID-19 lung masks (69); 263 train / 53 held out (split by patient).
- Scores: `brixia-public`, 140 public radiographs from Cohen et al.'s collection with senior and junior
  radiologists' Brixia scores (BrixIA annotations, CC BY-NC-SA 4.0). Folds split by `patient`
  ({cv['folds']} folds, sizes {cv['foldSizes']}).
- The COVID lung-mask images come from the same public collection, so a few of the 140 scored images' patients
  may also appear (with lung masks only, no scores) in segmentation pre-training.
- Research use only; no data is shipped with the model.

## Training ("from the part to the whole")
1. Segmentation: encoder + decoder, BCE + Dice, flip/rotation/zoom/shift augmentation, {seg_epochs} epochs{seg_note}
   (batch {front_args['seg_batch']}, AdamW, one-cycle lr {front_args.get('seg_lr', 2e-3)}).{init_note} Held-out Dice **{_f(seg.get('heldOutDice'))}** (train {_f(seg.get('trainDice'))}), {seg.get('seconds', 0) / 60:.0f} min.
2. Alignment: spatial transformer on synthetic rotations (±15°), zooms (±25 %) and shifts (±15 %) of predicted
   masks; target = the affine that makes the ground-truth lung bounding box fill the frame (θ MSE + Dice);
   {al.get('steps', front_args['align_steps'])} steps of 32{init_align}. Held-out Dice of the aligned mask with its bounding-box target:
   identity {_f(al.get('heldOutDiceIdentity'))} → learned {_f(al.get('heldOutDiceAligned'))}.
3. Scores: **encoder, decoder and alignment frozen**; their attended taps are computed once (and once for the
   mirrored image) and cached; a fresh feature pyramid + six heads are trained per fold, {args['score_epochs']} epochs,
   AdamW (lr {args['score_lr']}, wd {args['score_wd']}), loss = cross-entropy to a soft target
   ({1 - args['junior_weight']:.1f} senior + {args['junior_weight']:.1f} junior) + {args['mae_weight']} × |expected score − target mean|, horizontal flip
   augmentation with zones A–C swapped with D–F{jitter_note}. The released model is the same recipe fitted on all 140 images.
   {selection_note}{epochs_note}.

## Cross-validated agreement with the senior radiologist ({cv['folds']}-fold, by patient, out-of-fold predictions)
{chr(10).join(_table(cv, key))}

Junior and mean-predictor rows use the same images and folds (the mean is each training fold's per-zone mean).
{decision_note}; the "expected score" row uses Σk·p_k, rounded for agreement and κ. Global = sum of the six zone scores.
**The target (CV zone MAE ≤ 0.60) was not met: {_f(cv[key]['zoneMae'])}.** The model beats the per-zone mean
predictor on {beats} of {len(cv['perFold'])} folds and remains far from the junior radiologist.

{chr(10).join(_folds(cv, key))}

{_other_runs(metrics.get("otherRuns", []))}Per-zone MAE ({decision}): {', '.join(f"{z} {_f(v)}" for z, v in per_zone.items())}.
Per-class recall (senior score 0/1/2/3): {' / '.join(_f(r, 2) for r in recall)}; confusion (rows senior, columns BS-Net): {conf}.

## Int8 quantisation
Every Conv/ConvTranspose/Gemm weight ≥ 256 elements is stored as int8 with one scale per output channel and a
DequantizeLinear node; file {metrics['export']['bytes'] / 2**20:.1f} MiB. On the 140 public images (onnxruntime-node, CPU):
zone argmax agreement int8 vs fp32 **{100 * q['zoneArgmaxAgreement']:.2f} %**, max |Δp| {q['maxProbDiff']:.2e}
(mean {q['meanProbDiff']:.2e}); fp32 ONNX vs PyTorch max |Δp| {q['fp32OnnxVsTorchMaxProbDiff']:.1e}.

## Speed
onnxruntime-node 1.30, CPU provider, {lat['int8']['threads']} threads on the training machine (shared, so noisy):
int8 model {lat['int8']['batch1MedianMs']:.0f} ms/image at batch 1, {lat['int8']['batch8MedianMsPerImage']:.0f} ms/image at batch 8;
fp32 graph {lat['fp32']['batch1MedianMs']:.0f} ms/image at batch 1, {lat['fp32']['batch8MedianMsPerImage']:.0f} ms/image at batch 8.
The CPU provider fuses DequantizeLinear+Conv into integer kernels, which can be slower than fp32 (see
shared/device/README.md); a CPU deployment may dequantise the weights once at session creation.
Placement on onnxruntime's WebGPU provider was not checked here (no GPU was available to this task); the graph
has no RoiAlign or AffineGrid, and every resampling is GridSample/Resize.

## Known failure modes and limits
- Tiny training set (140 images, one senior reader as the reference): wide per-fold spread, and middle scores (1, 2) are
  the least reliable (see recall above); the paper's ensemble also had its lowest recall on 1 and 2.
- Low internal resolution ({res}×{res}): fine interstitial patterns are averaged away.
- Frozen segmentation features: the encoder never saw score labels, so it encodes what lung segmentation needs.
- Lung segmentation is trained on mostly normal JSRT films plus 69 COVID films; dense bilateral consolidation,
  large effusions, lateral or rotated films, paediatric films and images with burned-in text can give poor
  masks, and the hard attention then hides the disease from the heads. Check `lung_mask` and `alignment`.
- Many of the 140 images are figures from papers (cropped, annotated, resized); clinical DICOM may differ.
- The score is defined on frontal (AP/PA) radiographs; anything else is out of scope.
"""
    extra = experiments_section()
    path.write_text(text + ("\n" + extra if extra else ""))


def main() -> None:
    """Regenerate the card from the release folder: python3 -m bsnet.model_card"""
    import json
    from . import MODEL_VERSION
    release = Path(__file__).resolve().parent / MODEL_VERSION
    metrics = json.loads((release / "metrics.json").read_text())
    manifest = json.loads((release / "manifest.json").read_text())
    write_model_card(metrics, manifest, release.parent / "MODEL_CARD.md")


if __name__ == "__main__":
    main()
