"""How far a long step has gone, for a trainer who waits on it: a bar in a terminal, a line every tenth of the way
in a log (a bar there is a megabyte of carriage returns, and nothing at all left a year's file silent for minutes)."""
from __future__ import annotations

import sys
import time

import typer
from tqdm import tqdm


class Progress:
    def __init__(self, total: int, what: str, unit: str):
        self.total, self.what, self.unit = total, what, unit
        self.started = time.monotonic()
        self.tenths = 0
        self.bar = tqdm(total=total, desc=what, unit=unit, dynamic_ncols=True) if sys.stderr.isatty() else None

    def __call__(self, done: int) -> None:
        """`done` of the `total` are done."""
        if self.bar is not None:
            self.bar.update(done - self.bar.n)
            return
        tenths = done * 10 // self.total if self.total else 10
        if tenths > self.tenths:
            self.tenths = tenths
            spent = time.monotonic() - self.started
            left = spent * (self.total - done) / done if done else 0.0
            typer.echo(f"{self.what}: {done}/{self.total} {self.unit}s, {spent:.0f} s, about {left:.0f} s left",
                       err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
