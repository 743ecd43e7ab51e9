"""The project as its wheel installs it, off the checkout: every file the checkout tracks in a package directory is
in the wheel (a non-editable install had no evaluation notebook, and `appeal report` failed), and no test is."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIRS = ("appeal", "pipeline", "models", "training", "knowledge_base", "serve", "notebooks")


def test_the_wheel_holds_every_file_of_the_packages_and_no_test(tmp_path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("lists the files a git checkout tracks")
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    tracked = [name for name in listed.decode("utf-8").split("\0") if name]
    source = tmp_path / "source"  # a copy: building in the checkout would leave build/ there
    for name in tracked:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path / "out"),
                    str(source)], check=True)
    (wheel,) = (tmp_path / "out").glob("appeal_router-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {name for name in tracked if name.split("/")[0] in PACKAGE_DIRS}
    assert "notebooks/evaluation.ipynb" in expected and "appeal/demo/faq.jsonl" in expected
    assert sorted(expected - names) == []
    assert [name for name in names if name.startswith(("tests/", "bench/"))] == []
