"""bench/results_file.py: a bench rewrites its own section of bench/RESULTS.md and nothing else."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from results_file import write_section  # noqa: E402


def test_a_section_cited_inside_another_is_written_under_its_own_heading(tmp_path):
    """The repeat bench's reading cites "## Repeat appeals, the e5 method" in a line; the e5 bench's write then
    replaced the citing section's rest with its own, and the file held the e5 section twice."""
    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmark results\n\n## Repeat appeals\n\n| a | b |\n\n- on the blind tickets (## Repeat "
                    "appeals, the e5 method) it leaves out three pairs.\n- hotspots: 167 groups.\n\n"
                    "## Repeat appeals, the e5 method\n\nold e5 table\n\n## Serving\n\nserving table\n",
                    encoding="utf-8")
    write_section("## Repeat appeals, the e5 method", "new e5 table", path)
    write_section("## Repeat appeals", "| a | b |\n\n- on the blind tickets (## Repeat appeals, the e5 method) it "
                  "leaves out three pairs.\n- hotspots: 168 groups.", path)
    write_section("## Repeat appeals, the e5 method", "newer e5 table", path)
    assert path.read_text(encoding="utf-8") == (
        "# Benchmark results\n\n## Repeat appeals\n\n| a | b |\n\n- on the blind tickets (## Repeat appeals, the e5 "
        "method) it leaves out three pairs.\n- hotspots: 168 groups.\n\n## Repeat appeals, the e5 method\n\n"
        "newer e5 table\n\n## Serving\n\nserving table\n")
    write_section("## Appended", "a new bench's table", path)
    assert path.read_text(encoding="utf-8").endswith("serving table\n\n## Appended\n\na new bench's table\n")
