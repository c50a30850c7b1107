"""The `train` command's options, shared by `crowd-monitor train` and `python -m
monitor.training` (the latter needs only torch and the backbone packages, not the service's
dependencies, so it runs on a bare GPU machine)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

# blank.py needs only OpenCV and numpy, so the service's CLI can read the default without torch.
from monitor.training.blank import BLANK_SHARE
from monitor.training.compression import CODECS
from monitor.training.losses import LOSSES
from monitor.training.noise import NOISY_VIEW_SHARE
from monitor.training.sampling import parse_dataset_weights

if TYPE_CHECKING:
    from monitor.training.train import TrainConfig

DATA_ENV = "CROWD_DATA"


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, help=f"shared data root (default: ${DATA_ENV})")
    parser.add_argument("--out", default="models/crowd-density.onnx", help="ONNX file to write")
    parser.add_argument("--datasets", nargs="+", help="sub-folders to use (default: all)")
    parser.add_argument("--minutes", type=float, default=60.0, help="wall-clock budget")
    parser.add_argument("--steps", type=int, help="fixed number of steps instead of --minutes")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--crop", type=int, default=256, help="training crop side, pixels")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lr", type=float, default=1e-3, help="decoder learning rate")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (more crawl on a shared CPU)"
    )
    parser.add_argument("--limit", type=int, help="at most this many images per dataset (smoke)")
    parser.add_argument(
        "--init",
        type=Path,
        help="start from a saved state dict or an exported .onnx model (fine-tuning)",
    )
    parser.add_argument("--device", default="auto", help="'cpu', 'cuda' or 'auto' (GPU if any)")
    parser.add_argument(
        "--workers", type=int, default=0, help="processes preparing batches (use on a GPU)"
    )
    parser.add_argument(
        "--train-split",
        choices=("train", "all"),
        default="train",
        help="'all' also trains on the held-out images (final model; no validation)",
    )
    parser.add_argument(
        "--context", action="store_true", help="add the stride-32 context stages (slower)"
    )
    parser.add_argument(
        "--frozen-backbone",
        action="store_true",
        help="train only the decoder (and context stages) on whole images whose backbone "
        "features are computed once; --batch is then images per step (needs --init)",
    )
    parser.add_argument(
        "--blank-share",
        type=float,
        default=BLANK_SHARE,
        help="share of crops (views) that are featureless frames with nobody in them",
    )
    parser.add_argument(
        "--noisy-share",
        type=float,
        default=NOISY_VIEW_SHARE,
        help="share of crowd crops (jittered views) that get sensor noise (grain of a camera "
        "at high gain)",
    )
    parser.add_argument(
        "--compressed-share",
        type=float,
        default=0.0,
        help="share of crowd crops (jittered views) that get compression artefacts (a JPEG "
        "or H.264 round trip at low quality, as a camera streaming at too low a bitrate)",
    )
    parser.add_argument(
        "--codecs",
        nargs="+",
        choices=CODECS,
        default=list(CODECS),
        help="codecs --compressed-share draws from, with even odds",
    )
    parser.add_argument(
        "--decoder-width",
        type=int,
        help="decoder channels (default: the --init model's, else 32); wider than --init's "
        "embeds its decoder unchanged and trains the new channels",
    )
    parser.add_argument(
        "--loss",
        choices=LOSSES,
        default="mse",
        help="'mse': Gaussian density targets; 'local': the same plus every 32- and 128-pixel "
        "block's count error (chi-squared); 'bayesian': point supervision (Ma et al. 2019)",
    )
    parser.add_argument(
        "--feature-cache",
        type=Path,
        help="with --frozen-backbone: a folder keeping the views' backbone features between "
        "runs from the same weights, data and seed (2 GB for ShanghaiTech B's training split)",
    )
    parser.add_argument(
        "--dataset-weight",
        action="append",
        default=[],
        metavar="NAME=WEIGHT",
        help="draw crops or views from dataset NAME WEIGHT times as often as from one left at "
        "the default 1 (repeatable)",
    )
    parser.add_argument(
        "--tune-high-stages",
        action="store_true",
        help="with --frozen-backbone: also train the backbone's stride-16 stages (Lite0 "
        "stages four and five) on the views' stored stride-8 features; ~2x slower per step",
    )
    parser.add_argument(
        "--scene-conditioning",
        action="store_true",
        help="with --context: let the whole frame's pooled context set a gain and shift per "
        "decoder channel (starts as a no-op; kept by models initialised from one that has it)",
    )
    parser.add_argument(
        "--fine-features",
        action="store_true",
        help="let the decoder read the stride-4 features too, for heads a few pixels wide "
        "(starts as a no-op; kept by models initialised from one that has it)",
    )
    parser.add_argument(
        "--work-dir", type=Path, help="where checkpoints go (default: a crowd-train temp dir)"
    )


def data_root(args: argparse.Namespace) -> Path:
    """--data, else $CROWD_DATA; raises ValueError naming what is missing."""
    value = args.data or os.environ.get(DATA_ENV)
    if not value:
        raise ValueError(f"give --data DIR or set {DATA_ENV}")
    root = Path(value)
    if not root.is_dir():
        raise ValueError(f"data folder not found: {root}")
    return root


def train_config(args: argparse.Namespace) -> TrainConfig:
    """Needs torch (the train extra): import errors are the caller's to explain."""
    from monitor.training.train import TrainConfig

    if args.frozen_backbone and args.init is None:
        # Freezing the ImageNet backbone would train a decoder on features never adapted to
        # crowds; this mode refines a trained model.
        raise ValueError(
            "--frozen-backbone needs --init (the trained model whose backbone to keep)"
        )
    if args.feature_cache is not None and not args.frozen_backbone:
        raise ValueError(
            "--feature-cache needs --frozen-backbone (only its views' features are cached)"
        )
    if args.tune_high_stages and not args.frozen_backbone:
        raise ValueError(
            "--tune-high-stages needs --frozen-backbone (without it every stage from the "
            "stride-8 one on is trained already)"
        )
    if args.scene_conditioning and not args.context:
        raise ValueError(
            "--scene-conditioning needs --context (it reads the stride-32 context stages)"
        )
    for option, share in (
        ("--blank-share", args.blank_share),
        ("--noisy-share", args.noisy_share),
        ("--compressed-share", args.compressed_share),
    ):
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"{option} must be between 0 and 1, got {share}")
    if args.decoder_width is not None and not 1 <= args.decoder_width <= 512:
        raise ValueError(f"--decoder-width must be 1-512 channels, got {args.decoder_width}")
    config = TrainConfig(
        data=data_root(args),
        out=Path(args.out),
        datasets=args.datasets,
        minutes=args.minutes,
        steps=args.steps,
        batch=args.batch,
        crop=args.crop,
        seed=args.seed,
        lr=args.lr,
        threads=args.threads,
        limit=args.limit,
        init=args.init,
        device=args.device,
        workers=args.workers,
        train_split=args.train_split,
        context=args.context,
        frozen_backbone=args.frozen_backbone,
        decoder_width=args.decoder_width,
        blank_share=args.blank_share,
        noisy_share=args.noisy_share,
        compressed_share=args.compressed_share,
        codecs=tuple(dict.fromkeys(args.codecs)),
        loss=args.loss,
        feature_cache=args.feature_cache,
        tune_high_stages=args.tune_high_stages,
        scene_conditioning=args.scene_conditioning,
        fine_features=args.fine_features,
        dataset_weights=parse_dataset_weights(args.dataset_weight),
    )
    if args.work_dir is not None:
        config.work_dir = args.work_dir
    return config
