"""`appeal retrain`: a challenger from agents' corrections, promoted only if the registry's gate lets it."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Optional

import typer

from appeal.cli import ByOption, who
from appeal.cli.registry import ClassMarginOption, ToleranceOption, after_refusal


def retrain(
    since: Optional[str] = typer.Option(
        None, "--since", help="only labels given on or after this date, from its midnight in APPEAL_TIMEZONE "
                              "(undated ones are then left out)"
    ),
    data: Optional[list[Path]] = typer.Option(
        None, "--data", help="labelled ticket file(s) with new labels, besides the service's feedback (a label "
                             "fixed in an exported answer holds for this run only: the next retrain reads the stored "
                             "answer again; `appeal feedback correct` fixes it for good)"
    ),
    feedback: bool = typer.Option(True, "--feedback/--no-feedback",
                                  help="use the corrections stored by POST /v1/feedback"),
    base: Optional[Path] = typer.Option(None, "--base", help="base training file (default: the champion's own)"),
    evaluation: Optional[list[Path]] = typer.Option(
        None, "--eval", help="fixed evaluation file(s) (default: APPEAL_EVALUATION_FILE, else teddy2020c dev_raw.csv)"
    ),
    holdout: float = typer.Option(0.2, min=0.0, max=0.9, help="share of the newest new tickets held out to evaluate"),
    force: bool = typer.Option(False, "--force", help="promote even if the gate refuses (logged as forced)"),
    promote: bool = typer.Option(True, "--promote/--no-promote",
                                 help="--no-promote: score the challenger through the gate and leave it a challenger, "
                                      "to promote after reading the scores"),
    tolerance: float = ToleranceOption,
    class_margin: float = ClassMarginOption,
    base_encoder: Optional[Path] = typer.Option(
        None, "--base-encoder", help="transformer champions: encoder to fine-tune from (default: built as before)"
    ),
    by: Optional[str] = ByOption,
    seed: Optional[int] = typer.Option(None, "--seed", min=0,
                                       help="training seed (default: the champion's, which the output names): "
                                            "another trains another challenger from the same tickets, to tell the "
                                            "gate's verdict from chance"),
) -> None:
    """Retrain on new labels and promote the challenger through the gate (--no-promote: only score it).

    New labels are merged into the champion's training data and a challenger is trained the champion's way. The
    running service picks up a new champion by itself; `appeal models rollback` restores the one before."""
    from appeal.cli import existing_database
    from appeal.cli.serving import champion_unit_label, write_feedback
    from appeal.config import get_settings
    from pipeline.errors import InputError
    from training.retrain import GateInterrupted, retrain as run

    if force and not promote:
        raise InputError("--force and --no-promote contradict each other: give one")
    settings = get_settings()
    files = list(data or [])
    exported = None

    def said(text: str) -> str:
        # the feedback's temporary export is no place the trainer knows
        return text if exported is None else text.replace(str(exported), f"the feedback in {settings.db_url}")

    with tempfile.TemporaryDirectory() as scratch:
        if feedback:
            from training.feedback_store import FeedbackStore

            # a home without a database is not the service's: reading it made an empty appeal.db where the command ran
            store = FeedbackStore(existing_database(settings))
            try:
                stored = store.count()
            finally:
                store.close()
            if stored:
                exported = Path(scratch) / "feedback.jsonl"
                # One label per ticket, the latest, units as stored: `run` reads them (and --data's) as the
                # champion's labels in one place, and its report lists each name it read so.
                write_feedback(settings, exported, 0, unit_label=None)
                files.insert(0, exported)
        if not files:
            raise InputError("--no-feedback and no --data given: nothing to retrain on" if not feedback else
                             f"no feedback stored in {settings.db_url} and no --data given: nothing to retrain on "
                             "(is APPEAL_HOME the service's home?)")
        try:
            result = run(files, since=since, base_data=base, evaluation=evaluation, holdout=holdout, force=force,
                         promote=promote, tolerance=tolerance, class_margin=class_margin, base_encoder=base_encoder,
                         unit_label=champion_unit_label(settings), by=who(by), seed=seed,
                         on_merged=lambda lines: typer.echo(said("\n".join(lines))))
        except GateInterrupted as stop:
            typer.secho(f"interrupted while the gate scored {stop.version}: it is in the registry, not gated; "
                        f"`appeal models promote {stop.version}` gates it; `appeal models list` shows the version "
                        "serving", fg=typer.colors.RED, err=True)
            raise typer.Exit(130) from None
        except KeyboardInterrupt:
            typer.secho("interrupted: its run was removed; `appeal models list` shows the version serving",
                        fg=typer.colors.RED, err=True)
            raise typer.Exit(130) from None
        except InputError as exc:
            if exported is None:
                raise
            raise InputError(said(str(exc))) from None
    for line in result.outcome():
        typer.echo(line)
    if result.judged_only:
        passes = result.decision["would"] == "promote"
        forced = "" if passes else " --force --by NAME --reason WHY"
        typer.echo(f"not promoted (--no-promote): the gate would {'promote' if passes else 'refuse'} "
                   f"{result.challenger}; {result.decision['previous']} keeps serving (report: {result.run_dir}). To "
                   f"promote it: `appeal models promote {result.challenger}{forced}`, "
                   "which scores it again on the fixed evaluation set alone"
                   + (", without the held-out new tickets" if result.merge.held_out else ""))
        return
    if not result.promoted:
        # the champion as the gate found it: another may have been promoted while the challenger trained
        typer.secho(f"refused: {result.challenger} stays a challenger; {result.decision['previous']} keeps serving "
                    f"(report: {result.run_dir})", fg=typer.colors.RED, err=True)
        typer.echo(after_refusal(result.challenger), err=True)
        raise typer.Exit(1)
    label = "FORCED: " if result.decision["action"] == "force" else ""
    typer.secho(f"{label}{result.challenger} is the champion (was {result.decision['previous']}); report: "
                f"{result.run_dir}",
                fg=typer.colors.GREEN)


def register(app: typer.Typer) -> None:
    app.command("retrain")(retrain)
