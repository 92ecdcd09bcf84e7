"""The random-stream contract: fixed-size blocks, one independent stream per block.

Simulation ``s`` belongs to block ``s // BLOCK_SIZE``. Block ``b`` draws only from

    Generator(PCG64DXSM(SeedSequence(seed, spawn_key=(b,))))

so a seed gives bit-identical results whatever the backend, the number of workers or the
way blocks are grouped into tasks. ``BLOCK_SIZE`` and ``STREAM_VERSION`` are part of the
contract: changing either changes every result, so either change bumps ``STREAM_VERSION``.
"""

from __future__ import annotations

import numpy as np

BLOCK_SIZE = 2_000
"""Simulations per block."""

STREAM_VERSION = 1
"""Version of the stream contract (block size, draw order); saved with every result."""


def block_generator(seed: int, block: int) -> np.random.Generator:
    """The random generator of block ``block`` for ``seed``."""
    return np.random.Generator(np.random.PCG64DXSM(np.random.SeedSequence(seed,
                                                                           spawn_key=(block,))))


def n_blocks(n_sims: int) -> int:
    """Number of blocks that hold ``n_sims`` simulations (the last may be partial)."""
    return -(-n_sims // BLOCK_SIZE)


def block_size(n_sims: int, block: int) -> int:
    """Number of simulations in block ``block`` of a run of ``n_sims``."""
    return min(BLOCK_SIZE, n_sims - block * BLOCK_SIZE)
