"""Random affine maps (rotation, zoom, shift, optional mirror) as theta [N,2,3] for GridSample warps."""
import math

import torch
import torch.nn.functional as F


def random_theta(n: int, generator: torch.Generator, max_rotation_deg: float, zoom: float, shift: float,
                 flip: bool = False) -> torch.Tensor:
    """theta mapping output to input coordinates; zoom is the max relative scale change (e.g. 0.2)."""
    def uniform(lo: float, hi: float) -> torch.Tensor:
        return lo + (hi - lo) * torch.rand(n, generator=generator)

    angle = uniform(-max_rotation_deg, max_rotation_deg) * math.pi / 180
    scale = torch.exp(uniform(-math.log1p(zoom), math.log1p(zoom)))
    sx = scale * (torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0) if flip else 1.0)
    tx, ty = uniform(-shift, shift), uniform(-shift, shift)
    cos, sin = torch.cos(angle), torch.sin(angle)
    row0 = torch.stack([sx * cos, -scale * sin, tx], dim=1)
    row1 = torch.stack([sx * sin, scale * cos, ty], dim=1)
    return torch.stack([row0, row1], dim=1)


def warp(x: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def to_homogeneous(theta: torch.Tensor) -> torch.Tensor:
    bottom = torch.tensor([0.0, 0.0, 1.0]).expand(theta.shape[0], 1, 3)
    return torch.cat([theta, bottom], dim=1)


def compose(first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
    """theta of warp(warp(x, first), second): sampling coordinates go through second, then first."""
    return torch.bmm(to_homogeneous(first), to_homogeneous(second))[:, :2]


def invert(theta: torch.Tensor) -> torch.Tensor:
    return torch.linalg.inv(to_homogeneous(theta))[:, :2]


def bbox_theta(masks: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    """theta whose warp makes the mask's bounding box fill the frame (the alignment target, bsnet.md step 4).

    Empty masks get the identity.
    """
    n, _, h, w = masks.shape
    out = torch.zeros(n, 2, 3)
    for i in range(n):
        m = masks[i, 0] >= threshold
        rows = torch.nonzero(m.any(dim=1)).flatten()
        cols = torch.nonzero(m.any(dim=0)).flatten()
        if rows.numel() == 0:
            out[i] = torch.tensor([[1.0, 0, 0], [0, 1.0, 0]])
            continue
        y1, y2 = 2 * rows[0].item() / h - 1, 2 * (rows[-1].item() + 1) / h - 1
        x1, x2 = 2 * cols[0].item() / w - 1, 2 * (cols[-1].item() + 1) / w - 1
        out[i] = torch.tensor([[(x2 - x1) / 2, 0.0, (x1 + x2) / 2], [0.0, (y2 - y1) / 2, (y1 + y2) / 2]])
    return out
