"""Nested U-Net (UNet++, Zhou et al. 2018) segmentation decoder with the lung-mask head (step 3)."""
from typing import Dict, List, Sequence, Tuple

import torch
from torch import nn


def _up(in_ch: int, out_ch: int) -> nn.Sequential:
    """4x4 stride-2 transposed conv -> BN -> ReLU (bsnet.md: each node's upsampling)."""
    return nn.Sequential(
        nn.ConvTranspose2d(in_ch, out_ch, 4, 2, 1, bias=False), nn.BatchNorm2d(out_ch), nn.ReLU(inplace=True)
    )


def _conv(in_ch: int, out_ch: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_ch, out_ch, 3, 1, 1, bias=False), nn.BatchNorm2d(out_ch), nn.ReLU(inplace=True))


class UNetPlusPlusDecoder(nn.Module):
    """Decoder nodes X[i][j] (level i at stride 2^(i+1), column j) with filters 256/128/64/32/16.

    X[i][0] are the encoder skips; X[i][j] = conv3x3(concat(up(X[i+1][j-1]), X[i][0..j-1])). The last column
    is upsampled to full resolution (16 filters) and mapped to one sigmoid channel: the lung probability.
    """

    LEVEL_FILTERS = (32, 64, 128, 256)  # levels /2, /4, /8, /16
    FINAL_FILTERS = 16

    def __init__(self, skip_channels: Sequence[int]) -> None:
        super().__init__()
        self.depth = len(skip_channels) - 1  # 4
        self.ups = nn.ModuleDict()
        self.convs = nn.ModuleDict()
        out_ch: Dict[Tuple[int, int], int] = {(i, 0): c for i, c in enumerate(skip_channels)}
        for j in range(1, self.depth + 1):
            for i in range(0, self.depth - j + 1):
                f = self.LEVEL_FILTERS[i]
                self.ups[f"{i}_{j}"] = _up(out_ch[(i + 1, j - 1)], f)
                cat = f + sum(out_ch[(i, k)] for k in range(j))
                self.convs[f"{i}_{j}"] = _conv(cat, f)
                out_ch[(i, j)] = f
        top = out_ch[(0, self.depth)]
        self.final_up = _up(top, self.FINAL_FILTERS)
        self.final_conv = _conv(self.FINAL_FILTERS, self.FINAL_FILTERS)
        self.head = nn.Conv2d(self.FINAL_FILTERS, 1, 3, 1, 1)

    def forward(self, skips: List[torch.Tensor]) -> torch.Tensor:
        nodes: Dict[Tuple[int, int], torch.Tensor] = {(i, 0): s for i, s in enumerate(skips)}
        for j in range(1, self.depth + 1):
            for i in range(0, self.depth - j + 1):
                up = self.ups[f"{i}_{j}"](nodes[(i + 1, j - 1)])
                cat = torch.cat([up] + [nodes[(i, k)] for k in range(j)], dim=1)
                nodes[(i, j)] = self.convs[f"{i}_{j}"](cat)
        x = self.final_conv(self.final_up(nodes[(0, self.depth)]))
        return torch.sigmoid(self.head(x))
