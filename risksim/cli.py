"""The ``risksim`` command line: run, validate, schema.

Heavy modules are imported inside the commands, so ``risksim --help`` stays instant. Bad
input prints one line, ``error: file:line: dotted.path: message``, and exits with code 2.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

EXIT_BAD_INPUT = 2
CHECKPOINT_FOLDER = "checkpoint"
"""Sub-folder of ``run --out`` holding the checkpoint of a run in progress."""


def reports_bad_input(command: F) -> F:
    """Turn an InputError into one line on stderr and exit code 2 (no traceback)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from risksim.errors import InputError

        try:
            return command(*args, **kwargs)
        except InputError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="risksim")
def main() -> None:
    """Monte Carlo engine for credit risk-sharing and guarantee schemes."""


@main.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--sims", "n_sims", type=click.IntRange(min=1), default=None,
              help="Number of simulations (default: as the scenario says).")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Random seed (default: as the scenario says).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write summary.json and the losses to.")
@click.option("--backend", type=click.Choice(["serial", "process", "dask"]), default=None,
              help="Where blocks run (default: as the scenario says, else serial).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes for --backend process or a local Dask cluster "
                   "(default: CPU count).")
@click.option("--address", default=None, metavar="tcp://HOST:PORT",
              help="Dask scheduler to run on (--backend dask; default: a local cluster).")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on standard error (default: when it is a terminal).")
@click.option("--streaming", is_flag=True,
              help="Keep histograms and the exact top tail per party instead of every "
                   "simulation (memory independent of --sims); writes summary.json only.")
@click.option("--resume", is_flag=True,
              help="Continue the interrupted run checkpointed in --out.")
@click.option("--tail-level", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=None, help="Importance sampling aimed at this tail level, e.g. 0.999.")
@click.option("--qmc", "qmc", type=click.IntRange(min=2), default=None, is_flag=False,
              flag_value=16, metavar="[R]",
              help="Quasi-Monte Carlo factors, R independent Sobol scramblings (default 16).")
@reports_bad_input
def run(scenario: Path | None, n_sims: int | None, seed: int | None, out: Path | None,
        backend: str | None, workers: int | None, address: str | None,
        progress: bool | None, streaming: bool, resume: bool, tail_level: float | None,
        qmc: int | None) -> None:
    """Simulate SCENARIO (default: the embedded default scenario) and print its summary.

    With --out, completed blocks are checkpointed in OUT/checkpoint while the run goes on
    (removed once the result is written); a killed run continues with --resume.
    """
    from risksim.engine.checkpoint import saved_tasks
    from risksim.engine.simulate import simulate
    from risksim.report import format_summary
    from risksim.scenario.loader import load_scenario

    if out is not None:
        _check_writable(out)
    elif resume:
        from risksim.errors import InputError

        raise InputError("--resume needs --out, the folder of the interrupted run",
                         path="resume")
    loaded = load_scenario(scenario)
    if address is not None and backend is None:
        backend = "dask"
    checkpoint = None if out is None else out / CHECKPOINT_FOLDER
    if checkpoint is not None and resume:
        blocks = sum(stop - start for start, stop in saved_tasks(checkpoint))
        click.echo(f"resuming: {blocks:,} blocks done in {checkpoint}", err=True)
    result = simulate(loaded, n_sims=n_sims, seed=seed, backend=backend, workers=workers,
                      address=address,
                      progress=sys.stderr.isatty() if progress is None else progress,
                      checkpoint=checkpoint, resume=resume, streaming=streaming,
                      tail_level=tail_level, qmc=qmc)
    click.echo(format_summary(result))
    if out is not None:
        try:
            written = result.save(out)
        except OSError as exc:
            from risksim.errors import InputError

            raise InputError(f"cannot write the result: {exc.strerror or exc}",
                             source=str(out)) from None
        if checkpoint is not None:
            shutil.rmtree(checkpoint, ignore_errors=True)
        click.echo("wrote " + ", ".join(str(p) for p in written))


def _check_writable(out: Path) -> None:
    """Stop before simulating when the result could not be written into the folder ``out``.

    Raises
    ------
    InputError
        When the nearest existing folder on the way to ``out`` is a file or is read-only.
    """
    from risksim.errors import InputError

    existing = out
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"cannot create a folder here: {existing} is a file", source=str(out))
    if not os.access(existing, os.W_OK):
        raise InputError(f"cannot create a folder here: {existing} is read-only",
                         source=str(out))


@main.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Seed to report instead of the scenario's.")
def validate(files: tuple[Path, ...], seed: int | None) -> None:
    """Check scenario FILES (and their portfolios) without simulating.

    Every file is checked; each bad one gets its one-line error, and the exit code is 2 if
    any was bad.
    """
    from risksim.errors import InputError
    from risksim.scenario.loader import load_scenario

    bad = 0
    for file in files:
        try:
            scenario = load_scenario(file)
        except InputError as exc:
            click.echo(f"error: {exc}", err=True)
            bad += 1
            continue
        settings = scenario.spec.simulation
        click.echo(f"{file}: ok - {scenario.name} ({len(scenario.portfolio):,} loans, "
                   f"parties: {', '.join(scenario.parties)}; {settings.n_sims:,} simulations, "
                   f"seed {settings.seed if seed is None else seed})")
    if bad:
        sys.exit(EXIT_BAD_INPUT)


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: print to standard output).")
@reports_bad_input
def schema(output: Path | None) -> None:
    """Write the JSON Schema of scenario files."""
    from risksim.scenario.json_schema import schema_text, write_schema

    if output is None:
        click.echo(schema_text(), nl=False)
    else:
        write_schema(output)
        click.echo(f"wrote {output}")
