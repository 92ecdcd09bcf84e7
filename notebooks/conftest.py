"""Notebook tests (nbmake): the kernel gets the start-up time a loaded machine needs.

nbmake runs each notebook with nbclient's ``NotebookClient``, which waits
``startup_timeout`` seconds (60 by default) for a new kernel to answer and otherwise fails
the notebook with "Kernel didn't respond in 60 seconds". nbmake has options for the cell
timeout (``--nbmake-timeout``, set in pyproject.toml) and the kernel (``--nbmake-kernel``)
but none for the start-up time, so it is set here, where only the notebooks see it.
"""

from __future__ import annotations

import nbmake.nb_run
from traitlets import Integer

KERNEL_STARTUP_SECONDS = 300
"""How long a kernel may take to start: on a loaded 2-core machine, far beyond the usual
few seconds (within pytest-timeout's 600 s per notebook)."""


class _PatientNotebookClient(nbmake.nb_run.NotebookClient):  # type: ignore[misc]
    startup_timeout = Integer(KERNEL_STARTUP_SECONDS).tag(config=True)


nbmake.nb_run.NotebookClient = _PatientNotebookClient
