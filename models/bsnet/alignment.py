"""Spatial transformer (step 4) and the grid machinery for warping and region crops (steps 5-6).

ONNX opset 17 has no AffineGrid and PyTorch 1.13 cannot export `affine_grid`, and onnxruntime's WebGPU
provider runs RoiAlign on the CPU (shared/device/README.md). So every resampling here is a GridSample whose
grid is a constant base grid (x, y, 1 per output pixel, align_corners=False centres) times theta^T.
"""
from typing import Sequence, Tuple

import torch
from torch import nn
import torch.nn.functional as F

ALIGN_INPUT = 128


def base_grid(height: int, width: int) -> torch.Tensor:
    """[1, H*W, 3] rows (x, y, 1) at pixel centres in [-1, 1] (GridSample align_corners=False)."""
    ys = (torch.arange(height, dtype=torch.float32) * 2 + 1) / height - 1
    xs = (torch.arange(width, dtype=torch.float32) * 2 + 1) / width - 1
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([gx, gy, torch.ones_like(gx)], dim=-1).reshape(1, height * width, 3)


def affine_sample(x: torch.Tensor, theta: torch.Tensor, grid: torch.Tensor, size: Tuple[int, int]) -> torch.Tensor:
    """Bilinear warp of x with per-sample theta [N,2,3] onto `size`, using a precomputed base grid."""
    sampling = torch.matmul(grid, theta.transpose(1, 2)).reshape(-1, size[0], size[1], 2)
    return F.grid_sample(x, sampling, mode="bilinear", padding_mode="zeros", align_corners=False)


def box_theta(box: Sequence[float]) -> torch.Tensor:
    """Affine [2,3] mapping the output frame onto box [y1,x1,y2,x2] (fractions) of the input frame."""
    y1, x1, y2, x2 = box
    return torch.tensor([[x2 - x1, 0.0, x1 + x2 - 1.0], [0.0, y2 - y1, y1 + y2 - 1.0]], dtype=torch.float32)


def region_grid(boxes: Sequence[Sequence[float]], size: int) -> torch.Tensor:
    """Constant grid [1, R*size, size, 2]: the R box crops stacked vertically (crop-and-resize to size^2)."""
    base = base_grid(size, size)[0]
    parts = [(base @ box_theta(b).T).reshape(size, size, 2) for b in boxes]
    return torch.cat(parts, dim=0).unsqueeze(0)


class AlignmentNet(nn.Module):
    """Mask -> affine theta that centres, zooms and rotates the lungs to fill the frame; identity at init."""

    def __init__(self, mask_size: int = ALIGN_INPUT) -> None:
        super().__init__()
        self.mask_size = mask_size
        self.features = nn.Sequential(
            nn.MaxPool2d(2), nn.Conv2d(1, 20, 5), nn.MaxPool2d(2), nn.Conv2d(20, 20, 5)
        )
        side = ((ALIGN_INPUT // 2 - 4) // 2) - 4
        self.fc1 = nn.Linear(20 * side * side, 50)
        self.fc2 = nn.Linear(50, 6)
        nn.init.zeros_(self.fc2.weight)
        with torch.no_grad():
            self.fc2.bias.copy_(torch.tensor([1.0, 0.0, 0.0, 0.0, 1.0, 0.0]))

    def forward(self, mask: torch.Tensor) -> torch.Tensor:
        size = self.mask_size  # static, so the exported graph has no shape-dependent branches
        if size > ALIGN_INPUT:
            # "the mask max-pooled to 128x128" (adaptive pooling; the internal resolution divides it evenly).
            k = size // ALIGN_INPUT
            mask = F.max_pool2d(mask, k, k)
        elif size < ALIGN_INPUT:
            mask = F.interpolate(mask, size=(ALIGN_INPUT, ALIGN_INPUT), mode="nearest")
        x = self.features(mask).flatten(1)
        return self.fc2(F.relu(self.fc1(x))).reshape(-1, 2, 3)
