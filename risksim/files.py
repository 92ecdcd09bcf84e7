"""Writing files safely: under a temporary name first, renamed when complete."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any


def write_atomically(path: Path, write: Callable[[Path], Any]) -> Path:
    """Call ``write`` on a temporary path beside ``path``, then rename it to ``path``.

    A reader never sees a half-written file, and a failed write leaves nothing behind.
    """
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path
