"""BS-Net assembled: 512x512 preprocessed image -> zone probabilities, lung mask, alignment, zone CAMs.

The graph starts with a fixed downsample from 512 to the internal resolution (training on CPU at full
resolution is unaffordable; see the model card) and upsamples the lung mask back to 512.
"""
from typing import Dict, List, Optional, Tuple

import torch
from torch import nn
import torch.nn.functional as F

from .alignment import AlignmentNet, affine_sample, base_grid, region_grid
from .decoder import UNetPlusPlusDecoder
from .encoder import PreActResNet18Encoder
from .heads import RegionPyramid, ZoneHeads
from .zones import boxes_in_zone_order

INPUT_SIZE = 512
SUPPORTED_RESOLUTIONS = (128, 256, 512)
TAP_STRIDES = (4, 8, 16, 32)


class BSNet(nn.Module):
    """BS-Net at an internal resolution dividing 512 (128, 256 or 512)."""

    def __init__(self, resolution: int = 256) -> None:
        super().__init__()
        if resolution not in SUPPORTED_RESOLUTIONS:
            raise ValueError(f"internal resolution must be one of {SUPPORTED_RESOLUTIONS}")
        self.resolution = resolution
        self.encoder = PreActResNet18Encoder()
        self.decoder = UNetPlusPlusDecoder(PreActResNet18Encoder.CHANNELS)
        self.alignment = AlignmentNet(resolution)
        self.pyramid = RegionPyramid()
        self.heads = ZoneHeads()
        self.tap_sizes = [resolution // s for s in TAP_STRIDES]
        boxes = boxes_in_zone_order()
        for k, s in enumerate(self.tap_sizes):
            self.register_buffer(f"warp_grid{k}", base_grid(s, s), persistent=False)
            self.register_buffer(f"crop_grid{k}", region_grid(boxes, s), persistent=False)

    @property
    def cam_size(self) -> int:
        return self.tap_sizes[-1]

    def downsample(self, image: torch.Tensor) -> torch.Tensor:
        """Fixed area average from 512 to the internal resolution (exact: the factor is an integer)."""
        k = INPUT_SIZE // self.resolution
        return image if k == 1 else F.avg_pool2d(image, k, k)

    def segment(self, x: torch.Tensor) -> Tuple[List[torch.Tensor], torch.Tensor]:
        """Encoder skips and the lung probability mask at the internal resolution."""
        skips = self.encoder(x)
        return skips, self.decoder(skips)

    def attend(self, taps: List[torch.Tensor], mask: torch.Tensor, theta: torch.Tensor) -> List[torch.Tensor]:
        """Warp the four taps with theta and multiply by the aligned mask (hard self-attention)."""
        out = []
        for k, (tap, s) in enumerate(zip(taps, self.tap_sizes)):
            grid = getattr(self, f"warp_grid{k}")
            aligned_tap = affine_sample(tap, theta, grid, (s, s))
            aligned_mask = affine_sample(mask, theta, grid, (s, s))
            out.append(aligned_tap * aligned_mask)
        return out

    def crop_regions(self, attended: List[torch.Tensor],
                     jitter: Optional[Tuple[torch.Tensor, torch.Tensor]] = None) -> List[torch.Tensor]:
        """Six overlapping crops of each attended tap, resized to the tap's size, regions folded into batch.

        jitter (training only): per sample and region, a zoom [N,6] and a shift [N,6,2] of each box about
        its centre -- zone borders are fuzzy (bsnet.md: landmarks or equal thirds), so the heads should not
        depend on the exact box.
        """
        crops = []
        for k, (tap, s) in enumerate(zip(attended, self.tap_sizes)):
            grid = getattr(self, f"crop_grid{k}")
            grid = grid.expand(tap.shape[0], -1, -1, -1)
            if jitter is not None:
                zoom, shift = jitter
                g = grid.reshape(-1, 6, s, s, 2)
                centre = g.mean(dim=(2, 3), keepdim=True)
                g = centre + (g - centre) * zoom[:, :, None, None, None] + shift[:, :, None, None, :]
                grid = g.reshape(-1, 6 * s, s, 2)
            c = tap.shape[1]
            stacked = F.grid_sample(tap, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
            crops.append(stacked.reshape(-1, c, 6, s, s).permute(0, 2, 1, 3, 4).reshape(-1, c, s, s))
        return crops

    def score(self, attended: List[torch.Tensor],
              jitter: Optional[Tuple[torch.Tensor, torch.Tensor]] = None) -> Tuple[torch.Tensor, torch.Tensor]:
        """Zone logits [N,6,4] (A..F) and CAMs [N,6,4,h,w] from the attended taps."""
        return self.heads(self.pyramid(self.crop_regions(attended, jitter)))

    def core(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        """The whole network at the internal resolution."""
        skips, mask = self.segment(x)
        theta = self.alignment(mask)
        logits, cams = self.score(self.attend(skips[1:], mask, theta))
        return {"mask": mask, "theta": theta, "logits": logits, "cams": cams}

    def forward(self, image: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """image [N,1,512,512] (bsnet-v1) -> (zone_probs, lung_mask, alignment, zone_cams)."""
        out = self.core(self.downsample(image))
        mask = out["mask"]
        if self.resolution != INPUT_SIZE:
            mask = F.interpolate(mask, scale_factor=INPUT_SIZE // self.resolution, mode="bilinear", align_corners=False)
        return torch.softmax(out["logits"], dim=-1), mask, out["theta"], out["cams"]


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
