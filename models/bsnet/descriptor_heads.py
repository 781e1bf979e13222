"""The 0.3.0 score stage: six linear zone heads on region descriptors, softmax or ordinal (CORAL), a small
ensemble of seeds averaged in probability.

Training runs on cached descriptors (descriptors.py: each region crop of each attended tap averaged over
space, 960 numbers). In the exported graph the same heads run per location on the crops average-pooled to
the CAM size (8x8): since a head is linear in its input, the spatial mean of its per-location scores is the
score of the mean descriptor, so the graph's zone probabilities are exactly the trained ones and the
per-location maps are the zone CAMs.

`RegionPool` + `LinearZoneHeads` replace the 0.2.0 `RegionPyramid` + `ZoneHeads` inside BSNet (model.score
calls heads(pyramid(crops))).
"""
from typing import List, Tuple

import torch
from torch import nn
import torch.nn.functional as F

CLASSES = 4
EPS = 1e-6


def ordinal_probs(score: torch.Tensor, thresholds: torch.Tensor) -> torch.Tensor:
    """CORAL: P(y > k) = sigmoid(score - t_k) with t_1 <= t_2 <= t_3, as a distribution over 0..3.

    score [..., 1], thresholds broadcastable to [..., 3] (already ordered) -> [..., 4]."""
    above = torch.sigmoid(score - thresholds)
    ones = torch.ones_like(above[..., :1])
    zeros = torch.zeros_like(above[..., :1])
    cum = torch.cat([ones, above, zeros], dim=-1)
    return (cum[..., :-1] - cum[..., 1:]).clamp_min(0)


def ordered(raw: torch.Tensor) -> torch.Tensor:
    """Increasing thresholds from free parameters [..., 3]: t_1, t_1 + softplus, ..."""
    return torch.cat([raw[..., :1], raw[..., :1] + torch.cumsum(F.softplus(raw[..., 1:]), dim=-1)], dim=-1)


class LinearZoneHeads(nn.Module):
    """E members x six zones, each linear in the standardised 960-d descriptor.

    softmax: scores [.., 4] = x W + b; ordinal: one score x w + b and three ordered thresholds.
    forward(descriptors [N,6,D] or [E,N,6,D]) -> probabilities [E,N,6,4] (training and CV).
    """

    def __init__(self, members: int, dim: int, ordinal: bool, zones: int = 6) -> None:
        super().__init__()
        self.ordinal = ordinal
        out = 1 if ordinal else CLASSES
        self.weight = nn.Parameter(torch.randn(members, zones, dim, out) * 0.01)
        self.bias = nn.Parameter(torch.zeros(members, zones, out))
        self.thresholds = nn.Parameter(torch.tensor([-1.0, 0.0, 0.0]).repeat(members, zones, 1))
        self.register_buffer("mean", torch.zeros(dim))
        self.register_buffer("std", torch.ones(dim))

    def scores(self, x: torch.Tensor) -> torch.Tensor:
        """x [N,6,D] (shared by the members) or [E,N,6,D] (one sample per member) -> [E,N,6,out]."""
        return self.scores_standardised((x - self.mean) / self.std)

    def scores_standardised(self, z: torch.Tensor) -> torch.Tensor:
        """scores of inputs already standardised with mean/std (training standardises its sets once)."""
        # A batched matmul over (member, zone): several times faster than the einsum in the backward pass.
        zz = z.transpose(0, 1)[None] if z.dim() == 3 else z.transpose(1, 2)        # [1|E,6,N,D]
        return torch.matmul(zz, self.weight).transpose(1, 2) + self.bias[:, None]

    def probs_from_scores(self, s: torch.Tensor) -> torch.Tensor:
        if self.ordinal:
            return ordinal_probs(s, ordered(self.thresholds)[:, None])
        return torch.softmax(s, dim=-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.probs_from_scores(self.scores(x))

    def penalty(self) -> torch.Tensor:
        return (self.weight ** 2).sum() / self.weight.shape[0]


class RegionPool(nn.Module):
    """The exported stand-in for the pyramid: each tap's region crops average-pooled to size x size and
    concatenated, [N*6, 960, size, size]."""

    def __init__(self, size: int = 8) -> None:
        super().__init__()
        self.size = size

    def forward(self, crops: List[torch.Tensor]) -> torch.Tensor:
        return torch.cat([F.adaptive_avg_pool2d(c, self.size) for c in crops], dim=1)


class ExportedZoneHeads(nn.Module):
    """LinearZoneHeads in the graph: standardisation folded into the weights, scores per location.

    Input [N*6, D, h, w] (regions folded into the batch, zone order A..F); returns (log of the ensemble's
    mean probability [N,6,4], CAMs [N,6,4,h,w]); BSNet applies softmax, which gives back the probability.
    CAM = the members' mean per-location class scores (softmax) or per-location log-probabilities (ordinal).
    """

    def __init__(self, trained: LinearZoneHeads, zones: int = 6) -> None:
        super().__init__()
        self.zones = zones
        self.ordinal = trained.ordinal
        w = trained.weight.detach() / trained.std[None, None, :, None]
        b = trained.bias.detach() - torch.einsum("d,ezdo->ezo", trained.mean / trained.std, trained.weight.detach())
        members, _, dim, out = w.shape
        # [6, D, E*out]: one MatMul per zone (broadcast over the batch and the locations).
        self.register_buffer("weight", w.permute(1, 2, 0, 3).reshape(zones, dim, members * out).contiguous())
        self.register_buffer("bias", b.permute(1, 0, 2).reshape(zones, members * out).contiguous())
        self.register_buffer("thresholds", ordered(trained.thresholds.detach()).permute(1, 0, 2).contiguous())
        self.members, self.out = members, out

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        c, h, w = x.shape[1], x.shape[2], x.shape[3]
        x = x.reshape(-1, self.zones, c, h * w).transpose(2, 3)                    # [N,6,hw,D]
        s = torch.matmul(x, self.weight) + self.bias[:, None, :]                    # [N,6,hw,E*out]
        s = s.reshape(-1, self.zones, h * w, self.members, self.out)
        pooled = s.mean(dim=2)                                                      # [N,6,E,out]
        if self.ordinal:
            probs = ordinal_probs(pooled, self.thresholds[None]).mean(dim=2)
            local = torch.log(ordinal_probs(s, self.thresholds[None, :, None]) + EPS).mean(dim=3)
        else:
            probs = torch.softmax(pooled, dim=-1).mean(dim=2)
            local = s.mean(dim=3)
        cams = local.permute(0, 1, 3, 2).reshape(-1, self.zones, CLASSES, h, w)
        return torch.log(probs + EPS), cams
