"""Weights back from a shipped ONNX density model, so training can resume from it.

The exporter folds each BatchNorm into the convolution before it, so the graph has no
BatchNorm parameters to give back. The fold is exact while BatchNorm runs on frozen statistics
(as it does in training here): the folded weight goes into the convolution and the BatchNorm
becomes an identity plus the folded bias.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

from monitor.training.model import DensityNet

# Parts a model may have that the graph it starts from lacks: each starts as a no-op (the
# context projection, the scene conditioning and the fine projection at zero) or keeps its
# ImageNet weights (the context stages), so the model computes what the graph did until
# training moves them.
OPTIONAL_PARTS = (("context", "context_projection"), ("scene",), ("fine",))


def _conv_pairs(model: nn.Module) -> dict[str, tuple[nn.Conv2d, nn.BatchNorm2d | None]]:
    """Each convolution by its module path, with the BatchNorm registered right after it."""
    pairs: dict[str, tuple[nn.Conv2d, nn.BatchNorm2d | None]] = {}
    pending: tuple[str, nn.Conv2d] | None = None
    for name, module in model.named_modules():
        if isinstance(module, nn.BatchNorm2d) and pending is not None:
            pairs[pending[0]] = (pending[1], module)
            pending = None
        elif isinstance(module, nn.Conv2d):
            if pending is not None:
                pairs[pending[0]] = (pending[1], None)
            pending = (name, module)
    if pending is not None:
        pairs[pending[0]] = (pending[1], None)
    return pairs


def _module_path(node_name: str) -> str:
    """'/net/low/low.0/_expand_conv/Conv' -> 'low.0._expand_conv' (the exporter names each
    node by its module scope; the last scope element holds the dotted path)."""
    scopes = [s for s in node_name.split("/") if s][:-1]
    if scopes and scopes[0] == "net":
        scopes = scopes[1:]
    if not scopes:
        raise ValueError(f"cannot tell which module ONNX node {node_name!r} came from")
    # Nested scopes repeat their parents' prefix ('head/head.0/head.0.0'); a module's own
    # attribute names ('_expand_conv') do not, so they are appended to the last dotted scope.
    path = scopes[0]
    for scope in scopes[1:]:
        path = scope if scope.startswith(path + ".") else f"{path}.{scope}"
    return path


def decoder_width(path: Path) -> int:
    """The channels of the exported model's decoder (its stride-8 lateral convolution's
    outputs), so a model of the right width can be built before its weights are loaded."""
    graph = onnx.load(str(path)).graph
    shapes = {i.name: tuple(i.dims) for i in graph.initializer}
    for node in graph.node:
        if node.op_type == "Conv" and _module_path(node.name) == "lateral.0":
            return int(shapes[node.input[1]][0])
    raise ValueError(f"{path}: no decoder found (is it a crowd-monitor density model?)")


def load_onnx_weights(model: DensityNet, path: Path) -> DensityNet:
    """Copies every convolution of the exported graph at `path` into `model` (same
    architecture); raises ValueError if the two do not match one to one."""
    graph = onnx.load(str(path)).graph
    initialisers = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    pairs = _conv_pairs(model)
    seen: set[str] = set()
    for node in graph.node:
        if node.op_type != "Conv":
            continue
        module_path = _module_path(node.name)
        if module_path not in pairs:
            raise ValueError(f"{path}: graph convolution {module_path!r} is not in this model")
        conv, norm = pairs[module_path]
        weight = initialisers[node.input[1]]
        bias = initialisers[node.input[2]] if len(node.input) > 2 else np.zeros(weight.shape[0])
        if tuple(weight.shape) != tuple(conv.weight.shape):
            raise ValueError(
                f"{path}: {module_path} has weights {weight.shape}, the model wants "
                f"{tuple(conv.weight.shape)}"
            )
        with torch.no_grad():
            conv.weight.copy_(torch.tensor(weight))
            if norm is not None:
                norm.weight.fill_(1.0)
                norm.bias.copy_(torch.tensor(bias, dtype=torch.float32))
                if norm.running_mean is None or norm.running_var is None:
                    raise ValueError(f"{module_path}: BatchNorm without running statistics")
                norm.running_mean.zero_()
                norm.running_var.fill_(1.0 - norm.eps)
                if conv.bias is not None:
                    conv.bias.zero_()
            elif conv.bias is not None:
                conv.bias.copy_(torch.tensor(bias, dtype=torch.float32))
            else:
                raise ValueError(f"{path}: {module_path} has a bias but nowhere to put it")
        seen.add(module_path)
    missing = sorted(set(pairs) - seen)
    if missing and not only_new_parts(missing, seen):
        raise ValueError(f"{path}: the graph lacks convolutions {', '.join(missing)}")
    return model


def _part_of(name: str) -> tuple[str, ...] | None:
    return next((part for part in OPTIONAL_PARTS if name.split(".")[0] in part), None)


def only_new_parts(missing: list[str], seen: set[str]) -> bool:
    """A smaller model's weights may seed a larger one when every layer (or state-dict key) the
    source lacks belongs to an optional part the source has none of (a half-present part is a
    mismatch)."""
    parts = {_part_of(name) for name in missing}
    return None not in parts and not any(_part_of(name) in parts for name in seen)


def has_part(path: Path, part: str) -> bool:
    """Whether the exported model at `path` has the optional `part` ("scene": the scene
    conditioning; "fine": the stride-4 projection; see model.py)."""
    graph = onnx.load(str(path)).graph
    return any(
        node.op_type == "Conv" and _module_path(node.name).split(".")[0] == part
        for node in graph.node
    )
