"""Decoder training on a frozen backbone (`--frozen-backbone`).

Each training image is seen in a fixed set of views (scales, flips, colour jitter); the frozen
backbone's features for every view are computed once and kept in memory, so a step costs only
the decoder (and, with `--context`, the stride-32 stages). On two CPU cores a step of four
whole images takes about as long as a crop-loop step of eight 256-pixel crops: four times the
pixels per second. And every view is a whole image, so the context stages see the scene the
way they do at run time instead of a 256-pixel crop of it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import torch

from monitor.density.onnx_model import network_input_size
from monitor.density.roi import cell_coverage
from monitor.training.augment import DEFAULT_DEFECTS, CameraDefects, jitter_colour
from monitor.training.bayesian import bayesian_loss
from monitor.training.blank import BLANK_SHARE, blank_frame
from monitor.training.data import Annotated, AnnotatedSet
from monitor.training.loss import blocks_for, density_loss
from monitor.training.losses import LossName
from monitor.training.model import STRIDE, DensityNet
from monitor.training.sampling import draw_set
from monitor.training.schedule import run_progress
from monitor.training.targets import density_target

# Stills are seen at two scales, flipped and not. Neighbouring video frames are near-duplicates,
# so a video set keeps every other frame and sees it at a third scale: as many views, more
# variety.
STILL_SCALES = (0.8, 1.0)
VIDEO_SCALES = (0.8, 1.0, 1.25)
VIDEO_FRAME_STEP = 2
# The run-time cap on a frame's long side (OnnxDensityEstimator's default).
MAX_SIDE = 2048
# Blank views are whole frames of the common camera sizes.
BLANK_SIZES = ((640, 480), (1024, 768), (1280, 720))
BLANKS_PER_SIZE = 8


@dataclass(frozen=True)
class FeatureView:
    """One view of one image: the backbone's features (fp16, to halve the memory) and the
    density the decoder should give for them."""

    low: torch.Tensor
    # None when the run tunes the stride-16 stages: they then run on `low` every step.
    high: torch.Tensor | None
    target: torch.Tensor
    # Heads (N, 2) as (x, y) in the view's pixels (for the Bayesian loss).
    points: torch.Tensor
    # Share of each cell that is annotated (the ROI); None: all of it.
    weight: torch.Tensor | None
    count: float
    # The stride-4 features, for a decoder that reads them (model.py's `fine`); else None.
    fine: torch.Tensor | None = None


def view_of(
    model: DensityNet,
    item: Annotated,
    scale: float,
    flip: bool,
    jitter: np.random.Generator | None,
    keep_high: bool = True,
    defects: CameraDefects = DEFAULT_DEFECTS,
) -> FeatureView:
    """The image resized by `scale` (to the network's input multiple, as at run time),
    optionally mirrored and colour-jittered (with `defects` at their shares), through the
    backbone."""
    height, width = item.image.shape[:2]
    size = network_input_size(
        (round(width * scale), round(height * scale)), model.input_multiple, MAX_SIDE
    )
    sx, sy = size[0] / width, size[1] / height
    interpolation = cv2.INTER_AREA if sx < 1.0 else cv2.INTER_LINEAR
    image = np.asarray(cv2.resize(item.image, size, interpolation=interpolation), dtype=np.uint8)
    points = item.points.astype(np.float64) * [sx, sy]
    sigmas = (item.sigmas * float(np.sqrt(sx * sy))).astype(np.float32)
    valid = None
    if item.valid is not None:
        resized = cv2.resize(item.valid.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST)
        valid = np.asarray(resized) > 0
    if flip:
        image = np.ascontiguousarray(image[:, ::-1])
        points[:, 0] = size[0] - 1 - points[:, 0]
        valid = None if valid is None else np.ascontiguousarray(valid[:, ::-1])
    if jitter is not None:
        image = jitter_colour(image, jitter, defects)
    rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB).transpose(2, 0, 1)[None]
    pixels = torch.from_numpy(np.ascontiguousarray(rgb, dtype=np.float32))
    with torch.no_grad():
        low, fine = model.stride8_features(pixels.to(next(model.parameters()).device))
        high = model.high(low) if keep_high else None
    target = density_target(points.astype(np.float32), sigmas, size, STRIDE)
    weight = None if valid is None else torch.from_numpy(cell_coverage(valid, target.shape))
    return FeatureView(
        low=low.half().cpu(),
        high=None if high is None else high.half().cpu(),
        target=torch.from_numpy(target)[None, None],
        points=torch.from_numpy(points.astype(np.float32).reshape(-1, 2)),
        weight=None if weight is None else weight[None, None],
        count=item.count,
        fine=None if fine is None else fine.half().cpu(),
    )


def blank_views(
    model: DensityNet, rng: np.random.Generator, keep_high: bool = True
) -> list[FeatureView]:
    """Featureless frames of the common camera sizes, each with an empty target."""
    model.eval()
    empty_points = np.zeros((0, 2), dtype=np.float32)
    empty_sigmas = np.zeros(0, dtype=np.float32)
    views = []
    for size in BLANK_SIZES:
        for index in range(BLANKS_PER_SIZE):
            item = Annotated(
                name=f"blank-{size[0]}x{size[1]}-{index}",
                image=blank_frame(size, rng),
                points=empty_points,
                sigmas=empty_sigmas,
                valid=None,
                count=0.0,
            )
            views.append(view_of(model, item, 1.0, False, None, keep_high))
    return views


def training_views(
    model: DensityNet,
    annotated: AnnotatedSet,
    rng: np.random.Generator,
    keep_high: bool = True,
    defects: CameraDefects = DEFAULT_DEFECTS,
) -> list[FeatureView]:
    """Every image at each scale, plain and mirrored; all views but the image itself are
    colour-jittered. Without `keep_high` the views hold only the stride-8 features."""
    scales = VIDEO_SCALES if annotated.video else STILL_SCALES
    items = annotated.items[::VIDEO_FRAME_STEP] if annotated.video else annotated.items
    model.eval()
    views = []
    for item in items:
        for scale in scales:
            for flip in (False, True):
                plain = scale == 1.0 and not flip
                jitter = None if plain else rng
                views.append(view_of(model, item, scale, flip, jitter, keep_high, defects))
    return views


def view_loss(
    model: DensityNet, view: FeatureView, count_weight: float, loss_name: LossName = "mse"
) -> tuple[torch.Tensor, torch.Tensor]:
    """The crop loop's loss over one whole view; the count error (people) detached."""
    device = next(model.parameters()).device
    low = view.low.to(device).float()
    high = model.high(low) if view.high is None else view.high.to(device).float()
    fine = None if view.fine is None else view.fine.to(device).float()
    predicted = model.decode(low, high, fine)
    target = view.target.to(device)
    weight = view.weight.to(device) if view.weight is not None else torch.ones_like(target)
    if loss_name == "bayesian":
        loss, count_error = bayesian_loss(predicted, [view.points.to(device)], weight, STRIDE)
    else:
        loss, count_error = density_loss(
            predicted, target, weight, count_weight, blocks_for(loss_name)
        )
    return loss, count_error.detach()


def freeze_backbone(model: DensityNet, tune_high: bool = False) -> list[torch.nn.Parameter]:
    """Evaluation mode throughout (frozen BatchNorm statistics); returns the decoder's
    parameters (and, with `tune_high`, the stride-16 stages'), the only ones left trainable."""
    model.eval()
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    modules = [*model.decoder_modules(), *([model.high] if tune_high else [])]
    trainable = [p for m in modules for p in m.parameters()]
    for parameter in trainable:
        parameter.requires_grad_(True)
    return trainable


@dataclass(frozen=True)
class DecoderSchedule:
    """How long and how hard: `views_per_step` views' gradients are summed per step; a share
    `blank_share` of the views drawn are blank ones (when there are any)."""

    budget_s: float
    steps: int | None
    views_per_step: int
    count_weight: float
    seed: int
    log_every: int
    checkpoint_every: int
    blank_share: float = BLANK_SHARE
    loss: LossName = "mse"
    # Chance of each dataset per view drawn; None: evenly (sampling.py).
    set_probabilities: tuple[float, ...] | None = None


def fit_decoder(
    model: DensityNet,
    views: list[list[FeatureView]],
    blanks: list[FeatureView],
    optimiser: torch.optim.Optimizer,
    schedule: DecoderSchedule,
    set_progress: Callable[[float], None],
    log: Callable[[int, float, float], None],
    checkpoint: Callable[[], None],
) -> int:
    """Steps until the schedule ends; each view is a blank one with the schedule's share, else
    drawn from a dataset chosen evenly (or by the schedule's `set_probabilities`), as the crop
    loop draws its crops. Returns the number of steps taken."""
    rng = np.random.default_rng(schedule.seed)
    started = time.monotonic()
    step = 0
    running = 0.0
    while True:
        elapsed = time.monotonic() - started
        progress = run_progress(step, elapsed, schedule.steps, schedule.budget_s)
        if progress is None:
            return step
        set_progress(progress)
        optimiser.zero_grad(set_to_none=True)
        for _ in range(schedule.views_per_step):
            blank = bool(blanks) and rng.random() < schedule.blank_share
            if blank:
                chosen = blanks
            else:
                chosen = views[draw_set(rng, len(views), schedule.set_probabilities)]
            view = chosen[int(rng.integers(len(chosen)))]
            loss, count_error = view_loss(model, view, schedule.count_weight, schedule.loss)
            (loss / schedule.views_per_step).backward()  # type: ignore[no-untyped-call]
            running += float(count_error)
        optimiser.step()
        step += 1
        if step % schedule.log_every == 0:
            log(step, progress, running / (schedule.log_every * schedule.views_per_step))
            running = 0.0
        if step % schedule.checkpoint_every == 0:
            checkpoint()
