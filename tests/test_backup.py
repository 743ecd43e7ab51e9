"""`appeal backup`: a home copied while the service writes to it, as the real command, on a real SQLite file."""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading

import pytest

from appeal.config import DEMO_DIR
from appeal.pack import Pack, built_from, record_build
from knowledge_base.files import read_entries
from knowledge_base.store import EntryStore
from tests.serving_support import REPO, install_model
from training.feedback_store import Feedback, FeedbackStore

APPEAL = [sys.executable, "-c", "from appeal.cli import main; main()"]


def _appeal(home, *args):
    env = {**os.environ, "APPEAL_HOME": str(home)}
    return subprocess.run([*APPEAL, *map(str, args)], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_backup_taken_while_answers_are_stored_is_whole_and_is_itself_a_home(appeal_home, tmp_path):
    from appeal.config import get_settings
    from serve.auth import create_keys

    settings = get_settings()
    install_model(appeal_home, "v1")
    create_keys(appeal_home)
    (appeal_home / "new_api_keys.txt").write_text("  agent     k-in-plain-text\n", encoding="utf-8")
    run = appeal_home / "retrain" / "20261201-090000-000000"
    run.mkdir(parents=True)
    (run / "train_segmented.jsonl").write_text(json.dumps({"id": "T-1", "text": "路灯 坏 了", "topic": "城乡建设"},
                                                          ensure_ascii=False) + "\n", encoding="utf-8")
    pack = Pack(settings.demo_dir)
    record_build(appeal_home, pack, pack.digests(), "v1")
    kb = EntryStore(settings.db_url)
    kb.upsert_many(read_entries(settings.demo_dir / "faq.jsonl"), updated_by="test")
    entries = kb.count()
    kb.close()

    feedback = FeedbackStore(settings.db_url)
    stop = threading.Event()

    def agents_answer() -> None:  # what the service does all day while the backup runs
        while not stop.is_set():
            feedback.add(Feedback(text="迎春亭街道路灯坏了一个月，晚上出行不便。", topic="城乡建设"))

    writer = threading.Thread(target=agents_answer)
    writer.start()
    try:
        before = feedback.count()
        result = _appeal(appeal_home, "backup", tmp_path / "backup")
        after = feedback.count()
    finally:
        stop.set()
        writer.join()
        feedback.close()
    assert result.returncode == 0, result.stderr
    assert after > before, "the answers went on being stored during the backup"
    out = tmp_path / "backup"
    assert "integrity check ok" in result.stdout
    assert "copied: registry/, retrain/, api_keys.json, pack.json" in result.stdout
    assert "not copied: new_api_keys.txt (keys in plain text, which a backup must not hold)" in result.stdout
    # an operator's round restored appeal.db alone beside the live home's write-ahead log, which damaged it
    assert "never appeal.db alone over a home that still holds appeal.db-wal" in " ".join(result.stdout.split())
    assert _mode(out) == 0o700 and _mode(out / "appeal.db") == 0o600
    assert not (out / "new_api_keys.txt").exists() and not list(out.glob("appeal.db-*"))
    copy = sqlite3.connect(out / "appeal.db")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = copy.execute("SELECT count(*) FROM feedback").fetchone()[0]
    finally:
        copy.close()
    assert before <= stored <= after
    assert (out / "retrain" / run.name / "train_segmented.jsonl").read_text(encoding="utf-8") == \
        (run / "train_segmented.jsonl").read_text(encoding="utf-8")

    # restored: the backup is a home, with its champion, its knowledge base and its keys
    listed = _appeal(out, "models", "list")
    assert listed.returncode == 0 and "v1 *" in listed.stdout, listed.stderr
    restored = EntryStore(f"sqlite:///{out / 'appeal.db'}")
    try:
        assert restored.count() == entries
    finally:
        restored.close()
    assert (out / "api_keys.json").read_bytes() == (appeal_home / "api_keys.json").read_bytes()
    assert built_from(out) == built_from(appeal_home)  # started with another pack, it still says so


def test_a_backup_goes_to_a_new_place_outside_the_home(appeal_home, tmp_path):
    assert "no database at" in _appeal(appeal_home, "backup", tmp_path / "b").stderr  # run from the wrong home
    FeedbackStore(f"sqlite:///{appeal_home / 'appeal.db'}").close()
    inside = _appeal(appeal_home, "backup", appeal_home / "backups" / "today")
    assert inside.returncode == 2 and "is inside the home" in inside.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "last-week.db").write_bytes(b"")
    taken = _appeal(appeal_home, "backup", tmp_path / "full")
    assert taken.returncode == 2 and "a directory that is not empty; the backup must be a new or empty" in taken.stderr
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["last-week.db"]
    # a file is said to be one (a trainer's round: a file was "not an empty directory")
    a_file = _appeal(appeal_home, "backup", tmp_path / "full" / "last-week.db")
    assert a_file.returncode == 2 and "last-week.db: a file; the backup must be a new or empty directory" in a_file.stderr


def test_a_damaged_database_is_said_in_one_line_and_leaves_no_backup(appeal_home, tmp_path):
    """A nightly backup is often where a damaged database is first seen: it gave a Python traceback."""
    FeedbackStore(f"sqlite:///{appeal_home / 'appeal.db'}").close()
    with open(appeal_home / "appeal.db", "r+b") as handle:
        handle.write(b"\xff" * 4096)
    result = _appeal(appeal_home, "backup", tmp_path / "backup")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip() == (f"error: {appeal_home / 'appeal.db'}: cannot be backed up whole (file is not a "
                                     "database); the database may be damaged: stop the service and check it with "
                                     "`sqlite3 … 'PRAGMA integrity_check'`, or restore the last backup")
    assert not (tmp_path / "backup").exists() and list(tmp_path.glob(".backup*")) == []


@contextlib.contextmanager
def _small_disk(path, size: str):
    """A file system of `size` (tmpfs) at `path` for the block, as a backup disk with too little room: mounting one
    takes root, as the tests run in CI."""
    path.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True).returncode != 0:
        pytest.skip("mounting a small file system takes root and a system that allows it")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


def test_a_backup_onto_a_full_disk_says_the_backups_disk_is_full_and_leaves_the_home_alone(appeal_home, tmp_path):
    """An operator's round on a 1 MB disk: the live database was said to be one that "cannot be backed up whole
    (database or disk is full); the database may be damaged: … or restore the last backup", advice that would have
    lost the day's answers; model files that did not fit were a list of eleven [Errno 28] tuples."""
    install_model(appeal_home, "v1")
    kb = EntryStore(f"sqlite:///{appeal_home / 'appeal.db'}")
    kb.upsert_many(read_entries(DEMO_DIR / "faq.jsonl"), updated_by="test")
    kb.close()
    database, model = appeal_home / "appeal.db", appeal_home / "registry" / "v1" / "baseline.joblib"
    assert 65_536 < database.stat().st_size < 900_000 < 1_100_000 < model.stat().st_size  # what each disk fits
    before = database.read_bytes()
    for size in ("64k", "1m"):  # too small for the database; room for it, and not for the model
        with _small_disk(tmp_path / size, size) as disk:
            result = _appeal(appeal_home, "backup", disk / "backup")
            left = list(disk.iterdir())
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        said = re.fullmatch(rf"error: {re.escape(str(disk))}: the disk is full: the backup needs about (\d+\.\d) MB "
                            rf"there, where \d+\.\d MB is free; nothing was left at {re.escape(str(disk / 'backup'))}, "
                            rf"and the live home {re.escape(str(appeal_home))} is untouched \(back up to a disk with "
                            r"room, or free some\)", result.stderr.strip())
        assert said and float(said[1]) >= (database.stat().st_size + model.stat().st_size) / 1e6, result.stderr
        assert left == []
    assert database.read_bytes() == before
