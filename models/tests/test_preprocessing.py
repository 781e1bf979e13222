import numpy as np
import pytest
from PIL import Image

from bsnet.golden import CASES, read_case
from bsnet.preprocessing import LEVELS, equalize, preprocess, resize, resize_weights


@pytest.mark.parametrize("shape", [(53, 37), (480, 640), (700, 1000), (512, 300)])
def test_resize_matches_pillow_bilinear_on_float_images(shape):
    x = np.random.default_rng(1).random(shape)
    ours = resize(x)
    pil = np.asarray(Image.fromarray(x.astype(np.float32), "F").resize((512, 512), Image.BILINEAR))
    assert ours.shape == (512, 512)
    assert np.abs(ours - pil).max() < 1e-6


def test_resize_to_same_size_is_identity():
    assert np.array_equal(resize_weights(512), np.eye(512))


def _equalize_loop(x):
    """The brief's step 3-4 written as a literal loop (the TypeScript port's shape)."""
    level = np.clip(np.floor(x * 4095 + 0.5), 0, 4095).astype(int)
    h = np.bincount(level.ravel(), minlength=LEVELS)
    last = max(i for i in range(LEVELS) if h[i] > 0)
    step = (int(h.sum()) - int(h[last])) // LEVELS
    if step == 0:
        lut = list(range(LEVELS))
    else:
        lut, n = [], step // 2
        for i in range(LEVELS):
            lut.append(min(4095, n // step))
            n += int(h[i])
    y = np.array(lut)[level].astype(float)
    return y / y.max() if y.max() > 0 else y * 0


def test_equalize_matches_the_literal_algorithm():
    x = np.random.default_rng(2).beta(2, 5, size=(512, 512))
    assert np.array_equal(equalize(x), _equalize_loop(x))


def test_constant_image_maps_to_ones_and_black_to_zeros():
    assert np.all(preprocess(np.full((20, 30), 117, np.uint8)) == 1.0)
    assert np.all(preprocess(np.zeros((512, 512), np.uint8)) == 0.0)


def test_output_is_float32_unit_range():
    out = preprocess(np.random.default_rng(3).integers(0, 256, (100, 80), dtype=np.uint8))
    assert out.dtype == np.float32 and out.shape == (512, 512)
    assert out.min() >= 0 and out.max() == 1.0


def test_rejects_non_uint8():
    with pytest.raises(ValueError):
        preprocess(np.zeros((10, 10), np.float32))


def test_committed_golden_vectors_reproduce(release_dir):
    folder = release_dir / "golden" / "preprocess"
    files = sorted(folder.glob("*.json"))
    assert {f.stem for f in files} == set(CASES)
    for f in files:
        case = read_case(f)
        assert np.array_equal(preprocess(case["input"]), case["output"]), f.stem
