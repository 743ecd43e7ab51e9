"""Build artefacts safely: one builder at a time, and readers never see a half-written directory or file."""
from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def build_lock(target: Path) -> Iterator[None]:
    """Exclusive lock for building `target` (training and the service may ask for the same build at once)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@contextmanager
def staging_dir(target: Path) -> Iterator[Path]:
    """A fresh directory beside `target` that replaces it when the block succeeds and vanishes when it fails."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield tmp
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextmanager
def replacing_file(target: Path) -> Iterator[Path]:
    """A path beside `target` to write: it replaces `target` when the block succeeds and vanishes when it fails, so
    that an export stopped half way never leaves half a file where a whole one was (it looked complete: its lines
    were whole). The file is readable by its user alone, as the database it comes from: exports hold citizens'
    words, masked but theirs."""
    partial = target.with_name(f".{target.name}.partial")
    try:
        yield partial
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
