"""`flask sectors …`: KBLI coding of business descriptions from the command line."""
from __future__ import annotations

from collections.abc import Callable

import click
from flask import current_app
from flask.cli import AppGroup

from survey_app.models import Wave
from survey_app.sectors.models import ModelNotUsable
from survey_app.sectors.service import CodingError, code_wave, status_counts, write_training_data
from survey_app.sectors.versions import sector_model
from survey_app.waves.service import WaveError, find_wave

sectors_cli = AppGroup("sectors", help="Code business descriptions into KBLI 2020 sectors.")


def _wave(name: str) -> Wave:
    try:
        return find_wave(name)
    except WaveError as exc:
        raise click.ClickException(str(exc)) from None


@sectors_cli.command("code")
@click.option("--wave", "wave_name", required=True, help="Wave whose submitted answers to code.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Confidence needed to auto-code (default: the model's, set for 95% precision).")
@click.option("--model", "model_path", type=click.Path(dir_okay=False),
              help="Signed model file to code with (default: SECTOR_MODEL or the default model).")
def code_command(wave_name: str, threshold: float | None, model_path: str | None) -> None:
    """Code every submitted description that has no code yet; unsure ones go to the review queue."""
    wave = _wave(wave_name)
    try:
        model = sector_model(model_path) if model_path else None
        report = code_wave(wave, model=model, threshold=threshold)
    except ModelNotUsable as error:
        raise click.ClickException(str(error)) from None
    except CodingError as error:
        raise click.ClickException(str(error)) from None
    share = f"{100 * report.auto / report.total:.1f}%" if report.total else "—"
    click.echo(f"coded {report.total} answers: {report.auto} automatically ({share}), "
               f"{report.review} to the review queue (model {report.model_version[:12]})")


@sectors_cli.command("status")
@click.option("--wave", "wave_name", required=True)
def status_command(wave_name: str) -> None:
    """Current codes of a wave by status (auto, review, manual)."""
    counts = status_counts(_wave(wave_name))
    for status in ("auto", "review", "manual"):
        click.echo(f"{status}\t{counts.get(status, 0)}")


@sectors_cli.command("export-training")
@click.option("--out", type=click.File("w", encoding="utf-8"), required=True)
def export_training_command(out) -> None:
    """Write people's codes as text,kbli5 for `python -m analysis train --extra FILE`."""
    count = write_training_data(out)
    click.echo(f"wrote {count} manually coded answers")


# --- retrain (issue 13 items 5-6): retrain, model versions, promote/rollback, coder agreement

def _version(text: str):
    from survey_app.sectors.versions import VersionRefused, find_version

    try:
        return find_version(text)
    except VersionRefused as refused:
        raise click.ClickException(refused.english()) from None


def _fmt(value) -> str:
    return "—" if value is None else f"{value:.3f}"


def echo_comparison(row) -> None:
    """Print a candidate's comparison table (current vs candidate on held-out people's codes)."""
    table = row.metrics or {}
    click.echo(f"compared on {table.get('n', 0)} held-out people's codes with model {(row.compared_with or '?')[:12]}")
    click.echo(f"{'metric':<30} {'current':>8} {'candidate':>9} {'diff':>7}  not worse")
    for r in table.get("rows", []):
        diff = "—" if r["difference"] is None else f"{r['difference']:+.3f}"
        click.echo(f"{r['label']:<30} {_fmt(r['current']):>8} {_fmt(r['candidate']):>9} {diff:>7}  "
                   f"{'yes' if r['not_worse'] else 'NO'}")
    click.echo("verdict: " + ("not worse: may be promoted" if row.not_worse else
                              "worse on " + ", ".join(table.get("worse", [])) + ": will not be promoted"))


# The jobs package runs sector coding and retraining (jobs → sectors), so this module starts a
# job through a starter the app's CLI set-up hands it (survey_app/cli.py): no import cycle.
_start_job: Callable[[str], tuple[int, bool]] | None = None


def use_job_starter(start: Callable[[str], tuple[int, bool]]) -> None:
    """Set how a command starts a background job: ``start(kind) -> (job id, reused)``; RuntimeError if it cannot."""
    global _start_job
    _start_job = start


@sectors_cli.command("retrain")
@click.option("--wait", is_flag=True, help="Retrain in this process now and print the comparison "
                                           "(default: start a background job for `flask jobs worker`).")
def retrain_command(wait: bool) -> None:
    """Train a candidate model on people's codes from the review queue and compare it with the active one."""
    from survey_app.audit import cli_actor
    from survey_app.sectors.retraining import readiness, refusal, retrain
    from survey_app.sectors.versions import VersionRefused

    refused = refusal(readiness())
    if refused is not None:
        raise click.ClickException(refused.english())
    if not wait:
        if _start_job is None:
            raise click.ClickException("background jobs are not set up in this process; use --wait")
        try:
            job_id, reused = _start_job("sectors.retrain")
        except RuntimeError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"job {job_id} {'already running' if reused else 'queued'}; "
                   "a worker runs it (`flask jobs worker`); see `flask sectors models` afterwards")
        return
    try:
        row = retrain(cli_actor(), step=lambda message, **args: click.echo(message % args if args else message))
    except VersionRefused as refused_now:
        raise click.ClickException(refused_now.english()) from None
    click.echo(f"candidate {row.version[:12]} trained on {row.people_codes} people's codes "
               f"in {row.training_seconds:.1f} s")
    echo_comparison(row)


@sectors_cli.command("models")
def models_command() -> None:
    """Model versions with their status and comparison figures, newest first."""
    from survey_app.sectors.versions import versions

    rows = versions()
    if not rows:
        click.echo("no model versions yet: the app codes with SECTOR_MODEL or the default model; "
                   "`flask sectors retrain` registers it as the baseline")
        return
    click.echo("version\tstatus\tcreated (UTC)\tpeople's codes\theld out\tnot worse\tsection acc.\tdivision acc.\tfile")
    for row in rows:
        metrics = {r["key"]: r["candidate"] for r in (row.metrics or {}).get("rows", [])}
        verdict = "—" if row.not_worse is None else ("yes" if row.not_worse else "no")
        click.echo(f"{row.version[:12]}\t{row.status}\t{row.created_at:%Y-%m-%d %H:%M}\t{row.people_codes}\t"
                   f"{row.held_out_codes}\t{verdict}\t{_fmt(metrics.get('section_accuracy'))}\t"
                   f"{_fmt(metrics.get('division_accuracy'))}\t{row.path}")


@sectors_cli.command("promote")
@click.argument("version")
def promote_command(version: str) -> None:
    """Make a candidate the active model (refused when it is worse than the active one)."""
    from survey_app.sectors.versions import VersionRefused, promote

    row = _version(version)
    if row.metrics:
        echo_comparison(row)
    try:
        promote(row)
    except VersionRefused as refused:
        raise click.ClickException(refused.english()) from None
    click.echo(f"model {row.version[:12]} is now active")


@sectors_cli.command("rollback")
@click.argument("version")
def rollback_command(version: str) -> None:
    """Make an earlier active model the active one again."""
    from survey_app.sectors.versions import VersionRefused, rollback

    row = _version(version)
    try:
        rollback(row)
    except VersionRefused as refused:
        raise click.ClickException(refused.english()) from None
    click.echo(f"model {row.version[:12]} is active again")


def _pct_ci(m: dict) -> str:
    low, high = m["agreement_ci"]
    return f"{100 * m['agreement']:.1f}% ({100 * low:.1f}-{100 * high:.1f})"


def _kappa_ci(m: dict) -> str:
    low, high = m["kappa_ci"]
    return f"{m['kappa']:.3f} ({low:.3f}-{high:.3f})"


@sectors_cli.command("agreement")
@click.option("--wave", "wave_name", required=True)
def agreement_command(wave_name: str) -> None:
    """Blind double coding: agreement and Cohen's kappa between coders, and the model's with each."""
    from survey_app.sectors.second_coding import agreement, progress

    wave = _wave(wave_name)
    counts = progress(wave, user_id=-1)
    report = agreement(wave)
    click.echo(f"answers coded by people: {counts.coded_by_people}; chosen for a blind second coding: "
               f"{counts.selected} (share {100 * float(current_app.config['SECOND_CODING_SHARE']):.1f}%); "
               f"double-coded: {report['n']}")
    if report["n"] == 0:
        click.echo("no answer has a second code yet: nothing to report")
        return
    click.echo("pair\tlevel\tn\tagreement (95% CI)\tCohen's kappa (95% CI)")
    names = {"coders": "first vs second person", "model_first": "model vs first person",
             "model_second": "model vs second person"}
    for pair, label in names.items():
        for level in ("section", "division"):
            m = report[pair][level]
            click.echo(f"{label}\t{level}\t{m['n']}\t{_pct_ci(m)}\t{_kappa_ci(m)}")
# --- end retrain
