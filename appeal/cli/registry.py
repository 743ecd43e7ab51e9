"""`appeal models list | add | promote | rollback`: the model registry from the command line."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from appeal.cli import ByOption, who
from models.registry import DEFAULT_CLASS_MARGIN, DEFAULT_TOLERANCE

models_app = typer.Typer(help="Trained model versions, the serving champion and its promotion gate.",
                         no_args_is_help=True)


def _registry(root: Optional[Path]):
    from models.registry import Registry

    return Registry(root)


RegistryOption = typer.Option(None, "--registry", help="registry directory (default: APPEAL_HOME/registry)")
# A negative tolerance would refuse an equal challenger, and one of 1 lets any challenger through unlogged as forced.
ToleranceOption = typer.Option(DEFAULT_TOLERANCE, "--tolerance", min=0.0, max=0.5,
                               help="largest macro-F1 drop the gate allows")
ClassMarginOption = typer.Option(DEFAULT_CLASS_MARGIN, "--class-margin", min=0.0, max=0.5,
                                 help="largest per-class F1 drop the gate allows")
ReasonOption = typer.Option(None, "--reason", help="why, recorded in the promotion log and shown by `models list` "
                                                   "(e.g. 'agents report wrong units since 9:00')")


@models_app.command("list")
def list_versions(registry: Optional[Path] = RegistryOption) -> None:
    """Every version, oldest first; * marks the champion, ! a version that cannot serve (named below the table)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    reg = _registry(registry)
    versions = reg.list()
    if not versions:
        typer.echo(reg.lost_champion() or f"{reg.root.resolve()}: no versions (is APPEAL_HOME the service's home?)")
        return
    from appeal.config import centre_minute, get_settings

    table = Table(title=f"{reg.root}  (F1: topic macro-F1 measured at training, on each version's own held-out "
                        "tickets, n of them: no comparison between versions, which the gate's lines below make "
                        "on one evaluation set; labels: topics/units; * = champion; ! = cannot serve; "
                        f"~ = thresholds refitted by appeal calibrate; times in {get_settings().timezone})",
                  box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False)
    # The version is what `promote` takes: at 80 columns no cell may be cut (headers wrap instead).
    table.add_column("version", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("trained", no_wrap=True)
    table.add_column("labels", no_wrap=True)
    table.add_column("F1", no_wrap=True)
    table.add_column("n", no_wrap=True)
    for v in versions:
        f1, held_out = v.metrics.get("macro_f1"), _held_out(v.metrics)
        table.add_row(
            v.version + (" *" if v.champion else "") + (" ~" if v.calibrated else "") + (" !" if v.problem else ""),
            v.kind,
            centre_minute(v.created_at),
            f"{v.heads.get('topic', '–')}/{v.heads.get('unit', '–')}",
            f"{f1:.4f}" if isinstance(f1, (int, float)) else "",
            str(held_out) if held_out is not None else "",
        )
    Console().print(table)
    # A version's own held-out F1 is no comparison with another's (a trainer's round: a refused challenger's 0.72
    # against the champion's 0.57 invited a --force): the gate's verdict on one evaluation set is.
    decisions = reg.decisions()
    gated = {d.version: d for d in decisions if d.action in _GATE_WORDS}
    # …and a rollback since (a trainer's round: a version rolled back read "passed the gate", and was promoted again)
    rolled = {d.previous: d for d in decisions if d.action == "rollback"}
    for v in versions:
        if v.version in gated:
            typer.echo(_gate_line(gated[v.version]))
        elif not v.champion:  # a report round: its own held-out F1 read as the best of three, it was the worst
            typer.echo(f"{v.version}: never compared with a champion (`appeal models promote {v.version}` does)")
        if v.version in rolled and (v.version not in gated or rolled[v.version].at >= gated[v.version].at):
            typer.echo(_rollback_line(rolled[v.version]))
    for v in versions:
        if v.problem:
            # the champion's directory is what the service reads at its next start: not one to remove
            todo = ("the service will not load it at its next start: name another champion (`appeal models "
                    "rollback` or `promote`)" if v.champion else "add the trained model again under a new version, "
                    f"or `appeal models remove {v.version}`")
            typer.secho(f"! {v.version}: {v.problem}. It cannot be promoted or served: {todo}",
                        fg=typer.colors.RED, err=True)
    for problem in reg.log_problems():
        typer.secho(f"! {problem}", fg=typer.colors.RED, err=True)


def _held_out(metrics: dict) -> int | None:
    """How many held-out tickets a card's topic macro-F1 rests on (a baseline's card and a fine-tuned one's keep it
    apart)."""
    topic = ((metrics.get("holdout") or {}).get("topic") or (metrics.get("heads") or {}).get("topic") or {})
    return topic.get("n", topic.get("holdout_n"))


def after_refusal(version: str) -> str:
    """What a trainer can do once the gate refused a version (a trainer's round: the refusal ended the output)."""
    return ("next: collect more agents' answers (or correct the labels the reasons name: `appeal feedback correct`) "
            "and `appeal retrain` again; "
            f"or, where the reasons above are understood and accepted, `appeal models promote {version} --force --by "
            "NAME --reason WHY` (recorded as forced), or a wider --tolerance / --class-margin for one promotion")


# "refused the gate" read as if the version had refused it (a re-tester's round)
_GATE_WORDS = {"promote": "passed", "refuse": "was refused by", "force": "forced past", "judge": "was scored by"}


def _gate_line(decision) -> str:
    """What the promotion gate said last of a version, with the topic macro-F1 of both on its evaluation set."""
    from appeal.config import centre_minute

    def f1(scores: dict | None) -> str:
        value = ((scores or {}).get("topic") or {}).get("macro_f1")
        return "–" if value is None else f"{value:.4f}"

    if decision.previous is None:  # nothing to compare with: no gate was run
        return f"{decision.version}: the first champion, {centre_minute(decision.at)}"
    # …and by whom (a trainer's round: a forced promotion's line named no one, its rollback's did)
    line = f"{decision.version}: {_GATE_WORDS[decision.action]} the gate {centre_minute(decision.at)}{_by(decision)}"
    if decision.action == "judge":  # retrain --no-promote: it would have, and nobody promoted it (yet)
        line += f" and not promoted (--no-promote): it would {'pass' if decision.would == 'promote' else 'be refused'}"
    line += _margins(decision) + (f" ({decision.reason})" if decision.reason else "")
    if decision.challenger_scores:
        name = (decision.evaluation or {}).get("name", "its evaluation set")
        line += (f", topic macro-F1 on {name} {f1(decision.challenger_scores)} against {decision.previous} "
                 f"{f1(decision.champion_scores)}")
    return line


@models_app.command()
def add(
    model_dir: Path = typer.Argument(..., help="model directory written by `appeal train --out`"),
    version: Optional[str] = typer.Option(None, "--version", help="version name (default: the model card's)"),
    registry: Optional[Path] = RegistryOption,
) -> None:
    """Copy a trained model into the registry as a challenger; `appeal models promote VERSION` then decides."""
    added = _registry(registry).add(model_dir, version=version)
    typer.echo(f"added {added}: a challenger until `appeal models promote {added}` passes the gate")


@models_app.command()
def promote(
    version: str = typer.Argument(..., help="version to make the champion"),
    force: bool = typer.Option(False, "--force", help="promote even if the gate refuses (logged as forced)"),
    data: Optional[list[Path]] = typer.Option(
        None, "--data",
        help="evaluation ticket file(s); default: the fixed evaluation set (APPEAL_EVALUATION_FILE, else dev_raw.csv)"),
    tolerance: float = ToleranceOption,
    class_margin: float = ClassMarginOption,
    registry: Optional[Path] = RegistryOption,
    by: Optional[str] = ByOption,
    reason: Optional[str] = ReasonOption,
) -> None:
    """Compare VERSION with the champion on the evaluation set and promote it if it passes the gate."""
    from knowledge_base.units import unit_label_reader
    from models.card import ModelCard
    from training.retrain import load_evaluation_set
    from training.tickets import learnt_evaluation_rows

    reg = _registry(registry)
    challenger = ModelCard.load(reg.path(version))  # an unknown version fails before the evaluation set is read
    for note in _earlier_verdicts(reg, version):
        typer.secho(f"note: {note}", fg=typer.colors.YELLOW, err=True)
    evaluation = load_evaluation_set(data, unit_label_reader(challenger.heads))
    decision = reg.promote(version, evaluation_data=evaluation, force=force, tolerance=tolerance,
                           class_margin=class_margin, by=who(by), reason=reason, learnt=learnt_evaluation_rows)
    for line in decision.reasons:
        typer.echo(f"  {line}")
    if not decision.promoted:
        typer.secho(f"refused: {version} stays a challenger; champion is still {decision.previous}",
                    fg=typer.colors.RED, err=True)
        typer.echo(after_refusal(version), err=True)
        raise typer.Exit(1)
    label = "FORCED: " if decision.action == "force" else ""
    typer.secho(f"{label}{version} is the champion (was {decision.previous or 'none'})", fg=typer.colors.GREEN)


def _margins(decision) -> str:
    """The gate's settings where they were not the defaults: a verdict of `--tolerance 0.5` read "it would pass", and
    `models promote` at the defaults then refused the version (a re-tester's round)."""
    from models.registry import DEFAULT_CLASS_MARGIN, DEFAULT_TOLERANCE

    given = [f"--{name} {value:g}" for name, value, default in (
        ("tolerance", decision.tolerance, DEFAULT_TOLERANCE), ("class-margin", decision.class_margin,
                                                               DEFAULT_CLASS_MARGIN))
             if value is not None and value != default]
    return f" (at {' '.join(given)})" if given else ""


def _earlier_verdicts(reg, version: str) -> list[str]:
    """What was decided about `version` before: a trainer's round promoted, without --force and unwarned, a version a
    retrain's gate had refused on another evaluation set, and one rolled back an hour before; and who forced it."""
    from appeal.config import centre_minute

    notes = []
    for decision in reg.decisions():
        when = f"{centre_minute(decision.at)}{f' by {decision.by}' if decision.by else ''}"
        if decision.action in ("refuse", "judge") and decision.version == version:
            on = (decision.evaluation or {}).get("name", "no evaluation set") + _margins(decision)
            how = "refused" if decision.action == "refuse" else (
                f"would {'pass' if decision.would == 'promote' else 'refuse'} (retrain --no-promote)")
            notes.append(f"the gate {how} {version} {when} on {on}: {'; '.join(decision.reasons)}")
        elif decision.action == "force" and decision.version == version:
            # a trainer's round: restoring a version rolled back for an outside reason met the same refusal, and the
            # person who had accepted it was not named
            notes.append(f"{version} was forced past the gate {when}" + (f" ({decision.reason})" if decision.reason
                                                                        else ""))
        elif decision.action == "rollback" and decision.previous == version:
            notes.append(_rollback_line(decision))
    return notes


def _rollback_line(decision) -> str:
    """The version a rollback took the champion role from: when, by whom and why."""
    from appeal.config import centre_minute

    why = f": {'; '.join(decision.reasons[1:])}" if decision.reasons[1:] else ""  # reasons[0] is "rollback"
    return f"{decision.previous} was rolled back {centre_minute(decision.at)}{_by(decision)}{why}"


def _by(decision) -> str:
    return f" by {decision.by}" if decision.by else ""  # None: recorded before who was kept


@models_app.command()
def rollback(
    registry: Optional[Path] = RegistryOption,
    by: Optional[str] = ByOption,
    reason: Optional[str] = ReasonOption,
) -> None:
    """Give the champion role back to the previous champion."""
    decision = _registry(registry).rollback(by=who(by), reason=reason)
    typer.echo(f"rolled back: {decision.version} is the champion again (was {decision.previous})")


@models_app.command()
def remove(
    version: str = typer.Argument(..., help="version to delete"),
    registry: Optional[Path] = RegistryOption,
    by: Optional[str] = ByOption,
) -> None:
    """Delete a version no one will serve, to free its disk space (100 MB or more).

    A refused or superseded challenger; never the champion nor a former one that `appeal models rollback` would bring
    back. Recorded in the promotion log."""
    decision = _registry(registry).remove(version, by=who(by))
    typer.echo(f"removed {decision.version} (champion: {decision.previous or 'none'})")


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
