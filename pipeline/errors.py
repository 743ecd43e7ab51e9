"""The one exception type for bad input, shared by every layer above the pipeline."""
from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """Input the user must fix (missing file, undecodable bytes, missing column, empty text...).

    The CLI prints the message and exits with code 2; the HTTP layer answers 4xx. The message names the
    file, row and column where one is known.
    """


def refuse_problems(where: Path | str, problems: list[str], advice: str = "", *,
                    outcome: str = "nothing imported") -> None:
    """Every bad row of a file at once, so that a trainer fixes the sheet in one go rather than one rerun per row;
    `problems` start with the row's name, `where` (the file; "" for none) comes before them."""
    prefix = f"{where}: " if str(where) else ""
    if len(problems) == 1:
        raise InputError(f"{prefix}{problems[0]}{advice}")
    if problems:
        shown = "\n  ".join(problems[:20]) + (f"\n  … {len(problems) - 20} more" if len(problems) > 20 else "")
        raise InputError(f"{prefix}{len(problems)} problems, {outcome}{advice}:\n  {shown}")
