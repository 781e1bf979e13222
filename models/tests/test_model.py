import pytest
import torch
import torch.nn.functional as F

from bsnet.alignment import affine_sample, base_grid, region_grid
from bsnet.model import BSNet, count_parameters
from bsnet.zones import boxes_in_zone_order


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return BSNet(128).eval()


def test_output_shapes(model):
    with torch.no_grad():
        probs, mask, theta, cams = model(torch.rand(2, 1, 512, 512))
    assert probs.shape == (2, 6, 4)
    assert mask.shape == (2, 1, 512, 512)
    assert theta.shape == (2, 2, 3)
    assert cams.shape == (2, 6, 4, 4, 4)
    assert torch.allclose(probs.sum(-1), torch.ones(2, 6), atol=1e-6)
    assert 0 <= mask.min() and mask.max() <= 1


def test_parameter_count_is_bsnet_sized(model):
    assert 15e6 < count_parameters(model) < 21e6


def test_alignment_is_identity_at_init(model):
    theta = model.alignment(torch.rand(3, 1, 128, 128))
    assert torch.allclose(theta, torch.tensor([[1.0, 0, 0], [0, 1.0, 0]]).expand(3, 2, 3))
    x = torch.rand(1, 3, 16, 16)
    assert torch.allclose(affine_sample(x, theta[:1], base_grid(16, 16), (16, 16)), x, atol=1e-5)


def test_base_grid_matches_torch_affine_grid():
    theta = torch.tensor([[[0.9, -0.2, 0.1], [0.3, 1.1, -0.05]]])
    ours = torch.matmul(base_grid(8, 8), theta.transpose(1, 2)).reshape(1, 8, 8, 2)
    ref = F.affine_grid(theta, [1, 1, 8, 8], align_corners=False)
    assert torch.allclose(ours, ref, atol=1e-6)


def test_region_crops_sample_their_boxes():
    size = 40
    ys = (torch.arange(size) + 0.5) / size
    coords = torch.stack(torch.meshgrid(ys, ys, indexing="ij")).unsqueeze(0)  # [1,2,H,W] = (y, x) fractions
    crops = F.grid_sample(coords, region_grid(boxes_in_zone_order(), size), padding_mode="border",
                          align_corners=False)
    crops = crops.reshape(1, 2, 6, size, size)
    for r, (y1, x1, y2, x2) in enumerate(boxes_in_zone_order()):
        y, x = crops[0, 0, r], crops[0, 1, r]
        assert abs(y.min() - y1) < 0.02 and abs(y.max() - y2) < 0.02, r
        assert abs(x.min() - x1) < 0.02 and abs(x.max() - x2) < 0.02, r


def test_heads_see_their_own_zone(model):
    """Only the image-right lower quadrant lit: the crop of F is non-zero and that of A is zero."""
    s = model.tap_sizes[0]
    tap = torch.zeros(1, 64, s, s)
    tap[..., int(0.75 * s):, int(0.75 * s):] = 1.0
    attended = [tap] + [torch.zeros(1, c, t, t) for c, t in zip((128, 256, 512), model.tap_sizes[1:])]
    crops = model.crop_regions(attended)[0].reshape(1, 6, 64, s, s)
    sums = crops.sum(dim=(2, 3, 4))[0]
    assert sums[5] > 0 and sums[0] == 0 and sums[3] == 0


def test_resolution_must_divide_512():
    with pytest.raises(ValueError):
        BSNet(192)


def test_flip_average_is_the_mean_of_the_image_and_its_mirror_with_zones_swapped(model):
    from bsnet.zones import FLIP_PERMUTATION
    averaged = BSNet(128, flip_average=True).eval()
    averaged.load_state_dict(model.state_dict())
    x = torch.rand(2, 1, 512, 512)
    with torch.no_grad():
        probs, mask, theta, cams = averaged(x)
        plain, mirror = model(x), model(torch.flip(x, dims=[3]))
    swap = list(FLIP_PERMUTATION)
    assert torch.allclose(probs, (plain[0] + mirror[0][:, swap]) / 2, atol=1e-6)
    assert torch.allclose(cams, (plain[3] + torch.flip(mirror[3][:, swap], dims=[4])) / 2, atol=1e-6)
    assert torch.equal(mask, plain[1]) and torch.equal(theta, plain[2])
    # A symmetric image gives left-right symmetric zone probabilities.
    sym = torch.cat([x[..., :256], torch.flip(x[..., :256], dims=[3])], dim=3)
    with torch.no_grad():
        p = averaged(sym)[0]
    assert torch.allclose(p, p[:, swap], atol=1e-5)
