"""The ``risksim`` command line (:mod:`~risksim.cli.commands`) and the reference docs
generated from it (:mod:`~risksim.cli.docs`)."""

from risksim.cli.commands import main

__all__ = ["main"]
