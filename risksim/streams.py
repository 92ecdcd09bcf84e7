"""The random-stream contract: fixed-size blocks, one independent stream per block.

Simulation ``s`` belongs to block ``s // BLOCK_SIZE``. Block ``b`` draws only from

    Generator(PCG64DXSM(SeedSequence(seed, spawn_key=(b,))))

so a seed gives bit-identical results whatever the backend, the number of workers or the
way blocks are grouped into tasks. ``BLOCK_SIZE``, ``CHUNK_LOAN_SIMULATIONS`` and
``STREAM_VERSION`` are part of the contract: changing the first two changes results, so
either change bumps ``STREAM_VERSION``.

A block of a large book is drawn in **chunks**: consecutive groups of
⌊CHUNK_LOAN_SIMULATIONS / loans⌋ simulations (:func:`chunk_sizes`), each drawn in full (its
factors, defaults and losses, :mod:`risksim.engine.block`) before the next, from the block's
one stream. A block's memory then follows the chunk, not the book times the block; books of
at most CHUNK_LOAN_SIMULATIONS / BLOCK_SIZE loans (33,554) draw each block as one chunk.
The chunk size depends only on the book, so results stay the same on every backend.

Versions: 1, blocks of ``BLOCK_SIZE`` simulations; 2, blocks of large books in chunks.
"""

from __future__ import annotations

import numpy as np

BLOCK_SIZE = 2_000
"""Simulations per block."""

CHUNK_LOAN_SIMULATIONS = 2**26
"""Loan-simulations per chunk of a block at most (a chunk holds one simulation at least)."""

STREAM_VERSION = 2
"""Version of the stream contract (block size, chunks, draw order); saved with every result."""


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


def chunk_sizes(n_loans: int, n: int) -> list[int]:
    """Simulations in each chunk of a block of ``n`` simulations of a book of ``n_loans``:
    ⌊CHUNK_LOAN_SIMULATIONS / n_loans⌋ (at least 1) each, the last one what remains (one
    empty chunk when ``n`` is 0)."""
    per_chunk = max(1, CHUNK_LOAN_SIMULATIONS // max(n_loans, 1))
    return [min(per_chunk, n - start) for start in range(0, n, per_chunk)] or [0]
