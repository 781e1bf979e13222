"""Input standardisation + pre-activation ResNet-18 encoder (bsnet.md architecture steps 1-2)."""
from typing import List, Tuple

import torch
from torch import nn
import torch.nn.functional as F


class PreActBlock(nn.Module):
    """Pre-activation basic block (He et al., 2016): BN-ReLU-conv3x3-BN-ReLU-conv3x3 + shortcut."""

    def __init__(self, in_ch: int, out_ch: int, stride: int) -> None:
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_ch)
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_ch)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, 1, 1, bias=False)
        self.shortcut = None
        if stride != 1 or in_ch != out_ch:
            self.shortcut = nn.Conv2d(in_ch, out_ch, 1, stride, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pre = F.relu(self.bn1(x))
        skip = x if self.shortcut is None else self.shortcut(pre)
        out = self.conv1(pre)
        out = self.conv2(F.relu(self.bn2(out)))
        return out + skip


class PreActResNet18Encoder(nn.Module):
    """1-channel ResNet-18 (2,2,2,2) with pre-activation blocks, random init (as in the paper's code).

    Returns the decoder skips (stem /2, layer1 /4, layer2 /8, layer3 /16, bottleneck /32); the four taps
    warped by the spatial transformer are the last four (64, 128, 256, 512 channels).
    """

    CHANNELS = (64, 64, 128, 256, 512)

    def __init__(self) -> None:
        super().__init__()
        # "BatchNorm without scale": a learned standardisation of the single grey channel.
        self.input_norm = nn.BatchNorm2d(1, affine=False)
        self.stem = nn.Conv2d(1, 64, 7, 2, 3, bias=False)
        self.stem_bn = nn.BatchNorm2d(64)
        self.pool = nn.MaxPool2d(3, 2, 1)
        self.layers = nn.ModuleList()
        in_ch = 64
        for i, ch in enumerate((64, 128, 256, 512)):
            stride = 1 if i == 0 else 2
            self.layers.append(nn.Sequential(PreActBlock(in_ch, ch, stride), PreActBlock(ch, ch, 1)))
            in_ch = ch
        self.final_bn = nn.BatchNorm2d(512)

    def forward(self, x: torch.Tensor) -> List[torch.Tensor]:
        x0 = F.relu(self.stem_bn(self.stem(self.input_norm(x))))
        x = self.pool(x0)
        outs = [x0]
        for i, layer in enumerate(self.layers):
            x = layer(x)
            outs.append(F.relu(self.final_bn(x)) if i == 3 else x)
        return outs
