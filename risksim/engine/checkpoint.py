"""Checkpoints of a run: completed blocks saved as they finish, so a killed run can resume.

A checkpoint is a folder holding ``manifest.json`` (what run it belongs to: scenario hash,
seed, number of simulations, block size, stream version, mode and sampling options) and
one file per completed task, ``blocks-<start>-<stop>.npz``, with the rows (or, in streaming
mode, the accumulator) of blocks ``start .. stop − 1``. Each file is written under a
temporary name and renamed when complete, so a run killed at any moment leaves only whole
tasks. Resuming runs exactly the blocks no file covers; since block ``b`` depends only on
(seed, b), the result is bit for bit that of an uninterrupted run, with no block lost or
counted twice. A checkpoint never follows a symbolic link: a linked folder or manifest is
refused and a linked block file is not read.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from risksim.engine.jobs import BlockRange
from risksim.errors import InputError
from risksim.util.files import write_atomically

MANIFEST = "manifest.json"
_TASK_FILE = re.compile(r"^blocks-(\d+)-(\d+)\.npz$")

Encode = Callable[[Any], Mapping[str, np.ndarray]]
Decode = Callable[[Mapping[str, np.ndarray]], Any]


def task_file(task: BlockRange) -> str:
    """File name of the saved result of blocks ``task[0] .. task[1] − 1``."""
    return f"blocks-{task[0]:09d}-{task[1]:09d}.npz"


def saved_tasks(directory: Path) -> list[BlockRange]:
    """Block ranges saved in the checkpoint ``directory`` (empty when there is none)."""
    if not directory.is_dir():
        return []
    found = (_TASK_FILE.match(path.name) for path in directory.iterdir()
             if not path.is_symlink())
    return sorted((int(m[1]), int(m[2])) for m in found if m)


class Checkpoint:
    """The checkpoint folder of one run.

    Parameters
    ----------
    directory : Path
        The folder (created when the run starts).
    identity : mapping
        What identifies the run; a resumed run must have the same (JSON-comparable).
    encode, decode : callable
        A task result to named arrays and back.
    """

    def __init__(self, directory: Path, identity: Mapping[str, Any], encode: Encode,
                 decode: Decode) -> None:
        self.directory = Path(directory)
        self.identity = json.loads(json.dumps(identity))
        self._encode, self._decode = encode, decode

    def start(self, resume: bool) -> Iterator[tuple[BlockRange, Any]]:
        """Open the checkpoint; with ``resume``, the saved (task, result) pairs.

        Raises
        ------
        InputError
            When the folder holds a checkpoint and ``resume`` is False, when it belongs to
            another run, or when saved tasks overlap.
        """
        manifest = self.directory / MANIFEST
        for path in (self.directory, manifest):
            if path.is_symlink():
                raise InputError("is a symbolic link: a checkpoint is written only into a "
                                 "real folder inside --out (remove the link)",
                                 source=str(path))
        if manifest.is_file():
            if not resume:
                raise InputError("holds the checkpoint of an unfinished run: resume it "
                                 "(--resume) or delete the folder", source=str(self.directory))
            saved = json.loads(manifest.read_text("utf-8"))
            if saved != self.identity:
                differs = sorted(k for k in {*saved, *self.identity}
                                 if saved.get(k) != self.identity.get(k))
                raise InputError(f"the checkpoint is of another run ({', '.join(differs)} "
                                 "differ): delete the folder to start over",
                                 source=str(self.directory))
            tasks = saved_tasks(self.directory)
            for (_, stop), (start, _) in itertools.pairwise(tasks):
                if start < stop:
                    raise InputError(f"saved tasks overlap at block {start}",
                                     source=str(self.directory))
            return self._load(tasks)
        if self.directory.exists() and any(self.directory.iterdir()):
            raise InputError("is not empty and holds no checkpoint", source=str(self.directory))
        self.directory.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.identity, indent=2, sort_keys=True) + "\n"
        write_atomically(manifest, lambda p: Path(p).write_text(text, "utf-8"))
        return iter(())

    def _load(self, tasks: list[BlockRange]) -> Iterator[tuple[BlockRange, Any]]:
        for task in tasks:
            with np.load(self.directory / task_file(task), allow_pickle=False) as arrays:
                yield task, self._decode(dict(arrays))

    def save(self, task: BlockRange, result: Any) -> None:
        """Save the result of ``task`` (atomically)."""
        arrays = dict(self._encode(result))

        def write(path: Path) -> None:
            with open(path, "wb") as file:  # a bare name would get ".npz" appended
                np.savez_compressed(file, **arrays)  # type: ignore[arg-type]

        write_atomically(self.directory / task_file(task), write)

    def remove(self) -> None:
        """Delete the checkpoint folder (after the run's result is safely written)."""
        shutil.rmtree(self.directory, ignore_errors=True)

