"""A wider decoder that starts out computing exactly what a trained narrow one does.

The shipped model misfits its own training images about as much as held-out ones
(ShanghaiTech B: train MAE 14.3, validation 13.7), so it lacks capacity rather than data. Its
decoder has 32 channels. Training a wider one from scratch would throw away six releases of
training; instead the narrow decoder is embedded in the wider one ("Net2WiderNet", Chen et
al., ICLR 2016, in its zero-init form): the old channels keep their weights, the new
channels start random, and every weight that reads a new channel into an old one starts at
zero. The output is unchanged until training moves those zeros, so a short run can only
start from where the release was.
"""

from __future__ import annotations

import torch
from torch import nn

from monitor.training.model import DensityNet, build_model

# Decoder layers whose output channels widen; the new outputs are read by nothing old.
_FAN_OUT_ONLY = ("lateral.0", "top.0", "context_projection")
# Head layers: their old outputs must read only the old input channels.
_HEAD_LAYERS = ("head.0.0", "head.1.0", "head.2.0", "head.3")


def _conv(model: nn.Module, name: str) -> nn.Conv2d:
    module = model.get_submodule(name)
    if not isinstance(module, nn.Conv2d):
        raise TypeError(f"{name} is not a convolution")
    return module


def _input_map(name: str, narrow: int, wide: int) -> list[int]:
    """Where each old input channel of a head layer sits among the new ones. The first head
    layer reads [lateral, top] concatenated, so its top half moves up with the lateral half's
    new channels."""
    if name == "head.0.0":
        return [*range(narrow), *range(wide, wide + narrow)]
    return list(range(narrow))


def widen_decoder(model: DensityNet, width: int) -> DensityNet:
    """A copy of `model` whose decoder layers have `width` channels and whose output is the
    same for every input (up to float rounding). Raises ValueError if `width` is not wider."""
    narrow = model.width
    if model.has_scene:
        # Its gains and shifts are per channel too; widen first, then add the conditioning.
        raise ValueError("cannot widen a decoder with scene conditioning")
    if model.has_fine:
        # Its projection feeds the lateral's channels; widen first, then add it.
        raise ValueError("cannot widen a decoder with the fine projection")
    if width <= narrow:
        raise ValueError(f"the decoder already has {narrow} channels; cannot widen to {width}")
    wide = build_model(context=model.has_context, width=width)
    decoder = {f"{name}." for name in ("lateral", "top", "head", "context_projection")}
    shared = {
        key: value
        for key, value in model.state_dict().items()
        if not any(key.startswith(prefix) for prefix in decoder)
    }
    wide.load_state_dict(shared, strict=False)
    with torch.no_grad():
        for name in _FAN_OUT_ONLY:
            if name == "context_projection" and not model.has_context:
                continue
            old, new = _conv(model, name), _conv(wide, name)
            new.weight[:narrow] = old.weight
            if old.bias is not None and new.bias is not None:
                new.bias[:narrow] = old.bias
        for name in _HEAD_LAYERS:
            old, new = _conv(model, name), _conv(wide, name)
            outputs = old.out_channels
            new.weight[:outputs] = 0.0
            new.weight[:outputs, _input_map(name, narrow, width)] = old.weight
            if old.bias is not None and new.bias is not None:
                new.bias[:outputs] = old.bias
    return wide.train(model.training)
