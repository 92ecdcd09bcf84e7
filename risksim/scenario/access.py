"""What a scenario may reach: the files it names and the connections it asks for.

A scenario file is data, never a capability. A file it names (``portfolio.file``) resolves
against the scenario's folder and, once every symbolic link is followed, must lie inside
that folder or inside a folder the user allows (``--allow-dir`` on the command line,
``allow_dirs=`` in Python); it must be a regular file of the expected kind, so a FIFO, a
device or ``/proc/self/environ`` is never opened. Settings that open a connection
(``simulation.address``, a Dask scheduler; ``backend: dask``, a local cluster listening on
sockets) are refused in a file unless the user trusts it (``--trust-scenario``,
``trust=True``); the same settings given on the command line or in the API always apply.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from risksim.errors import InputError, excerpt

TRUST_HINT = "--trust-scenario on the command line, trust=True in Python"
"""How a user trusts a scenario file's connection settings."""

ALLOW_HINT = "--allow-dir on the command line, allow_dirs= in Python"
"""How a user lets a scenario read files from another folder."""


@dataclass(frozen=True)
class Access:
    """What one scenario may reach.

    Attributes
    ----------
    folder : Path
        The scenario's folder (the working directory for a mapping): relative file names
        resolve against it, and its files may be read.
    allowed : tuple of Path
        Further folders whose files the scenario may read.
    trusted : bool
        Whether the scenario's own connection settings (address, Dask backend) apply.
    """

    folder: Path
    allowed: tuple[Path, ...] = ()
    trusted: bool = False

    @classmethod
    def of(cls, folder: Path, allow_dirs: Iterable[str | Path] = (),
           trust: bool = False) -> Access:
        """The access of a scenario in ``folder``, with the user's ``allow_dirs`` and
        ``trust``."""
        return cls(folder=Path(folder), allowed=tuple(Path(d) for d in allow_dirs),
                   trusted=trust)

    def data_file(self, name: str, suffixes: tuple[str, ...], field: str) -> Path:
        """The path of the file ``name`` that the scenario's ``field`` names, checked.

        Parameters
        ----------
        name : str
            The file name as the scenario gives it (relative to :attr:`folder`).
        suffixes : tuple of str
            The accepted endings, lower case (``(".csv", ".parquet")``).
        field : str
            The dotted path of the field, for the error.

        Raises
        ------
        InputError
            At ``field`` when the file is missing, lies outside the allowed folders (after
            following links), is not a regular file, or has another ending.
        """
        if "\x00" in name:
            raise InputError(f"{excerpt(name)}: a file name cannot hold a NUL character",
                             path=field)
        if not name.lower().endswith(suffixes):
            raise InputError(f"{excerpt(name)}: expected a {' or '.join(suffixes)} file",
                             path=field)
        path = self.folder / name
        resolved = path.resolve()
        roots = [self.folder, *self.allowed]
        if not any(resolved.is_relative_to(root.resolve()) for root in roots):
            raise InputError(f"{excerpt(name)} is outside the scenario's folder "
                             f"{excerpt(str(self.folder.resolve()), 80)}: a scenario reads "
                             f"only files inside its folder (allow another with "
                             f"{ALLOW_HINT})", path=field)
        try:
            mode = os.stat(resolved).st_mode
        except FileNotFoundError:
            raise InputError(f"portfolio file not found: {excerpt(name, 80)}",
                             path=field) from None
        except OSError as exc:
            raise InputError(f"cannot read {excerpt(name, 80)}: {exc.strerror}",
                             path=field) from None
        if not stat.S_ISREG(mode):
            raise InputError(f"{excerpt(name)} is not a regular file", path=field)
        return resolved

    def check_connections(self, address: str | None, backend: str) -> None:
        """Refuse a file's connection settings unless the scenario is trusted.

        Parameters
        ----------
        address, backend : str or None
            ``simulation.address`` and ``simulation.backend`` as the scenario gives them.

        Raises
        ------
        InputError
            At ``simulation.address`` (or ``simulation.backend``) when an untrusted scenario
            names a Dask scheduler (or the Dask backend).
        """
        if self.trusted:
            return
        if address is not None:
            raise InputError("a scenario file cannot choose a network peer: give the "
                             "scheduler with --address (address= in Python), or trust the "
                             f"file with {TRUST_HINT}", path="simulation.address")
        if backend == "dask":
            raise InputError("a scenario file cannot start a Dask cluster (it listens on "
                             "network sockets): give --backend dask (backend= in Python), or "
                             f"trust the file with {TRUST_HINT}", path="simulation.backend")
