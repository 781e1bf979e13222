"""Stage 3b toward 0.3.0, the CPU-affordable variant: the deepest encoder stage (layer4, whose output is
the 512-channel tap 3) fine-tuned together with the linear ordinal zone heads; everything else frozen.

Why only layer4: a full-encoder fine-tune costs a front pass (~1 CPU-second at 256) per image and step,
unaffordable on the shared 2-core machine. With the stem, layers 1-3, the decoder and the alignment frozen,
one frozen pass per image and view (identity, mirror) keeps what layer4 needs -- its input (layer3's
output), the lung mask warped with theta onto tap 3's grid, theta -- and the region descriptors of taps
0-2 (the first 448 of the 960 numbers, which cannot change). A training step then costs layer4 forward and
back on 16x16 inputs (~0.03 CPU-s per image).

Regularisation (~112 training images): layer4's BatchNorm statistics frozen (eval mode; the affine
parameters learn), a low learning rate for layer4 (AdamW) beside the heads' higher one, an L2 pull of
layer4 towards its pretrained weights (L2-SP), few epochs, and early stopping on an inner split: within
each outer fold one training fold (patients) is held out, the joint fit is scored on it every `every`
epochs for each of layer4's learning rates, the best (learning rate, epochs) is refitted on all four
training folds and predicts the outer fold. Epoch 0 of a fit is the stage-3a head (fitted on the frozen
descriptors), so the stage-3a baseline comes from the same run, folds and seeds (paired). The normal
JSRT films join every training fold as low-weight all-zero examples (they are not brixia-public patients).

    cd models && OMP_NUM_THREADS=1 nice -n 19 /usr/bin/python3 -m bsnet.finetune030 --shared ../../../shared \
        --out runs/stage3b --threads 1
"""
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from .cli import Log, experiment_parser, experiment_run
from .cv import FOLDS, patient_folds
from .cv030 import zone_mae
from .evaluate import fold_report
from .experiments_card import EXPERIMENTS_DIR
from .paired import calibration, paired_report
from .semi import Extras, describe_config, fit_heads, soft_zone_targets
# The moving parts live in bsnet.finetune_layer4; the names the tests and the report use are re-exported here.
from .finetune_layer4 import (  # noqa: F401
    BASE_HEAD, FROZEN_DIM, FRONT_VIEWS, SUMMARY_NAME, DeepStage, FinetuneConfig, FrontFeatures, Problem,
    cached_front_features, choose, front_features_of_view, inner_split, normal_images, predict_flip_averaged,
    run_fold, stage3a_heads, train_jointly)


# ---------------------------------------------------------------------------------------------- report

def summary_of(probs: np.ndarray, data, folds: np.ndarray, done: np.ndarray) -> Dict:
    """Pooled median-decision figures vs the senior reader over the images of the folds run (done), per-fold
    zone MAE, calibration of the decided score's probability."""
    p, senior = probs[done], data.senior[done]
    med = fold_report(p, senior, data.senior_global[done], data.junior[done], data.junior_global[done],
                      p.argmax(-1))["modelMedian"]
    return {"zoneMae": med["zoneMae"], "globalMae": med["globalMae"], "exactAgreement": med["exactAgreement"],
            "kappaQuadratic": med["kappaQuadratic"],
            "perFoldZoneMae": {int(f): zone_mae(probs[folds == f], data.senior[folds == f])
                               for f in sorted(set(folds[done].tolist()))},
            "eceMedianDecision": calibration(p, senior)["eceMedianDecision"]}


def run(shared: Path, out_dir: Path, log: Log, cfg: FinetuneConfig, front_onnx: Path,
        fold_ids: Sequence[int] = range(FOLDS), summary_name: str = SUMMARY_NAME) -> Dict:
    from .data import load_score_set
    from .descriptors import load_descriptors
    from .from_onnx import load_onnx_weights
    cpu0 = time.process_time()
    model = load_onnx_weights(front_onnx, 256)
    data = load_score_set(256, shared)
    folds = patient_folds(data.patients)
    feats = cached_front_features(model, "brixia", lambda: data.images, log)
    normal = cached_front_features(model, "normal", lambda: normal_images(shared), log) if cfg.head.normal > 0 else None
    front_cpu = time.process_time() - cpu0
    targets = soft_zone_targets(data.senior, data.junior, cfg.head.junior_weight)
    problem = Problem(feats, targets, data.senior, folds, normal, DeepStage(model), cfg)
    report: Dict = {"config": {**{k: getattr(cfg, k) for k in cfg.__dataclass_fields__ if k != "head"},
                               "head": describe_config(cfg.head)},
                    "frontCpuSeconds": front_cpu, "folds": []}
    report["descriptorCheck"] = descriptor_check(feats, load_descriptors("brixia"))
    n = len(data.senior)
    arms = {"stage3b": np.zeros((n, 6, 4), np.float32), "stage3a": np.zeros((n, 6, 4), np.float32),
            "stage3aPlain": np.zeros((n, 6, 4), np.float32)}
    for f in fold_ids:
        c0 = time.process_time()
        res = run_fold(problem, f)
        test = folds == f
        preds = res.pop("predictions")
        arms["stage3b"][test] = preds[res["chosenEpochs"]]
        arms["stage3a"][test] = preds[0]
        # The best head recipe so far without the normal films, same training images and seed.
        plain = stage3a_heads(BASE_HEAD, feats.rows(folds != f), targets[torch.from_numpy(folds != f)], None, 1000 + f)
        arms["stage3aPlain"][test] = predict_flip_averaged(problem.template, plain, feats.rows(test))
        res["outerCurveVisibilityOnly"] = {e: zone_mae(p, data.senior[test]) for e, p in preds.items()}
        res["cpuSeconds"] = time.process_time() - c0
        report["folds"].append(res)
        log(f"fold {f}: lr {res['chosenLr']:g}, {res['chosenEpochs']} epochs (inner "
            f"{res['innerCurves'][res['chosenLr']][res['chosenEpochs']]:.3f}); outer zone MAE 3b "
            f"{zone_mae(arms['stage3b'][test], data.senior[test]):.3f}, 3a {zone_mae(arms['stage3a'][test], data.senior[test]):.3f}, "
            f"3a plain {zone_mae(arms['stage3aPlain'][test], data.senior[test]):.3f} ({res['cpuSeconds']:.0f} CPU-s)")
    done = np.isin(folds, list(fold_ids))
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, probs in arms.items():
        np.save(out_dir / ("oof_probs.npy" if name == "stage3b" else f"oof_probs_{name}.npy"), probs)
    report["arms"] = {name: summary_of(p, data, folds, done) for name, p in arms.items()}
    patients = [p for p, d in zip(data.patients, done) if d]
    report["paired"] = {f"stage3b-vs-{b}": paired_report(arms["stage3b"][done], arms[b][done], data.senior[done],
                                                         patients, folds[done]) for b in ("stage3a", "stage3aPlain")}
    report["cpuSeconds"] = time.process_time() - cpu0
    report["foldsRun"] = list(fold_ids)
    (out_dir / "report.json").write_text(json.dumps(report, indent=1, default=_json_key))
    if sorted(fold_ids) == list(range(FOLDS)):
        EXPERIMENTS_DIR.mkdir(exist_ok=True)
        (EXPERIMENTS_DIR / f"{summary_name}.json").write_text(
            json.dumps(summary_document(report), indent=1, default=_json_key) + "\n")
    return report


ARM_LABELS = {"stage3b": "stage 3b: layer4 + heads fine-tuned (inner-split early stopping)",
              "stage3a": "stage 3a: the same heads on the frozen descriptors (epoch 0 of the same fits)",
              "stage3aPlain": "stage 3a without the normal films (ordinal l2=0.01, the best recipe so far)",
              "stage3aCachedJittered": ("stage 3a as bsnet.cv030 scores ordinal l2=0.01 x1 (models/.cache/descriptors, "
                                        "identity + mirror with 3 box jitters each, seed = fold)")}


def add_cached_descriptor_baseline(shared: Path, out_dir: Path, log: Log, summary_name: str = SUMMARY_NAME,
                                   notes: Sequence[str] = ()) -> Dict:
    """Adds to a finished run the stage-3a arm as bsnet.cv030 fits it on the shared descriptor cache (box
    jitters as augmentation, seed = fold), which links this run's baselines to cv030's outer-fold figures;
    paired against the fine-tuned arm, then the report and the committed summary are rewritten."""
    from .data import load_score_set
    from .descriptors import load_descriptors
    from .semi import predict
    report = json.loads((out_dir / "report.json").read_text())
    data = load_score_set(256, shared)
    folds = patient_folds(data.patients)
    desc = torch.from_numpy(load_descriptors("brixia")[:, :len(FRONT_VIEWS)])
    targets = soft_zone_targets(data.senior, data.junior, BASE_HEAD.junior_weight)
    fold_ids = report["foldsRun"]
    oof = np.zeros((len(folds), 6, 4), np.float32)
    for f in fold_ids:
        train = torch.from_numpy(folds != f)
        heads = fit_heads(BASE_HEAD, desc[train], targets[train], Extras(), f)
        oof[folds == f] = predict(heads, desc[torch.from_numpy(folds == f)])
    np.save(out_dir / "oof_probs_stage3aCachedJittered.npy", oof)
    done = np.isin(folds, fold_ids)
    report["arms"]["stage3aCachedJittered"] = summary_of(oof, data, folds, done)
    stage3b = np.load(out_dir / "oof_probs.npy")
    report["paired"]["stage3b-vs-stage3aCachedJittered"] = paired_report(
        stage3b[done], oof[done], data.senior[done], [p for p, d in zip(data.patients, done) if d], folds[done])
    report["notes"] = list(notes)
    log(f"stage 3a on the cached jittered descriptors: zone MAE {report['arms']['stage3aCachedJittered']['zoneMae']:.3f}")
    (out_dir / "report.json").write_text(json.dumps(report, indent=1, default=_json_key))
    if sorted(fold_ids) == list(range(FOLDS)):
        (EXPERIMENTS_DIR / f"{summary_name}.json").write_text(
            json.dumps(summary_document(report), indent=1, default=_json_key) + "\n")
    return report


def inner_curve_step(report: Dict) -> float:
    """Mean |change| of the inner zone MAE between consecutive checkpoints: how noisy the stopping signal is."""
    steps = [abs(b - a) for f in report["folds"] for c in f["innerCurves"].values()
             for a, b in zip(list(c.values()), list(c.values())[1:])]
    return float(np.mean(steps)) if steps else float("nan")


def summary_notes(report: Dict) -> List[str]:
    """What the figures do and do not show, stated with the run."""
    check = report["descriptorCheck"]
    notes = [
        "CPU variant: only layer4 (and the final BatchNorm's affine parameters) trains with the heads; a "
        "full-encoder fine-tune was not run. No severity-extra weak loss (CPU).",
        f"The stopping signal is noisy: the inner held-out fold has about 28 images, and its zone MAE moves "
        f"by {inner_curve_step(report):.3f} on average between checkpoints {report['config']['every']} epochs "
        f"apart, the size of the differences it chooses between.",
        "The outer fold's zone MAE by epoch of the refit is shown for visibility only; no choice used it (with a "
        "constant learning rate the refit's predictions at the chosen epoch are those of a fit stopped there).",
        "Stage 3b and its stage-3a arms use the unjittered region boxes (taps 0-2 are cached once); "
        "stage3aCachedJittered is bsnet.cv030's recipe on the shared descriptor cache with 3 box jitters as "
        "augmentation (seed = fold), which reproduces cv030's outer-fold figure for ordinal l2=0.01 x1.",
    ]
    notes += report.get("notes", [])
    if check.get("compared"):
        notes.append(f"This run's frozen descriptors match models/.cache/descriptors (jitter 0, "
                     f"{' + '.join(check['views'])}) within {check['maxAbsDiffTaps012']:.4f} (taps 0-2) and "
                     f"{check['maxAbsDiffTap3']:.4f} (tap 3), float16 storage rounding at a mean |value| of "
                     f"{check['meanAbsValue']:.2f}: the 960 numbers are taps 0-2 (448) then tap 3 (512).")
    return notes


def summary_document(report: Dict) -> Dict:
    """The committed summary (bsnet/experiments/0.3.0-stage3b.json) that experiments_card renders."""
    cfg = report["config"]
    return {
        "kind": "stage3b",
        "title": ("Stage 3b toward 0.3.0: the deepest encoder stage fine-tuned (CPU variant, layer4 learning rate "
                  + " or ".join(f"{v:g}" for v in cfg["stage_lrs"]) + ", not released)"),
        "summary": (
            "Encoder fine-tuning retried on the 0.2.0 front with the linear ordinal zone heads of 0.3.0, in the "
            "variant the shared 2-core CPU affords: only layer4 (the 512-channel tap 3) trains with the heads; "
            "the stem, layers 1-3, decoder and alignment stay frozen (one frozen pass per image and view keeps "
            "layer4's input, the aligned mask, theta and the 448 descriptor numbers of taps 0-2). "
            f"Regularisation: BatchNorm statistics frozen, layer4 learning rate {' or '.join(f'{v:g}' for v in cfg['stage_lrs'])} "
            f"(AdamW, decay {cfg['weight_decay']:g}) against the heads' {cfg['head_lr']:g}, an L2 pull "
            f"{cfg['pull']:g} towards the pretrained layer4, at most {cfg['max_epochs']} epochs of batch "
            f"{cfg['batch']}; the learning rate "
            f"{'and the epoch are' if len(cfg['stage_lrs']) > 1 else 'is fixed a priori (CPU); the epoch is'} "
            f"chosen per outer fold on one held-out training fold (patients), scored every "
            f"{cfg['every']} epochs; then refitted on the four training folds. The heads start from the stage-3a "
            f"fit on the frozen descriptors; the {'93 normal JSRT films join every training fold as all-zero examples (weight ' + format(cfg['head']['normal'], 'g') + ')' if cfg['head']['normal'] else 'normal films are not used'}. "
            "Flip augmentation by sampling the mirror view; predictions flip-averaged, median decision, against "
            "the senior reader. Not a full-encoder fine-tune (about 1 CPU-s per image and step at 256)."),
        "config": cfg,
        "arms": {k: {"label": ARM_LABELS[k], **v} for k, v in report["arms"].items()},
        "paired": {k: {"zoneMaeDifference": v["zoneMaeDifference"], "globalMaeDifference": v["globalMaeDifference"]}
                   for k, v in report["paired"].items()},
        "perFold": [{k: f[k] for k in ("fold", "innerHeldFold", "chosenLr", "chosenEpochs", "innerCurves",
                                        "outerCurveVisibilityOnly", "cpuSeconds")} for f in report["folds"]],
        "descriptorCheck": report["descriptorCheck"],
        "notes": summary_notes(report),
        "frontCpuSeconds": report["frontCpuSeconds"],
        "cpuSeconds": report["cpuSeconds"],
        "threads": 1,
    }


def descriptor_check(feats: FrontFeatures, cached: Optional[np.ndarray]) -> Dict:
    """How far this run's frozen descriptors are from models/.cache/descriptors (jitter 0), per part: checks
    that the first 448 numbers are taps 0-2 and that the front is the same."""
    if cached is None:
        return {"compared": False}
    views = min(cached.shape[1], len(FRONT_VIEWS))
    ref = torch.from_numpy(cached[:, :views, 0].astype(np.float32))
    mine = feats.descriptors()[:, :views, 0].float()
    scale = ref.abs().mean().item()
    return {"compared": True, "views": list(FRONT_VIEWS[:views]), "maxAbsDiffTaps012": float((mine[..., :FROZEN_DIM] - ref[..., :FROZEN_DIM]).abs().max()),
            "maxAbsDiffTap3": float((mine[..., FROZEN_DIM:] - ref[..., FROZEN_DIM:]).abs().max()),
            "meanAbsValue": scale}


def _json_key(o):
    return float(o) if isinstance(o, (np.floating,)) else str(o)


def main() -> None:
    p = experiment_parser(__doc__)
    p.add_argument("--front-onnx", type=Path, default=Path(__file__).resolve().parent / "0.2.0" / "model.onnx")
    p.add_argument("--max-epochs", type=int, default=FinetuneConfig.max_epochs)
    p.add_argument("--no-normal", action="store_true", help="leave the normal JSRT films out")
    p.add_argument("--stage-lrs", type=float, nargs="+", default=list(FinetuneConfig.stage_lrs),
                   help="layer4's learning rates compared on the inner split")
    p.add_argument("--folds", type=int, nargs="*", default=list(range(FOLDS)))
    p.add_argument("--add-cached-baseline", action="store_true",
                   help="add to --out's finished run the stage-3a arm on models/.cache/descriptors (as cv030 fits it)")
    p.add_argument("--summary-name", default=SUMMARY_NAME, help="bsnet/experiments/<name>.json")
    p.add_argument("--note", action="append", default=[], help="with --add-cached-baseline: a note for the summary")
    a = p.parse_args()
    if a.add_cached_baseline:
        with experiment_run(a, "finetune030.log") as log:
            add_cached_descriptor_baseline(a.shared, a.out, log, a.summary_name, a.note)
        return
    cfg = FinetuneConfig(max_epochs=a.max_epochs, stage_lrs=tuple(a.stage_lrs))
    if a.no_normal:
        cfg = replace(cfg, head=BASE_HEAD)
    with experiment_run(a, "finetune030.log") as log:
        run(a.shared, a.out, log, cfg, a.front_onnx, a.folds, a.summary_name)


if __name__ == "__main__":
    main()
