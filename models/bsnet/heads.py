"""Feature pyramid shared by the six regions (step 7) and the six independent score heads (step 8)."""
from typing import List, Sequence, Tuple

import torch
from torch import nn
import torch.nn.functional as F


class RegionPyramid(nn.Module):
    """Fine-to-coarse pyramid over the four cropped taps: 64 features, ending at the coarsest tap with 512.

    p1 = 1x1(t1); p_k = 3x3/2(p_{k-1}) + 1x1(t_k); out = BN-ReLU(3x3 conv 512)(p4).
    """

    def __init__(self, tap_channels: Sequence[int] = (64, 128, 256, 512), features: int = 64, out: int = 512):
        super().__init__()
        self.lateral = nn.ModuleList([nn.Conv2d(c, features, 1) for c in tap_channels])
        self.down = nn.ModuleList(
            [nn.Sequential(nn.Conv2d(features, features, 3, 2, 1), nn.BatchNorm2d(features), nn.ReLU(inplace=True))
             for _ in tap_channels[1:]]
        )
        self.out = nn.Sequential(nn.Conv2d(features, out, 3, 1, 1, bias=False), nn.BatchNorm2d(out), nn.ReLU(inplace=True))

    def forward(self, taps: List[torch.Tensor]) -> torch.Tensor:
        p = self.lateral[0](taps[0])
        for k in range(1, len(taps)):
            p = self.down[k - 1](p) + self.lateral[k](taps[k])
        return self.out(p)


class Swish(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(x)


class ZoneHead(nn.Module):
    """3 x [3x3 conv (8) -> BN -> swish] -> 3x3 conv (4): the pre-pooling map is the zone's CAM."""

    def __init__(self, in_ch: int = 512, width: int = 8, classes: int = 4) -> None:
        super().__init__()
        layers: List[nn.Module] = []
        ch = in_ch
        for _ in range(3):
            layers += [nn.Conv2d(ch, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), Swish()]
            ch = width
        layers.append(nn.Conv2d(ch, classes, 3, 1, 1))
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class ZoneHeads(nn.Module):
    """Six heads without shared weights; input [N*6, C, h, w] with the regions folded into the batch."""

    def __init__(self, zones: int = 6, in_ch: int = 512) -> None:
        super().__init__()
        self.zones = zones
        self.heads = nn.ModuleList([ZoneHead(in_ch) for _ in range(zones)])

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Returns (logits [N,6,4], cams [N,6,4,h,w])."""
        c, h, w = x.shape[1], x.shape[2], x.shape[3]
        x = x.reshape(-1, self.zones, c, h, w)
        cams = torch.stack([head(x[:, r]) for r, head in enumerate(self.heads)], dim=1)
        logits = cams.mean(dim=(3, 4))
        return logits, cams
