"""BS-Net (Signoroni et al., Medical Image Analysis 71, 2021): Brixia score from a chest radiograph.

The package holds the architecture, the `bsnet-v1` preprocessing, data loading, training ("from the part
to the whole"), evaluation, ONNX export and int8 weight-only quantisation. Artefacts go to
``models/bsnet/<version>/``; the TypeScript service meets this code only through those files.
"""

MODEL_NAME = "bsnet"
MODEL_VERSION = "0.2.0"
PREPROCESSING_ID = "bsnet-v1"
