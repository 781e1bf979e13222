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
from .zones import FLIP_PERMUTATION, boxes_in_zone_order

INPUT_SIZE = 512
SUPPORTED_RESOLUTIONS = (128, 256, 512)
TAP_STRIDES = (4, 8, 16, 32)


class BSNet(nn.Module):
    """BS-Net at an internal resolution dividing 512 (128, 256 or 512).

    flip_average (inference only, no weights of its own): the image and its mirror image go through the
    network together and the zone probabilities are averaged, the mirror's zones A-C swapped with D-F
    (the same left-right symmetry the training augmentation uses).
    """

    def __init__(self, resolution: int = 256, flip_average: bool = False) -> None:
        super().__init__()
        if resolution not in SUPPORTED_RESOLUTIONS:
            raise ValueError(f"internal resolution must be one of {SUPPORTED_RESOLUTIONS}")
        self.resolution = resolution
        self.flip_average = flip_average
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
        # Constant index tensors, so the mirror and the zone swap export as Gather (no Flip op in ONNX).
        self.register_buffer("mirror_index", torch.arange(resolution - 1, -1, -1), persistent=False)
        self.register_buffer("cam_mirror_index", torch.arange(self.tap_sizes[-1] - 1, -1, -1), persistent=False)
        self.register_buffer("zone_swap", torch.tensor(FLIP_PERMUTATION), persistent=False)

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
        x = self.downsample(image)
        if self.flip_average:
            return self._flip_averaged(x)
        out = self.core(x)
        return torch.softmax(out["logits"], dim=-1), self._full_size(out["mask"]), out["theta"], out["cams"]

    def _flip_averaged(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Probabilities and CAMs averaged over the image and its mirror (mirror's maps mirrored back, zones
        swapped); the lung mask and alignment are the image's own."""
        n = x.shape[0]
        out = self.core(torch.cat([x, x.index_select(3, self.mirror_index)], dim=0))
        probs = torch.softmax(out["logits"], dim=-1)
        probs = (probs[:n] + probs[n:].index_select(1, self.zone_swap)) / 2
        cams = out["cams"]
        cams = (cams[:n] + cams[n:].index_select(1, self.zone_swap).index_select(4, self.cam_mirror_index)) / 2
        return probs, self._full_size(out["mask"][:n]), out["theta"][:n], cams

    def _full_size(self, mask: torch.Tensor) -> torch.Tensor:
        if self.resolution != INPUT_SIZE:
            mask = F.interpolate(mask, scale_factor=INPUT_SIZE // self.resolution, mode="bilinear", align_corners=False)
        return mask


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
