"""`python -m monitor.training [train options]`: `crowd-monitor train` without the service's
dependencies, for a machine that has only torch (a lent GPU box, say)."""

from __future__ import annotations

import argparse
import logging
import sys

from monitor.training.options import add_train_arguments, train_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m monitor.training", description="train and export the density network"
    )
    add_train_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        config = train_config(args)
        from monitor.training.train import train

        metrics = train(config)
    except (ValueError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for name, result in metrics.items():
        print(f"{name}|val  n={result.n}  MAE {result.mae:.2f}  RMSE {result.rmse:.2f}")
    print(f"wrote {config.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
