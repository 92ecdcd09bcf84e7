"""The ``risksim`` command line: run, validate, schema, price, compare, sweep, contributions,
plot, docs.

Heavy modules are imported inside the commands, so ``risksim --help`` stays instant. Bad
input prints one line, ``error: file:line: dotted.path: message``, and exits with code 2.
Commands that simulate show a progress bar on long runs in a terminal (``--quiet``: none)
and print their table as text, JSON or CSV (``--format``); with JSON or CSV, standard
output holds the data alone and the names of files written go to standard error.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

EXIT_BAD_INPUT = 2
CHECKPOINT_FOLDER = "checkpoint"
"""Sub-folder of ``run --out`` holding the checkpoint of a run in progress."""


def quiet_and_format(command: F) -> F:
    """Add ``--quiet`` (no progress bars) and ``--format table|json|csv`` to ``command``."""

    @functools.wraps(command)
    def wrapper(*args: Any, quiet: bool, output_format: str, **kwargs: Any) -> Any:
        from risksim.util import progress

        with progress.setting(False if quiet else None):
            return command(*args, output_format=output_format, **kwargs)

    wrapper = click.option("-q", "--quiet", is_flag=True,
                           help="No progress bar (bars show only on long runs in a "
                                "terminal).")(wrapper)
    wrapper = click.option("--format", "output_format",
                           type=click.Choice(["table", "json", "csv"]), default="table",
                           show_default=True, help="How the result is printed.")(wrapper)
    return wrapper  # type: ignore[return-value]


def _say_wrote(paths: Any, output_format: str) -> None:
    """``wrote A, B``: on standard output after a table, on standard error after data."""
    click.echo("wrote " + ", ".join(str(p) for p in paths), err=output_format != "table")


def _print_frame(frame: Any, output_format: str, **csv_options: Any) -> None:
    """``frame`` as JSON records or CSV on standard output."""
    if output_format == "json":
        click.echo(frame.to_json(orient="records", indent=2))
    else:
        from risksim.util.files import csv_text

        click.echo(csv_text(frame, **csv_options), nl=False)


def print_errors(error: Any) -> None:
    """``error: <line>`` on standard error for each line of an InputError."""
    for line in error.lines():
        click.echo(f"error: {line}", err=True)


def reports_bad_input(command: F) -> F:
    """Turn an InputError into one line on stderr and exit code 2 (no traceback)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from risksim.errors import InputError

        try:
            return command(*args, **kwargs)
        except InputError as exc:
            print_errors(exc)
            sys.exit(EXIT_BAD_INPUT)

    return wrapper  # type: ignore[return-value]


def reads_scenarios(command: F) -> F:
    """Add ``--allow-dir`` and ``--trust-scenario`` (what a scenario file may reach) to
    ``command``, which gets ``load``: :func:`~risksim.compile.scenario.load_scenario` with
    them applied."""

    @functools.wraps(command)
    def wrapper(*args: Any, allow_dirs: tuple[Path, ...], trust_scenario: bool,
                **kwargs: Any) -> Any:
        from risksim.compile.scenario import load_scenario

        load = functools.partial(load_scenario, allow_dirs=allow_dirs, trust=trust_scenario)
        return command(*args, load=load, **kwargs)

    wrapper = click.option("--allow-dir", "allow_dirs", multiple=True,
                           type=click.Path(exists=True, file_okay=False, path_type=Path),
                           help="A folder besides the scenario's own that its portfolio "
                                "file may be read from (repeat for several).")(wrapper)
    wrapper = click.option("--trust-scenario", is_flag=True,
                           help="Let the scenario file's own Dask settings (simulation."
                                "address, backend: dask) open connections.")(wrapper)
    return wrapper  # type: ignore[return-value]


def runs_on(command: F) -> F:
    """Add ``--backend``, ``--workers`` and ``--address`` (where the blocks run) to
    ``command``."""
    for option in reversed((
            click.option("--backend", type=click.Choice(["serial", "process", "dask"]),
                         default=None,
                         help="Where blocks run (default: as the scenario says, else "
                              "serial); the results are the same on each."),
            click.option("--workers", type=click.IntRange(min=1), default=None,
                         help="Worker processes for --backend process or a local Dask "
                              "cluster (default: CPU count; several without --backend "
                              "mean the process backend)."),
            click.option("--address", default=None, metavar="tcp://HOST:PORT",
                         help="Dask scheduler to run on (implies --backend dask; default: "
                              "a local cluster)."))):
        command = option(command)
    return command


class Commands(click.Group):
    """The command group; a usage error (an unknown option, a value out of range) is one
    line, ``error: ...``, with exit code 2, like every other bad input."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        """Run the command line; as :meth:`click.Group.main`, usage errors on one line."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "risksim"
            click.echo(f"error: {exc.format_message()} (see '{where} --help')", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="risksim")
def main() -> None:
    """Monte Carlo engine for credit risk-sharing and guarantee schemes."""
    warnings.showwarning = _one_line_warning


def _one_line_warning(message: Warning | str, category: type[Warning], filename: str,
                      lineno: int, file: Any = None, line: str | None = None) -> None:
    """Warnings on the command line: ``warning: <message>`` on stderr, one line each."""
    click.echo(f"warning: {message}", err=True)


SIMS = click.option("--n-sims", "--sims", "n_sims", type=click.IntRange(min=1), default=None,
                    help="Number of simulations, n_sims (default: as the scenario says).")
SEED = click.option("--seed", type=click.IntRange(min=0), default=None,
                    help="Random seed (default: as the scenario says).")
TAIL_LEVEL = click.option("--tail-level", type=click.FloatRange(0, 1, min_open=True,
                                                                  max_open=True),
                          default=None,
                          help="Importance sampling aimed at this tail level, e.g. 0.999 "
                               "(default: as the scenario says).")


@main.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@SIMS
@SEED
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write summary.json and the losses to.")
@runs_on
@click.option("--streaming", is_flag=True,
              help="Keep histograms and the exact top tail per party instead of every "
                   "simulation (memory independent of --sims); writes summary.json only.")
@click.option("--resume", is_flag=True,
              help="Continue the interrupted run checkpointed in --out.")
@TAIL_LEVEL
@click.option("--qmc", "qmc", type=click.IntRange(min=2), default=None, is_flag=False,
              flag_value=16, metavar="[R]",
              help="Quasi-Monte Carlo factors, R independent Sobol scramblings (default 16).")
@click.option("--timeline", is_flag=True, default=False,
              help="Also date every claim, payment and recovery (the scenario's timeline "
                   "section): print a liquidity and NPL summary, write timeline_*.csv.")
@reads_scenarios
@quiet_and_format
@reports_bad_input
def run(scenario: Path | None, n_sims: int | None, seed: int | None, out: Path | None,
        backend: str | None, workers: int | None, address: str | None, streaming: bool,
        resume: bool, tail_level: float | None, qmc: int | None, timeline: bool,
        output_format: str, load: Callable[..., Any]) -> None:
    """Simulate SCENARIO (default: the embedded default scenario) and print its summary.

    --format json prints what summary.json holds (metadata and every summary table);
    --format csv the loss summary, one row per party, with the guarantor figures (capital,
    leverage) of each layer with capital in columns capital.<figure>. The table shows them
    after the losses. With --out, completed blocks are checkpointed in OUT/checkpoint while
    the run goes on (removed once the result is written; not with --timeline); a killed run
    continues with --resume.
    """
    from risksim.analysis.simulate import simulate
    from risksim.engine.checkpoint import saved_tasks
    from risksim.present.report import summary_report, text, timeline_report
    from risksim.results.result import Result

    if out is not None:
        _check_writable(out)
    elif resume:
        from risksim.errors import InputError

        raise InputError("--resume needs --out, the folder of the interrupted run",
                         path="resume")
    loaded = load(scenario)
    checkpoint = None if out is None or timeline else out / CHECKPOINT_FOLDER
    if checkpoint is not None and resume:
        blocks = sum(stop - start for start, stop in saved_tasks(checkpoint))
        click.echo(f"resuming: {blocks:,} blocks done in {checkpoint}", err=True)
    result = simulate(loaded, n_sims=n_sims, seed=seed, backend=backend, workers=workers,
                      address=address, checkpoint=checkpoint, resume=resume,
                      streaming=streaming, tail_level=tail_level, qmc=qmc, timeline=timeline)
    if output_format == "table":
        click.echo(text(summary_report(result)))
        if isinstance(result, Result) and result.timeline is not None:
            click.echo("\n" + text(timeline_report(result)))
    elif output_format == "json":
        click.echo(result.to_json())
    else:
        _print_frame(_run_table(result), output_format)
    if out is not None:
        try:
            written = result.save(out)
        except OSError as exc:
            from risksim.errors import InputError

            raise InputError(f"cannot write the result: {exc.strerror or exc}",
                             source=str(out)) from None
        if checkpoint is not None:
            shutil.rmtree(checkpoint, ignore_errors=True)
        _say_wrote(written, output_format)


def _run_table(result: Any) -> Any:
    """The loss summary with, for each layer with capital, its guarantor figures as columns
    ``capital.<figure>`` (on its party's row; a party with several layers: the layer's own
    row)."""
    import pandas as pd

    from risksim.results.result import Result

    summary = result.summary()
    if not isinstance(result, Result) or result.guarantor_summary().empty:
        return summary
    guarantors = result.guarantor_summary().add_prefix("capital.")
    return pd.concat([summary, guarantors], axis=1).rename_axis("party")


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
@reads_scenarios
def validate(files: tuple[Path, ...], seed: int | None, load: Callable[..., Any]) -> None:
    """Check scenario FILES (and their portfolios) without simulating.

    Every file is checked; each bad one gets its errors, one line each, and the exit code
    is 2 if any was bad. A valid file gets a paragraph on its book (loans, volume, mean
    exposure, mean PD, EL = sum of PD x LGD x EAD) and one on its arrangement in words.
    """
    from risksim.errors import InputError, escape_controls
    from risksim.present.scenario_summary import scenario_summary

    bad = 0
    for file in files:
        try:
            scenario = load(file)
        except InputError as exc:
            print_errors(exc)
            bad += 1
            continue
        settings = scenario.spec.simulation
        click.echo(f"{file}: ok - {escape_controls(scenario.name)} "
                   f"({len(scenario.portfolio):,} loans, "
                   f"parties: {', '.join(scenario.parties)}; {settings.n_sims:,} simulations, "
                   f"seed {settings.seed if seed is None else seed})")
        click.echo("\n".join(escape_controls(line)
                             for line in scenario_summary(scenario).splitlines()))
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


def _write_result(result: Any, out: Path | None, output_format: str = "table") -> None:
    """``result.save(out)`` (a file, or a folder created as needed) and say where."""
    if out is None:
        return
    from risksim.errors import InputError

    _check_writable(out.parent)
    try:
        written = result.save(out)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", source=str(out)) from None
    _say_wrote(written, output_format)


def _bands(text: str | None) -> list[float] | None:
    from risksim.errors import InputError

    if text is None:
        return None
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise InputError(f"'{text}': expected numbers separated by commas",
                         path="--bands") from None


CSV_OUT = click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
                       help="CSV file to write the table to.")


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--party", required=True, help="The party whose fee is priced.")
@click.option("--target", default=None,
              help="solvency:X (P(exhausting capital) <= X) or return:H (return on capital "
                   ">= H a year).")
@click.option("--capital", "capital_kind", type=click.Choice(["es", "var", "basel"]),
              default="es", show_default=True, help="How capital is measured.")
@click.option("--level", type=float, default=0.99, show_default=True,
              help="Level of the VaR or ES that sizes capital.")
@click.option("--cost-of-capital", type=float, default=0.10, show_default=True)
@click.option("--admin-rate", type=float, default=0.0, show_default=True,
              help="Admin cost per year, a fraction of the fee base.")
@click.option("--discount-rate", type=float, default=0.0, show_default=True)
@click.option("--base", type=click.Choice(["loan", "guaranteed"]), default="loan",
              show_default=True, help="Fee per unit of covered loan or of its guaranteed part.")
@click.option("--capital-amount", type=float, default=None,
              help="The party's capital for a solvency target (default: its layer's).")
@click.option("--by", default=None, help="Price tier by tier: rating, segment, sector, ... "
              "or exposure with --bands.")
@click.option("--bands", default=None, help="Upper bounds of size bands, e.g. 150000,700000.")
@click.option("--set", "settings", multiple=True,
              help="PATH=VALUES as in 'risksim sweep': price every point (a fee curve), "
                   "e.g. arrangement.layers.guarantor.share_of_loss=0.3:0.6:0.05.")
@click.option("--design", type=click.Choice(["grid", "one-at-a-time"]), default="grid",
              show_default=True, help="With --set: every combination, or each path alone.")
@SIMS
@SEED
@runs_on
@CSV_OUT
@reads_scenarios
@quiet_and_format
@reports_bad_input
def price(scenario: Path, party: str, target: str | None, capital_kind: str, level: float,
          cost_of_capital: float, admin_rate: float, discount_rate: float, base: str,
          capital_amount: float | None, by: str | None, bands: str | None,
          settings: tuple[str, ...], design: str, n_sims: int | None, seed: int | None,
          backend: str | None, workers: int | None, address: str | None, out: Path | None,
          output_format: str, load: Callable[..., Any]) -> None:
    """Price the fee of a party of SCENARIO: break-even, risk-adjusted, meeting a target.

    With --set, every point of the sweep is priced on the same simulated defaults: the fee
    curve, one row per point. A required fee above the scheme's fee ceiling (max_rate of
    the party's fee) is flagged and warned of; it is not an error.
    """
    from risksim.analysis.price import PricingTerms
    from risksim.analysis.price import price as price_fee
    from risksim.analysis.sweep import parse_setting
    from risksim.present.report import fee_curve_report, pricing_report, text

    terms = PricingTerms(level=level, capital=capital_kind,  # type: ignore[arg-type]
                         cost_of_capital=cost_of_capital, admin_rate=admin_rate,
                         discount_rate=discount_rate, base=base)  # type: ignore[arg-type]
    options: dict[str, Any] = {
        "terms": terms, "target": target, "capital_amount": capital_amount, "by": by,
        "bands": _bands(bands), "n_sims": n_sims, "seed": seed, "backend": backend,
        "workers": workers, "address": address}
    if settings:
        curve = price_fee(load(scenario), party, sweep=dict(map(parse_setting, settings)),
                          design="grid" if design == "grid" else "one_at_a_time", **options)
        if output_format == "table":
            click.echo(text(fee_curve_report(curve)))
        else:
            _print_frame(curve.table, output_format, index=False)
        _write_result(curve, out, output_format)
        return
    if design != "grid":
        from risksim.errors import InputError

        raise InputError("--design applies to a fee curve: give --set PATH=VALUES",
                         path="--design")
    pricing = price_fee(load(scenario), party, **options)
    if output_format == "table":
        click.echo(text(pricing_report(pricing)))
    elif output_format == "csv":
        _print_frame(pricing.table, output_format)
    else:
        import json

        fee = pricing.target
        click.echo(json.dumps({
            "metadata": pricing.metadata, "party": pricing.party,
            "tiers": json.loads(pricing.table.to_json(orient="index")),
            "target": None if fee is None else {"fee": fee.value, "se": fee.se,
                                                "lower": fee.lower, "upper": fee.upper,
                                                "no_fee_needed": pricing.no_fee_needed}},
            indent=2, default=str))
    _write_result(pricing, out, output_format)


def _levels(context: click.Context, parameter: click.Parameter,
            value: str | None) -> list[float] | None:
    """``--levels 0.95,0.99`` as floats (their range is checked with the other settings)."""
    if value is None:
        return None
    try:
        return [float(part) for part in value.split(",")]
    except ValueError:
        raise click.BadParameter(f"{value!r}: expected levels such as 0.95,0.99") from None


@main.command()
@click.argument("scenarios", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--baseline", default=None, help="The scheme differences are taken to "
              "(a file given, or its name; default: the first).")
@click.option("--public", default=None,
              help="Parties whose losses are public money, comma-separated (default: every "
                   "party but the lender).")
@click.option("--risk-weight", type=float, default=0.2, show_default=True,
              help="Risk weight of the guaranteed part, for the bank's capital relief.")
@click.option("--levels", default=None, callback=_levels,
              help="Levels of VaR and ES, comma-separated, e.g. 0.95,0.99 (VaR 0.99 is the "
                   "loss of a 1-in-100 year; default: as the first scenario says).")
@SIMS
@SEED
@runs_on
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write parties.csv, schemes.csv and comparison.json to.")
@reads_scenarios
@quiet_and_format
@reports_bad_input
def compare(scenarios: tuple[Path, ...], baseline: str | None, public: str | None,
            risk_weight: float, levels: list[float] | None, n_sims: int | None,
            seed: int | None, backend: str | None, workers: int | None, address: str | None,
            out: Path | None,
            output_format: str, load: Callable[..., Any]) -> None:
    """Compare SCENARIOS on the same simulated defaults, against a baseline."""
    from risksim.analysis.compare import compare as compare_schemes
    from risksim.present.report import comparison_report, text

    if out is not None:
        _check_writable(out)
    comparison = compare_schemes([load(s) for s in scenarios], baseline=baseline or 0,
                                 n_sims=n_sims, seed=seed, levels=levels,
                                 public=public.split(",") if public else None,
                                 guarantor_risk_weight=risk_weight, backend=backend,
                                 workers=workers, address=address)
    if output_format == "table":
        click.echo(text(comparison_report(comparison)))
    elif output_format == "json":
        click.echo(comparison.json())
    else:
        _print_frame(comparison.to_frame(), output_format, index=False)
    _write_result(comparison, out, output_format)


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--set", "settings", multiple=True, required=True,
              help="PATH=VALUES, e.g. arrangement.layers.guarantor.share_of_loss=0.3:0.6:0.05 "
                   "(a range, stop included) or =0.3,0.5; several make a grid.")
@click.option("--design", type=click.Choice(["grid", "one-at-a-time"]), default="grid",
              show_default=True)
@click.option("--party", default=None, help="Party to print (default: the first).")
@click.option("--measure", default=None, help="Measure to print, e.g. EL or ES_0.99 "
              "(default: ES at the highest level).")
@SIMS
@SEED
@runs_on
@CSV_OUT
@reads_scenarios
@quiet_and_format
@reports_bad_input
def sweep(scenario: Path, settings: tuple[str, ...], design: str, party: str | None,
          measure: str | None, n_sims: int | None, seed: int | None, backend: str | None,
          workers: int | None, address: str | None, out: Path | None,
          output_format: str, load: Callable[..., Any]) -> None:
    """Simulate SCENARIO at every point of a sweep, on common random numbers."""
    from risksim.analysis.sweep import parse_setting, tornado
    from risksim.analysis.sweep import sweep as run_sweep
    from risksim.errors import InputError
    from risksim.present.report import sweep_report, text, tornado_report
    from risksim.util.suggest import unknown_name_message

    loaded = load(scenario)
    swept = run_sweep(loaded, dict(parse_setting(text) for text in settings),
                      design="grid" if design == "grid" else "one_at_a_time",
                      n_sims=n_sims, seed=seed, backend=backend, workers=workers,
                      address=address)
    party = party or loaded.parties[0]
    measure = measure or swept.measures[-1]
    for name, value, valid in (("party", party, swept.parties),
                               ("measure", measure, swept.measures)):
        if value not in valid:
            raise InputError(unknown_name_message(name, value, valid), path=f"--{name}")
    if output_format != "table":
        _print_frame(swept.table, output_format, index=False)
    else:
        click.echo(text(sweep_report(swept, party, measure)))
        if design != "grid":
            click.echo("\n" + text(tornado_report(tornado(swept, party, measure), swept,
                                                  party, measure)))
    _write_result(swept, out, output_format)


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--by", default="segment", show_default=True,
              help="loan, segment or a text column (sector, region, rating, ...).")
@click.option("--party", default=None, help="Party to analyse (default: all).")
@click.option("--level", type=float, default=0.99, show_default=True)
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Units printed per party (largest ES contribution first).")
@SIMS
@SEED
@TAIL_LEVEL
@runs_on
@CSV_OUT
@reads_scenarios
@quiet_and_format
@reports_bad_input
def contributions(scenario: Path, by: str, party: str | None, level: float, top: int,
                  n_sims: int | None, seed: int | None, tail_level: float | None,
                  backend: str | None, workers: int | None, address: str | None,
                  out: Path | None, output_format: str, load: Callable[..., Any]) -> None:
    """Euler ES and VaR contributions of each unit of SCENARIO to each party's tail."""
    from risksim.analysis.contributions import contributions as euler_contributions
    from risksim.present.report import contributions_report, text

    found = euler_contributions(load(scenario), by, parties=[party] if party else None,
                                level=level, n_sims=n_sims, seed=seed, backend=backend,
                                workers=workers, address=address, tail_level=tail_level)
    if output_format == "table":
        click.echo(text(contributions_report(found, top)))
    else:
        _print_frame(found.table, output_format, index=False)
    _write_result(found, out, output_format)


PLOT_KINDS = ("distribution", "exceedance", "tail-shares", "convergence", "cash-paths",
              "npl-paths", "comparison", "tornado", "fee-curve")


@main.command(context_settings={"token_normalize_func": lambda token: token.replace("_", "-")})
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--kind", type=click.Choice(PLOT_KINDS), default=None,
              help="The plot (default: exceedance for a result, comparison for a compare "
                   "folder, tornado for a sweep CSV, fee-curve for a fee curve CSV); "
                   "cash-paths and npl-paths need a result "
                   "run with --timeline.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Image to write, .png, .svg or .pdf (default: KIND.png in the result "
                   "folder, or beside the sweep CSV).")
@click.option("--party", "parties", multiple=True,
              help="Party to show (repeat for several; default: all). One party for "
                   "convergence, cash-paths and tornado.")
@click.option("--level", type=float, default=None,
              help="Level of the VaR and ES marked on an exceedance curve (default 0.99).")
@click.option("--measure", default=None,
              help="EL, SD, VaR_0.99, ES_0.99, ... for convergence, comparison and tornado.")
@click.option("--difference", is_flag=True,
              help="comparison: differences to the baseline with paired error bars.")
@click.option("--per-lending", is_flag=True,
              help="comparison: amounts as a share of each scheme's lending (comparable "
                   "across books and currencies).")
@click.option("--dpi", type=click.IntRange(min=20, max=1200), default=150, show_default=True)
@reports_bad_input
def plot(source: Path, kind: str | None, output: Path | None, parties: tuple[str, ...],
         level: float | None, measure: str | None, difference: bool, per_lending: bool,
         dpi: int) -> None:
    """Draw a saved result, comparison or sweep into a PNG, SVG or PDF file.

    SOURCE is a result folder (risksim run --out), a compare folder (risksim compare --out)
    or the CSV of a one-at-a-time sweep (risksim sweep --out) or of a fee curve (risksim
    price --set ... --out). Kinds of a result:
    distribution, exceedance, tail-shares, convergence, and of one run with --timeline
    cash-paths (a party's monthly cash) and npl-paths (the lender's monthly NPL ratio against
    its tolerance); of a compare folder: comparison; of a sweep: tornado; of a fee curve:
    fee-curve (the required fees against the first swept path, with their 95% bands and
    the fee ceiling).
    """
    from risksim.cli.plot_sources import option_named, saved
    from risksim.errors import InputError
    from risksim.present.plots import draw
    from risksim.util.files import write_atomically

    data, found, options = saved(source)
    kind = kind or {"result": "exceedance", "comparison": "comparison",
                    "sweep": "tornado", "fee_curve": "fee-curve"}[found]
    expected = {"comparison": "comparison", "tornado": "sweep",
                "fee-curve": "fee_curve"}.get(kind, "result")
    if expected != found:
        raise InputError(f"--kind {kind} plots a {expected}, and this is a {found}",
                         source=str(source))
    single = kind in ("convergence", "cash-paths", "tornado")
    if single and len(parties) > 1:
        raise InputError(f"--kind {kind} shows one party, not {len(parties)}", path="--party")
    if parties:
        options["party" if single else "parties"] = parties[0] if single else list(parties)
    if level is not None:
        options["level"] = level
    if measure is not None:
        options["measure"] = measure
    if difference:
        options["difference"] = True
    if per_lending:
        options["per_lending"] = True
    else:
        options.pop("lending", None)
    output = output or (source if source.is_dir() else source.parent) / f"{kind}.png"
    suffix = output.suffix.lower().lstrip(".")
    if suffix not in ("png", "svg", "pdf"):
        raise InputError(f"'{output.name}': expected a .png, .svg or .pdf file",
                         path="--output")
    _check_writable(output.parent)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    try:
        figure: Any = draw(kind, data, **options).figure
    except TypeError as exc:
        if "unexpected keyword argument" not in str(exc):
            raise
        raise InputError(f"not used by --kind {kind}", path=option_named(exc)) from None
    try:
        write_atomically(output, lambda path: figure.savefig(path, format=suffix, dpi=dpi))
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", source=str(output)) from None
    finally:
        plt.close(figure)
    click.echo(f"wrote {output}")


@main.command()
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              default=Path("docs"), show_default=True, help="Folder to write the docs to.")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 if a file in the folder is not current.")
@reports_bad_input
def docs(output: Path, check: bool) -> None:
    """Regenerate the reference docs: quick tour, CLI and scenario-file references.

    The tour's summary and picture come from a run of the embedded default scenario; the
    CLI reference from every command's --help; the scenario-file reference from the JSON
    Schema, with examples from the files in scenarios/.
    """
    from risksim.cli.docs import stale_files, write_docs

    if check:
        stale = stale_files(output, main)
        for name in stale:
            click.echo(f"stale: {output / name}", err=True)
        if stale:
            sys.exit(1)
        click.echo(f"{output}: current")
        return
    _check_writable(output)
    for path in write_docs(output, main):
        click.echo(f"wrote {path}")
