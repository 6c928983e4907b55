"""Option types every command shares, checked when the command line is read (before anything loads).

Each is a `typer.Option(parser=...)`: a bad value is a click usage error naming the option (exit code
2). `Finite` rejects NaN, infinities and numbers out of range; `parse_device` rejects an unknown device and
one this machine does not have.
"""

from __future__ import annotations

import math
import re
from typing import Any

from text2montage.errors import OptionError

MAX_SEED = 2**63 - 1  # = pipeline.inputs.MAX_SEED: what torch.Generator.manual_seed takes
MAX_TRAIN_SEED = 2**32 - 1  # what numpy's and accelerate's seeding take
MAX_LEARNING_RATE = 10.0
DEVICE_PATTERN = re.compile(r"^(cpu|mps|cuda(:\d+)?)$")


class Finite:
    """A parser (typer.Option(parser=...)) for a finite float in [low, high] ((low, high] with open_low)."""

    def __init__(self, low: float, high: float, open_low: bool = False) -> None:
        self.low, self.high, self.open_low = low, high, open_low
        self.__name__ = "number"  # what click's usage lines call the value

    def __call__(self, value: Any) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{value!r} is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"must be a finite number, got {value!r}")
        if number < self.low or number > self.high or (self.open_low and number == self.low):
            bracket = "(" if self.open_low else "["
            raise ValueError(f"must be in {bracket}{self.low:g}, {self.high:g}], got {value!r}")
        return number


def parse_device(value: Any) -> str:
    """A parser for --device: cpu, cuda, cuda:N or mps, and present on this machine."""
    try:
        return check_device(str(value))
    except OptionError as err:
        raise ValueError(str(err)) from None


def check_device(device: str) -> str:
    """The device if torch can use it here, else an OptionError saying why."""
    if not DEVICE_PATTERN.match(device):
        raise OptionError(f"unknown device {device!r}; use cpu, cuda, cuda:N or mps")
    if device == "cpu":
        return device
    import torch

    if device == "mps":
        if not torch.backends.mps.is_available():
            raise OptionError("mps is not available on this machine; use --device cpu")
        return device
    if not torch.cuda.is_available():
        raise OptionError(f"{device}: CUDA is not available on this machine; use --device cpu")
    index = int(device.partition(":")[2] or 0)
    if index >= torch.cuda.device_count():
        raise OptionError(f"{device}: this machine has {torch.cuda.device_count()} CUDA device(s)")
    return device


LEARNING_RATE = Finite(0.0, MAX_LEARNING_RATE, open_low=True)
