"""`appeal kb ...` run as the real command in a subprocess, on a real SQLite file under a fresh home."""
from __future__ import annotations

import csv
import getpass
import json
import re
import socket
import sqlite3
import stat
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from appeal.cli.kb import _from_the_change
from appeal.config import centre_minute, centre_today
from tests.cli_support import appeal

REPO = Path(__file__).resolve().parents[1]
FAQ = REPO / "appeal" / "demo" / "faq.jsonl"
N = sum(1 for line in FAQ.read_text(encoding="utf-8").splitlines() if line.strip())  # the demo FAQ's entries


def ok(*args: str | Path) -> str:
    result = appeal(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def assert_input_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def exported(tmp_path: Path) -> list[dict]:
    out = tmp_path / "export.jsonl"
    ok("kb", "export", out)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_demo_faq_import_search_export_roundtrip(appeal_home, tmp_path):
    imported = appeal("kb", "import", FAQ)
    assert f"imported {N} entries ({N} new, 0 replaced, 0 unchanged)" in imported.stdout
    # No unit warning: every unit the demo FAQ names is in the demo catalogue. The one line says where the new
    # knowledge base is, for a trainer who ran it outside the service's APPEAL_HOME.
    note = " ".join(imported.stderr.split())
    assert note.startswith(f"note: no knowledge base at {appeal_home.resolve() / 'appeal.db'} yet")
    assert "set APPEAL_HOME" in note and len(imported.stderr.strip().splitlines()) == 1, imported.stderr
    assert appeal("kb", "import", FAQ).stderr == ""  # the second write finds it
    hits = json.loads(ok("kb", "search", "我的社保卡丢了，怎么补办？", "--bm25-only", "--json", "-k", "3"))
    # The table wraps Chinese cells at 80 columns instead of cutting them to "武冈市人力 …".
    table = ok("kb", "search", "我的社保卡丢了，怎么补办？", "--bm25-only", "-k", "3")
    assert "wg-sbk-01" in table and "…" not in table and all(ch in table for ch in "武冈市人力资源和社会保障局")
    assert hits[0]["id"] == "wg-sbk-01"
    assert hits[0]["unit"] == "武冈市人力资源和社会保障局" and hits[0]["bm25_rank"] == 1
    # the table gives the BM25 score /v1/suggest gives, not only the rank (read as a score, 1 looked poor)
    assert f"{hits[0]['bm25_score']:.2f} (1)" in table
    # the query is masked as /v1/suggest masks an agent's text: a number alone is no question (here it matched the
    # entry that gives the office's number)
    ok("kb", "add", "--id", "power", "-q", "停电了找谁？", "-a", "请拨打供电服务电话0739-4221234。", "-u", "国网武冈市供电公司")
    assert json.loads(ok("kb", "search", "0739-4221234", "--bm25-only", "--json")) == []
    assert "power" in ok("kb", "list", "--contains", "0739-4221234")
    # an answer an earlier release stored, blank by today's rules: the listing says what to fix
    with sqlite3.connect(appeal_home / "appeal.db") as db:
        db.execute("UPDATE kb_entry SET answer = '。。。' WHERE id = 'power'")
    listed = appeal("kb", "list", "--contains", "停电")
    assert "power" in listed.stdout and ("warning: power: 存于现行规则之前，违反了它，请修改或删除 / stored before a rule it "
                                         "breaks (its answer: 没有文字") in " ".join(listed.stderr.split())
    ok("kb", "delete", "power")

    entries = exported(tmp_path)
    assert len(entries) == N and all(e["updated_by"].startswith("cli:") for e in entries)
    # The export is the import format: importing it back changes nothing, not even the stamps; a spreadsheet
    # export too, which is how a trainer edits the FAQ in Excel.
    assert f"(0 new, 0 replaced, {N} unchanged)" in ok("kb", "import", tmp_path / "export.jsonl")
    for spreadsheet in ("faq.xlsx", "faq.csv"):
        assert f"exported {N} entries" in ok("kb", "export", tmp_path / spreadsheet)
        assert f"(0 new, 0 replaced, {N} unchanged)" in ok("kb", "import", tmp_path / spreadsheet)
        # past cases are citizens' words: an export is readable by its user alone, as the database is
        assert stat.S_IMODE((tmp_path / spreadsheet).stat().st_mode) == 0o600
    assert exported(tmp_path) == entries
    # read as a sheet: the header stays in view, an answer's column is wide (a trainer's round: narrow, scrolled away)
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "faq.xlsx")
    header = [cell.value for cell in book.active[1]]
    answer = book.active.column_dimensions[chr(ord("A") + header.index("answer"))]
    assert book.active.freeze_panes == "A2" and answer.width >= 40, (book.active.freeze_panes, answer.width)
    sheet = pd.read_excel(tmp_path / "faq.xlsx", dtype=str, keep_default_na=False, engine="openpyxl")
    sheet.loc[0, "answer"] += "（已更新）"
    sheet.to_excel(tmp_path / "faq.xlsx", index=False)
    assert f"(0 new, 1 replaced, {N - 1} unchanged)" in ok("kb", "import", tmp_path / "faq.xlsx")
    assert exported(tmp_path)[0]["answer"].endswith("（已更新）")


def test_a_long_answer_is_read_from_a_file(appeal_home, tmp_path):
    """A trainer's round: a 1,396-character notice given as `-a "$(cat notice.txt)"` failed in the shell (Argument
    list too long), and `kb add` / `kb update` had no other way to take it."""
    notice = ("2027年度城乡居民医保集中缴费期为2026年9月1日至2027年2月28日，个人缴费标准为每人每年420元。\n"
              "可通过湘税社保、湖南税务或银行柜台缴费，村（社区）和学校不再代收。\n")
    saved_by_excel = tmp_path / "通知.txt"
    saved_by_excel.write_bytes(notice.encode("gbk"))
    added = json.loads(ok("kb", "add", "--id", "yb-2027", "-q", "2027年城乡居民医保怎么交？", "--answer-file", saved_by_excel,
                          "-u", "武冈市医疗保障局"))
    assert added["answer"] == notice.strip()
    later = tmp_path / "notice.txt"
    later.write_text("缴费期延长至2027年3月31日。\n", encoding="utf-8")
    assert json.loads(ok("kb", "update", "yb-2027", "--answer-file", later))["answer"] == "缴费期延长至2027年3月31日。"
    # both ways, neither, a Word file and a mistyped name: refused, nothing changed
    assert_input_error(appeal("kb", "update", "yb-2027", "-a", "x", "--answer-file", later),
                       "--answer and --answer-file: give one")
    assert_input_error(appeal("kb", "add", "-q", "医保怎么交？", "-u", "武冈市医疗保障局"),
                       "give the answer: --answer TEXT or --answer-file FILE")
    word = tmp_path / "通知.docx"
    word.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00")
    assert_input_error(appeal("kb", "update", "yb-2027", "--answer-file", word), "binary content, not a text file")
    assert_input_error(appeal("kb", "update", "yb-2027", "--answer-file", tmp_path / "notise.txt"), "no such file")
    assert [e["answer"] for e in exported(tmp_path) if e["id"] == "yb-2027"] == ["缴费期延长至2027年3月31日。"]


def test_rows_deleted_from_an_exported_sheet_are_deleted_by_a_pruning_import(appeal_home, tmp_path):
    """Export, delete two rows in Excel, import: the two entries stayed suggestable without a word. Now the import
    names them, and with --prune deletes them in the same transaction, each kept in its history."""
    ok("kb", "import", FAQ)
    ok("kb", "export", tmp_path / "faq.xlsx")
    sheet = pd.read_excel(tmp_path / "faq.xlsx", dtype=str, keep_default_na=False, engine="openpyxl")
    sheet[~sheet["id"].isin(["wg-sbk-01", "wg-ld-02"])].to_excel(tmp_path / "faq.xlsx", index=False)
    kept = appeal("kb", "import", tmp_path / "faq.xlsx")
    assert f"(0 new, 0 replaced, {N - 2} unchanged)" in kept.stdout
    assert "holds 2 entries of the file's kind that the file does not (wg-ld-02, wg-sbk-01): kept" in " ".join(
        kept.stderr.split())
    search = ("kb", "search", "社保卡丢了怎么补办", "--bm25-only", "--json")
    assert json.loads(ok(*search))[0]["id"] == "wg-sbk-01"
    ok("kb", "add", "--id", "case-1", "-q", "长沙某小区停水", "-a", "已转供水公司。", "-u", "长沙水业集团", "--source", "case")
    pruned = ok("kb", "import", tmp_path / "faq.xlsx", "--prune", "--by", "trainer-3")
    assert f"{N - 2} unchanged, 2 not in the file deleted: wg-ld-02, wg-sbk-01)" in pruned
    assert "wg-sbk-01" not in [hit["id"] for hit in json.loads(ok(*search))]
    assert [c["action"] for c in json.loads(ok("kb", "history", "wg-sbk-01", "--json"))][-1] == "delete"
    assert json.loads(ok("kb", "history", "wg-sbk-01", "--json"))[-1]["by"] == "trainer-3"
    # a FAQ file prunes FAQ entries only (the case stays), and one with nothing missing says nothing
    assert appeal("kb", "import", tmp_path / "faq.xlsx", "--prune").stderr == ""
    assert sorted(e["source"] for e in exported(tmp_path)).count("case") == 1 and len(exported(tmp_path)) == N - 1
    # a filtered sheet (one office's rows) would delete most of the knowledge base: refused unless --yes
    sheet[sheet["unit"] == "武冈市民政局"].to_excel(tmp_path / "civil.xlsx", index=False)
    assert_input_error(appeal("kb", "import", tmp_path / "civil.xlsx", "--prune"), "the import would delete ",
                       f" of the {N - 2} stored entries of its kind", "nothing imported", "run it again with --yes")
    assert len(exported(tmp_path)) == N - 1
    assert " not in the file deleted" in ok("kb", "import", tmp_path / "civil.xlsx", "--prune", "--yes")
    assert len(exported(tmp_path)) == len(sheet[sheet["unit"] == "武冈市民政局"]) + 1
    # a trainer's round: a sheet of new answers alone, as long as the store, deleted every stored entry unasked (the
    # share counted the rows the import itself added)
    fresh = pd.DataFrame({"question": [f"第{n}个新政策怎么申请？" for n in range(10)], "answer": "请向民政局咨询办理。",
                          "unit": "武冈市民政局"})
    fresh.to_excel(tmp_path / "fresh.xlsx", index=False)
    assert_input_error(appeal("kb", "import", tmp_path / "fresh.xlsx", "--prune"), "the import would delete ",
                       f" of the {len(sheet[sheet['unit'] == '武冈市民政局'])} stored entries of its kind")
    assert len(exported(tmp_path)) == len(sheet[sheet["unit"] == "武冈市民政局"]) + 1

def test_a_dry_run_says_what_an_import_would_do_and_changes_nothing(appeal_home, tmp_path, monkeypatch):
    """A trainer checks the season's edited sheet before it reaches agents: what it adds, replaces and deletes, the
    warnings a row earns, and a refusal, all as the import says them, with nothing written."""
    ok("kb", "import", FAQ)
    ok("kb", "export", tmp_path / "faq.xlsx")
    before = exported(tmp_path)
    sheet = pd.read_excel(tmp_path / "faq.xlsx", dtype=str, keep_default_na=False, engine="openpyxl")
    sheet = sheet[sheet["id"] != "wg-ld-02"]
    sheet.loc[sheet["id"] == "wg-sbk-01", "answer"] = "社保卡丢失后，请先挂失，再到武冈市人力资源和社会保障局补办。"
    new_row = {"question": "城区夜间施工噪音扰民找谁？", "answer": "夜间施工噪音由生态环境部门查处，请说明地点和时段。",
               "unit": "邵阳市生态环境局武冈分局", "valid_to": "2020-12-31"}
    pd.concat([sheet, pd.DataFrame([new_row])]).to_excel(tmp_path / "faq.xlsx", index=False)
    database = appeal_home / "appeal.db"
    stamp = database.stat().st_mtime_ns
    dry = appeal("kb", "import", tmp_path / "faq.xlsx", "--prune", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"would import {N} entries (1 new, 1 replaced, {N - 2} unchanged, 1 not in the file would be deleted: " \
           "wg-ld-02)" in dry.stdout
    assert dry.stdout.strip().endswith("nothing written (--dry-run)")
    assert "已过期" in dry.stderr and "rows without an id would be stored as" in " ".join(dry.stderr.split())
    assert exported(tmp_path) == before and database.stat().st_mtime_ns == stamp
    # what the import would refuse, it refuses: a filtered sheet that deletes most entries
    sheet[sheet["unit"] == "武冈市民政局"].to_excel(tmp_path / "civil.xlsx", index=False)
    assert_input_error(appeal("kb", "import", tmp_path / "civil.xlsx", "--prune", "--dry-run"),
                       "the import would delete ", "run it again with --yes")
    # and the import itself then does what the dry run said
    assert f"imported {N} entries (1 new, 1 replaced, {N - 2} unchanged, 1 not in the file deleted: wg-ld-02)" in ok(
        "kb", "import", tmp_path / "faq.xlsx", "--prune")
    # a dry run where no knowledge base is yet makes none
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.setenv("APPEAL_HOME", str(tmp_path / "elsewhere"))
    fresh = appeal("kb", "import", FAQ, "--dry-run")
    assert fresh.returncode == 2 and "no database at" in fresh.stderr, fresh.stderr
    assert not (tmp_path / "elsewhere" / "appeal.db").exists()


def test_a_sheet_of_some_columns_changes_only_those_and_an_emptied_cell_clears_its_field(appeal_home, tmp_path):
    """An office sends new answers in a sheet of 编号, 问题, 答复, 责任单位: the entries' other phrasings, tags, topic
    and the valid_to that retired one of them were cleared by the import, which brought the retired answer back."""
    ok("kb", "import", FAQ)
    ok("kb", "add", "--id", "heat-2025", "-q", "2025年冬季取暖补贴怎么领？", "-a", "补贴已停发。", "-u", "武冈市民政局",
       "--valid-to", "2025-12-31")
    (tmp_path / "new_answers.csv").write_text(
        "编号,问题,答复,责任单位\n"
        "heat-2025,2025年冬季取暖补贴怎么领？,补贴已停发，请关注2026年通知。,武冈市民政局\n", encoding="utf-8")
    (tmp_path / "no_ids.csv").write_text(
        "问题,答复,责任单位\n社保卡丢了怎么补办？,先挂失，再到社保卡服务网点补办。,武冈市人力资源和社会保障局\n", encoding="utf-8")
    assert "(0 new, 1 replaced, 0 unchanged)" in ok("kb", "import", tmp_path / "new_answers.csv")
    assert "(0 new, 1 replaced, 0 unchanged)" in ok("kb", "import", tmp_path / "no_ids.csv")
    entries = {e["id"]: e for e in exported(tmp_path)}
    assert entries["heat-2025"]["answer"] == "补贴已停发，请关注2026年通知。"
    assert entries["heat-2025"]["valid_to"] == "2025-12-31"
    assert "heat-2025" in ok("kb", "list", "--status", "expired")
    card = entries["wg-sbk-01"]
    assert card["answer"] == "先挂失，再到社保卡服务网点补办。"
    assert (card["alternatives"], card["topic"], card["tags"]) == (
        ["社会保障卡遗失了去哪里补", "社保卡掉了怎么办", "社保卡坏了换卡"], "社保卡", ["社保卡", "挂失", "补办"])
    # an exported sheet has every column: a cell emptied in it clears that field
    ok("kb", "export", tmp_path / "faq.csv")
    sheet = pd.read_csv(tmp_path / "faq.csv", dtype=str, keep_default_na=False)
    sheet.loc[sheet["id"] == "wg-sbk-01", ["tags", "topic"]] = ""
    sheet.loc[sheet["id"] == "heat-2025", "valid_to"] = ""
    sheet.to_csv(tmp_path / "faq.csv", index=False)
    assert f"(0 new, 2 replaced, {N - 1} unchanged)" in ok("kb", "import", tmp_path / "faq.csv")
    entries = {e["id"]: e for e in exported(tmp_path)}
    assert (entries["wg-sbk-01"]["tags"], entries["wg-sbk-01"]["topic"]) == ([], "")
    assert "valid_to" not in entries["heat-2025"]


def test_texts_that_look_like_formulas_go_through_a_spreadsheet_export_unchanged(appeal_home, tmp_path):
    # a past case holds the citizen's own words, which may start as a formula does
    ok("kb", "add", "--id", "case-1", "-q", "=HYPERLINK(\"http://example.com\",\"社保卡\")丢了怎么办",
       "-a", "-先挂失，再到社保经办机构补办。", "--source", "case")
    ok("kb", "add", "--id", "faq-1", "-q", "@社保 卡怎么补办", "-a", "'+1 先挂失再补办。", "-u", "武冈市人力资源和社会保障局")
    entries = exported(tmp_path)
    for spreadsheet in ("kb.xlsx", "kb.csv"):
        assert "exported 2 entries" in ok("kb", "export", tmp_path / spreadsheet)
        assert "(0 new, 0 replaced, 2 unchanged)" in ok("kb", "import", tmp_path / spreadsheet)
    assert exported(tmp_path) == entries
    sheet = pd.read_excel(tmp_path / "kb.xlsx", dtype=str, engine="openpyxl")
    assert sheet["question"][0].startswith("=HYPERLINK(")  # a text cell: a formula would read back as empty
    # a sheet's stamps are on the centre's clock, with the offset (an edit made before 08:00 was the day before)
    assert {stamp[-6:] for stamp in pd.read_csv(tmp_path / "kb.csv", dtype=str)["updated_at"]} == {"+08:00"}
    # the CSV export opened and saved as a workbook keeps the apostrophes it wrote: they are no part of the text
    # (the answer read out to a caller began with one)
    pd.read_csv(tmp_path / "kb.csv", dtype=str, keep_default_na=False).to_excel(tmp_path / "resaved.xlsx", index=False)
    assert "(0 new, 0 replaced, 2 unchanged)" in ok("kb", "import", tmp_path / "resaved.xlsx")
    # blank rows, and the commas alone Excel saves for one, are read past in a CSV as in a workbook
    lines = (tmp_path / "kb.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)
    (tmp_path / "gaps.csv").write_text(lines[0] + "\n" + lines[1] + "," * 12 + "\n" + "".join(lines[2:]) + ",,,\n",
                                       encoding="utf-8")
    assert "(0 new, 0 replaced, 2 unchanged)" in ok("kb", "import", tmp_path / "gaps.csv")


def test_an_answer_pasted_from_word_exports_to_excel_and_outputs_are_named_as_files(appeal_home, tmp_path):
    """Word's line break (\\v) was stored as pasted and `kb export x.xlsx` failed with a traceback on it, and its
    ideographic spaces kept `kb list -c` from finding the words they sat between; an .xls or .txt output got JSON
    lines that `kb import` then refused, and a folder as output a traceback."""
    ok("kb", "add", "--id", "word-1", "-q", "居住证怎么办理？", "-a", "第一步：登记，\u3000\u3000携带身份证\v第二步：领证\x01",
       "-u", "武冈市公安局")
    assert json.loads(ok("kb", "history", "word-1", "--json"))[0]["entry"]["answer"] == "第一步：登记，携带身份证\n第二步：领证"
    assert "word-1" in ok("kb", "list", "-c", "登记，携带身份证")
    assert "exported 1 entries" in ok("kb", "export", tmp_path / "kb.xlsx")
    assert "(0 new, 0 replaced, 1 unchanged)" in ok("kb", "import", tmp_path / "kb.xlsx")
    assert_input_error(appeal("kb", "export", tmp_path / "kb.xls"), "unknown output type '.xls'")
    (tmp_path / "folder.csv").mkdir()
    assert_input_error(appeal("kb", "export", tmp_path / "folder.csv"), "folder.csv: is a directory")
    assert not (tmp_path / "kb.xls").exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_command_that_reads_a_home_with_no_database_says_so_and_makes_none(appeal_home, tmp_path):
    """Run from another directory than the service's, `.appeal/` is not the service's home: reading commands listed
    nothing, exported an empty file and exited 0, leaving an empty database behind."""
    for command in (("kb", "list"), ("kb", "export", tmp_path / "kb.jsonl"), ("kb", "search", "社保卡", "--bm25-only"),
                    ("hotspots",), ("feedback", "export", "--out", tmp_path / "feedback.csv")):
        assert_input_error(appeal(*command), f"error: no database at {(appeal_home / 'appeal.db').resolve()}",
                           "set APPEAL_HOME")
    assert not (appeal_home / "appeal.db").exists() and list(tmp_path.glob("*.*")) == []
    ok("kb", "add", "-q", "社保卡丢了怎么办", "-a", "先挂失再补办。", "-u", "武冈市人力资源和社会保障局")  # a write makes one
    assert "1 entries" in ok("kb", "list")


def test_options_take_lists_and_dates_as_a_sheet_writes_them(appeal_home, tmp_path):
    """`--tag 社保卡,补办` was one tag that an export and import then split in two, and `--valid-to 2027/6/30`,
    which a sheet may hold, was refused; a day that does not exist is named as such, not as a wrong separator."""
    added = json.loads(ok("kb", "add", "--id", "p-1", "-q", "2027年新政策咨询", "-a", "以正式文件为准。", "-u", "武冈市民政局",
                          "--alt", "明年的新规定|新政策", "--tag", "社保卡,补办", "--tag", "政策", "--valid-from", "2027/3/1",
                          "--valid-to", "2027/6/30"))
    assert (added["alternatives"], added["tags"], added["valid_from"], added["valid_to"]) == (
        ["明年的新规定", "新政策"], ["社保卡", "补办", "政策"], "2027-03-01", "2027-06-30")
    ok("kb", "export", tmp_path / "kb.csv")
    assert "(0 new, 0 replaced, 1 unchanged)" in ok("kb", "import", tmp_path / "kb.csv")
    assert json.loads(ok("kb", "update", "p-1", "--valid-from", "2027年1月1日"))["valid_from"] == "2027-01-01"
    assert_input_error(appeal("kb", "update", "p-1", "--valid-to", "2027年6月31日"),
                       "error: --valid-to: ", "day value is outside expected range")
    # an option cannot be left empty as a sheet's cell can: the editor was told to "leave it empty"
    assert_input_error(appeal("kb", "update", "p-1", "--valid-to", "明年春节后"),
                       "'明年春节后' is no date", "or write none (or 长期) for none")
    assert_input_error(appeal("kb", "update", "p-1", "--valid-to", "6/7/2027"),
                       "error: --valid-to '6/7/2027' may be 2027-06-07 or 2027-07-06: write it as YYYY-MM-DD")
    # 长期, as a sheet says "no end", removes the end day as none does
    assert json.loads(ok("kb", "update", "p-1", "--valid-to", "长期")).get("valid_to") is None
    # and the words a policy sheet dates with, which its import reads, read here too
    assert json.loads(ok("kb", "update", "p-1", "--valid-to", "2027年12月31日止"))["valid_to"] == "2027-12-31"
    assert json.loads(ok("kb", "update", "p-1", "--valid-from", "二〇二七年一月一日起"))["valid_from"] == "2027-01-01"
    (tmp_path / "bad.csv").write_text("问题,答复,责任单位,失效日期\n低保怎么申请？,向乡镇申请。,武冈市民政局,2027年6月31日\n",
                                      encoding="utf-8")
    assert_input_error(appeal("kb", "import", tmp_path / "bad.csv"), "row 2: column '失效日期'",
                       "day value is outside expected range")


def test_an_entry_is_erased_with_every_version_it_had(appeal_home):
    """Deleted entries kept every version in kb_history for good: a caller's details pasted into an answer could
    never be erased."""
    assert appeal("kb", "add", "--id", "e-1", "-q", "社保卡丢了怎么办", "-a", "先挂失再补办。",
                  "-u", "武冈市人力资源和社会保障局").returncode == 0
    assert appeal("kb", "update", "e-1", "-a", "经核实，王建国的社保卡已补办。").returncode == 0
    # a service searched it: its words are in the database's cache too (the tokens an index reads at start)
    from appeal.config import get_settings
    from knowledge_base.kb import KnowledgeBase

    served = KnowledgeBase(get_settings().db_url)
    served.warm_up()
    served.close()
    database = appeal_home / "appeal.db"

    def cached_words() -> str:
        with sqlite3.connect(database) as connection:
            rows = connection.execute("SELECT vector FROM kb_embedding")
            return " ".join(vector.decode("utf-8", "ignore") for (vector,) in rows)

    assert "王建国" in cached_words()
    # …and under the fingerprint of an earlier build of the tokenizer, as a service started before an upgrade wrote
    # them (a privacy reviewer found them after --erase)
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO kb_embedding (key, vector) VALUES (?, ?)",
                           ("0" * 64, "社保卡 补办 王建国 核实".encode()))
    assert appeal("kb", "add", "--id", "e-2", "-q", "低保怎么申请", "-a", "向户籍所在地乡镇人民政府申请。",
                  "-u", "武冈市民政局").returncode == 0
    served = KnowledgeBase(get_settings().db_url)
    served.warm_up()
    served.close()
    assert appeal("kb", "delete", "e-1").returncode == 0
    assert "王建国" in appeal("kb", "history", "e-1", "--json").stdout  # kept after a plain delete
    erased = appeal("kb", "delete", "e-1", "--erase", "--by", "dpo")
    assert erased.returncode == 0 and erased.stdout.strip() == "erased e-1: 2 kept versions, by dpo"
    assert "王建国" not in cached_words()
    assert "低保" in cached_words()  # what the entries still stored read stays cached
    # nor left in the file's free pages or in the write-ahead log, where a copy of the file would still carry it
    for part in appeal_home.glob("appeal.db*"):
        assert "王建国".encode() not in part.read_bytes(), part
    assert_input_error(appeal("kb", "history", "e-1"), "no entry 'e-1', ever")
    assert_input_error(appeal("kb", "delete", "e-1", "--erase"), "no entry 'e-1', ever")


def test_an_import_the_store_refuses_is_refused_before_its_texts_are_prepared(appeal_home, tmp_path):
    """A trainer's round: a sheet whose new row answered a stored entry's question was encoded first (minutes for a
    case library) and refused after; the refusal now comes first, and nothing of the file reaches the cache."""
    assert appeal("kb", "add", "--id", "sbk-1", "-q", "社保卡丢了怎么补办？", "-a", "先挂失，再到服务网点补办。",
                  "-u", "武冈市人力资源和社会保障局").returncode == 0
    (tmp_path / "clash.csv").write_text("id,question,answer,unit\n"
                                        "sbk-2,社保卡丢了怎么补办？,请到迎宾路便民服务中心补办。,武冈市人力资源和社会保障局\n",
                                        encoding="utf-8")
    # the sheet's row named, and the stored entry (a trainer's round: an id made from a row's question is in no sheet)
    assert_input_error(appeal("kb", "import", tmp_path / "clash.csv"),
                       f"entries 'sbk-2' ({tmp_path / 'clash.csv'}: row 2) and 'sbk-1' (stored) answer one")
    (tmp_path / "good.csv").write_text("id,question,answer,unit\n"
                                       "sbk-3,社保卡补办进度怎么查？,可在玉带路社保服务站查询。,武冈市人力资源和社会保障局\n",
                                       encoding="utf-8")
    assert appeal("kb", "import", tmp_path / "good.csv").returncode == 0
    with sqlite3.connect(appeal_home / "appeal.db") as connection:
        cached = " ".join(v.decode("utf-8", "ignore") for (v,) in connection.execute("SELECT vector FROM kb_embedding"))
    # what an import prepares, and what it refused (places that are search terms: a township is none)
    assert "玉带路" in cached and "迎宾路" not in cached


def test_a_faq_unit_missing_from_the_catalogue_is_stored_with_a_warning(appeal_home):
    added = appeal("kb", "add", "--id", "typo", "-q", "社保卡丢了怎么办", "-a", "先挂失再补办。",
                   "-u", "武冈市人力资源和社保局")
    assert added.returncode == 0 and json.loads(added.stdout)["unit"] == "武冈市人力资源和社保局"
    assert ("warning: 单位 '武冈市人力资源和社保局'（1 条）不在单位目录中，按原样保存 / unit '武冈市人力资源和社保局' (1×) is not in "
            "the unit catalogue") in added.stderr
    fixed = appeal("kb", "update", "typo", "-u", "武冈市人力资源和社会保障局")
    assert fixed.returncode == 0 and fixed.stderr == ""
    # details read to citizens as the unit's word are stored, and named to check
    specific = appeal("kb", "update", "typo", "-a", "请拨打0739-4221234，工本费20元，7个工作日内办结，地址都梁路88号。")
    assert specific.returncode == 0 and " ".join(specific.stderr.split()) == (
        "warning: typo: 答复给出电话号码（0739-4221234）、费用（20元）、地址（地址都梁路88号）、期限（7个工作日），请与单位公布的核对 / "
        "the answer gives a phone number (0739-4221234), a fee (20元), an address (地址都梁路88号), a deadline (7个工作日); "
        "check it against the unit's published one")
    # a phone number the answer names a citizen's is refused, as every agent would read it out
    assert_input_error(appeal("kb", "update", "typo", "-a", "经核实，投诉人（13807391234）的社保卡已补办。"),
                       "the answer holds personal data ([手机号])")
    # a caller's details pasted into an answer are stored too, and named, as every agent would be shown them
    personal = appeal("kb", "update", "typo", "-a", "经核实，车主湘E12345的社保卡已补办。")
    assert personal.returncode == 0 and " ".join(personal.stderr.split()) == (
        "warning: typo: 答复含个人信息（[车牌号]）：来电人的请删去，单位联系人的请核对 / the answer holds personal data ([车牌号]): a "
        "caller's must not stay in an answer every agent is shown; check an office's contact")
    # a phrasing pasted in the wrong field is refused
    assert_input_error(appeal("kb", "update", "typo", "--alt", "社保卡掉了", "--alt", "社保卡丢了怎么补办" * 30),
                       "has 270 characters, no question a caller asks: pasted in the wrong field?")
    case = appeal("kb", "add", "-q", "长沙某小区停水", "-a", "已转供水公司。", "-u", "长沙水业集团", "--source", "case")
    assert case.returncode == 0 and case.stderr == ""  # past cases keep the unit that answered them
    # Without --id the id comes from the question: the same question added again is refused, not stored twice.
    assert_input_error(appeal("kb", "add", "-q", "长沙某小区停水", "-a", "另一个答复。", "-u", "长沙水业集团", "--source", "case"),
                       "already exists with this question in the same period: update it")


def test_a_phrasing_is_added_without_dropping_the_others_and_a_replacement_names_what_it_dropped(appeal_home):
    """A trainer's round: `kb update --alt X` to add one phrasing replaced the entry's two others without a word; she
    found them gone in the history and typed them back."""
    ok("kb", "add", "--id", "sbk", "-q", "社保卡丢了怎么补办？", "-a", "先挂失再补办。", "-u", "武冈市人力资源和社会保障局",
       "--alt", "社保卡掉了怎么办|社保卡不见了")
    added = appeal("kb", "update", "sbk", "--add-alt", "社保卡被偷了怎么补", "--add-alt", "社保卡掉了怎么办")
    assert added.returncode == 0 and added.stderr == "", added.stderr
    assert json.loads(added.stdout)["alternatives"] == ["社保卡掉了怎么办", "社保卡不见了", "社保卡被偷了怎么补"]
    replaced = appeal("kb", "update", "sbk", "--alt", "社保卡不见了|社保卡遗失补办")
    assert replaced.returncode == 0 and json.loads(replaced.stdout)["alternatives"] == ["社保卡不见了", "社保卡遗失补办"]
    said = " ".join(replaced.stderr.split())
    assert said.startswith("warning: sbk: --alt replaced its other phrasings, 2 dropped: 社保卡掉了怎么办 | 社保卡被偷了怎么补")
    assert "--add-alt" in said and "appeal kb history sbk" in said
    assert_input_error(appeal("kb", "update", "sbk", "--alt", "甲", "--add-alt", "乙"), "--alt", "--add-alt")
    assert_input_error(appeal("kb", "update", "nosuch", "--add-alt", "乙"), "no entry 'nosuch'")


def test_an_entry_added_or_changed_already_expired_is_stored_with_a_warning(appeal_home):
    """`--valid-to 2026-03-31` for 2027 was stored without a word, and the answer never suggested; another entry's
    other phrasing as a question of its own was stored too."""
    ok("kb", "add", "--id", "sbk", "-q", "社保卡丢了怎么补办？", "-a", "先挂失再补办。", "-u", "武冈市人力资源和社会保障局",
       "--alt", "社保卡掉了怎么办")
    assert_input_error(appeal("kb", "add", "-q", "社保卡掉了怎么办", "-a", "另一个答案", "-u", "武冈市人力资源和社会保障局"),
                       "entry 'sbk' already answers this question in the same period")
    expired = "warning: heat: valid_to {} 已过期，不会被推荐 / already expired: stored, never suggested"
    added = appeal("kb", "add", "--id", "heat", "-q", "2025年冬季取暖补贴怎么领？", "-a", "补贴已停发。", "-u", "武冈市民政局",
                   "--valid-to", "2026-03-31")
    assert added.returncode == 0 and json.loads(added.stdout)["valid_to"] == "2026-03-31"
    assert " ".join(added.stderr.split()) == expired.format("2026-03-31")
    assert appeal("kb", "update", "heat", "--valid-to", "none").stderr == ""
    retired = appeal("kb", "update", "heat", "--valid-to", "2025年3月31日")
    assert retired.returncode == 0 and " ".join(retired.stderr.split()) == expired.format("2025-03-31")
    # and a sheet's row, where most edits are made (a trainer's round: 2026 typed for 2027, imported without a word)
    sheet = appeal_home / "seasonal.csv"
    sheet.write_text("问题,答复,责任单位,失效日期\n2026年度城乡居民医保集中缴费什么时候截止？,请关注医保部门通知。,武冈市医疗保障局,2026-03-31\n"
                     "医保卡丢了怎么补办？,到医保经办窗口补办。,武冈市医疗保障局,\n", encoding="utf-8")
    imported = appeal("kb", "import", sheet)
    assert imported.returncode == 0, imported.stderr
    warned = [line for line in imported.stderr.splitlines() if "expired" in line]
    assert len(warned) == 1 and "valid_to 2026-03-31 已过期，不会被推荐 / already expired" in warned[0]
    assert "expired" not in appeal("kb", "import", sheet).stderr  # imported again unchanged: said once


def test_a_question_nearly_a_stored_ones_is_added_with_a_warning_and_one_with_a_closing_particle_refused(appeal_home):
    ok("kb", "add", "--id", "ybk", "-q", "医保卡丢了怎么补办？", "-a", "到医保经办窗口补办。", "-u", "武冈市医疗保障局")
    assert_input_error(appeal("kb", "add", "-q", "医保卡丢了怎么补办吗", "-a", "另一个答案", "-u", "武冈市医疗保障局"),
                       "entry 'ybk' already exists with this question")
    near = appeal("kb", "add", "--id", "ybk-2", "-q", "医保卡丢了如何补办", "-a", "另一个答案", "-u", "武冈市医疗保障局")
    assert near.returncode == 0 and " ".join(near.stderr.split()) == (
        "warning: ybk-2: 问题与条目 'ybk'（医保卡丢了怎么补办？）几乎相同：若问的是一件事，请只留一条，另一条的问法作为其他问法 / the "
        "question is nearly that of entry 'ybk' (医保卡丢了怎么补办？): if the two ask one thing, keep one, with the other's "
        "wording as another phrasing")
    assert appeal("kb", "update", "ybk-2", "-q", "医保卡怎么异地使用？").stderr == ""


def _resent_sheet(path: Path, start: date) -> Path:
    """A department's sheet re-sending a question an entry answers today, with next year's answer from 1 January."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["问题", "答复", "责任单位", "生效日期"])
    book.active.append(["医保卡丢了怎么补办？", f"{start.year}年起社保卡补办全部改为线上办理，请登录湖南医保服务平台申请。",
                        "武冈市医疗保障局", f"{start.year}年1月1日"])
    book.save(path)
    return path


def test_a_sheet_or_an_update_that_starts_a_live_entry_later_is_refused_naming_the_row(appeal_home, tmp_path):
    """An editor's round: the row of a sheet of 问题/答复/责任单位/生效日期 that asked a question live today, with next
    year's answer from 1 January, replaced today's answer and start ("1 replaced"), and agents had none until then; so
    did `kb update --valid-from`."""
    today = centre_today()
    start, eve = date(today.year + 1, 1, 1), date(today.year, 12, 31)
    resend = _resent_sheet(tmp_path / "resend.xlsx", start)
    ok("kb", "add", "--id", "wg-yb-03", "-q", "医保卡丢了怎么补办？", "-a", "携带身份证到市医保服务大厅窗口补办。",
       "-u", "武冈市医疗保障局")
    way = f"add the new answer as an entry of its own (its own id) from {start}, and give 'wg-yb-03' valid_to {eve}"
    assert_input_error(appeal("kb", "import", resend),
                       f"{resend}: row 2: entry 'wg-yb-03' is suggested today, and valid_from {start} would withdraw "
                       f"its answer until then: {way}")
    assert_input_error(appeal("kb", "update", "wg-yb-03", "--valid-from", f"{start.year}/1/1"), way)
    assert [(e["id"], e["answer"], e.get("valid_from")) for e in exported(tmp_path)] == [
        ("wg-yb-03", "携带身份证到市医保服务大厅窗口补办。", None)]
    # any start into the past is no withdrawal
    ok("kb", "update", "wg-yb-03", "--valid-from", str(today - timedelta(days=365)))


def test_a_department_resending_its_question_with_a_start_date_keeps_todays_answer_until_then(appeal_home, tmp_path):
    """The answer from 1 January added without an id was refused as the question already there "(use update)", and
    updating replaced today's answer; once today's entry ends on 31 December, the department's row is an entry of its
    own, scheduled, and today's is still the one suggested."""
    today = centre_today()
    start, eve = date(today.year + 1, 1, 1), date(today.year, 12, 31)
    resend = _resent_sheet(tmp_path / "resend.xlsx", start)
    ok("kb", "add", "--id", "wg-yb-03", "-q", "医保卡丢了怎么补办？", "-a", "携带身份证到市医保服务大厅窗口补办。",
       "-u", "武冈市医疗保障局")
    assert_input_error(appeal("kb", "add", "-q", "医保卡丢了怎么补办？", "-a", "线上办理。", "-u", "武冈市医疗保障局",
                              "--valid-from", str(start)),
                       "entry 'wg-yb-03' already exists with this question in the same period: update it",
                       "first give 'wg-yb-03' valid_to the day before, then add this one with that valid_from")

    ok("kb", "update", "wg-yb-03", "--valid-to", str(eve))
    assert "imported 1 entries (1 new, 0 replaced, 0 unchanged)" in ok("kb", "import", resend)
    assert "imported 1 entries (0 new, 0 replaced, 1 unchanged)" in ok("kb", "import", resend)
    (scheduled,) = [json.loads(line) for line in ok("kb", "list", "--status", "scheduled", "--json").splitlines()]
    assert scheduled["id"] != "wg-yb-03" and scheduled["valid_from"] == str(start)
    assert scheduled["answer"].startswith(f"{start.year}年起社保卡补办全部改为线上办理")
    search = ("kb", "search", "医保卡丢了怎么补办", "--bm25-only", "--json")
    assert [h["id"] for h in json.loads(ok(*search))] == ["wg-yb-03"]
    assert [h["id"] for h in json.loads(ok(*search, "--date", str(start)))] == [scheduled["id"]]
    # the start of an entry not suggested today moves freely
    ok("kb", "update", scheduled["id"], "--valid-from", str(start + timedelta(days=31)))


def test_a_bad_setting_is_named_without_a_traceback(appeal_home, monkeypatch):
    monkeypatch.setenv("APPEAL_TIMEZONE", "Asia/Wugang")
    monkeypatch.setenv("APPEAL_ONNX_THREADS", "0")
    # spelt as other tools spell it
    monkeypatch.setenv("APPEAL_DATABASE_URL", "postgres://appeal:s3cret-pw@db.example/appeal")
    # the service too: it met the value first inside a ticket's validation, and printed it in a traceback
    for refused in (appeal("kb", "list"), appeal("serve", "--port", "1")):
        assert_input_error(refused, "error: configuration: ",
                           "APPEAL_TIMEZONE='Asia/Wugang': Value error, unknown time zone",
                           "APPEAL_ONNX_THREADS='0': Input should be greater than or equal to 1",
                           "APPEAL_DATABASE_URL: Value error, unknown kind of database 'postgres' (PostgreSQL is "
                           "written postgresql+psycopg://")
        assert "s3cret-pw" not in refused.stderr


def test_a_database_that_cannot_be_reached_is_one_line(appeal_home, monkeypatch):
    """A PostgreSQL server that is down (or still starting): one error line naming the setting, exit code 1 (a
    service manager retries), no driver traceback, and no password from the URL."""
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("APPEAL_DATABASE_URL", f"postgresql+psycopg://appeal:s3cret-pw@127.0.0.1:{port}/appeal")
    result = appeal("kb", "list")
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("error: the database (APPEAL_DATABASE_URL) cannot be used: connection failed")
    assert "Traceback" not in result.stderr and "s3cret-pw" not in result.stderr


def test_a_damaged_database_file_is_one_line(appeal_home):
    """A file that is no database (overwritten, a disk fault) gave 143 lines of traceback at `appeal serve`."""
    ok("kb", "import", FAQ)
    with open(appeal_home / "appeal.db", "r+b") as handle:
        handle.write(b"\xff" * 4096)
    for command in (("kb", "list"), ("serve", "--no-build", "--port", "1")):
        result = appeal(*command)
        assert result.returncode == 1, result.stderr
        assert result.stderr.strip() == (
            f"error: the database ({appeal_home / 'appeal.db'}) cannot be used: file is not a database (the file is "
            "damaged: stop the service and restore a backup into an empty home, README \"Running it\")")


def test_add_update_delete_from_the_command_line(appeal_home, tmp_path):
    added = json.loads(ok("kb", "add", "--id", "gas-smell", "-q", "楼道里有很重的煤气味", "-a",
                          "立即关闭燃气阀门、开窗通风，撤离后报警。", "-u", "武冈市管道燃气公司", "--topic", "燃气",
                          "--alt", "天然气泄漏", "--by", "agent-7"))
    assert added["id"] == "gas-smell" and added["updated_by"] == "agent-7"
    # longer than the record holds: PostgreSQL refused it after the edit, with a traceback
    assert_input_error(appeal("kb", "update", "gas-smell", "--topic", "燃气安全", "--by", "质" * 101),
                       "--by: at most 100 characters (this one has 101)")
    search = ("kb", "search", "煤气味很重", "--bm25-only", "--json")
    assert [h["id"] for h in json.loads(ok(*search))] == ["gas-smell"]

    ok("kb", "update", "gas-smell", "--valid-to", "2001-01-01")
    assert json.loads(ok(*search)) == []
    assert [h["id"] for h in json.loads(ok(*search, "--date", "2000-06-01"))] == ["gas-smell"]

    assert "gas-smell" not in ok("kb", "list", "--status", "active")
    listed = [json.loads(line) for line in ok("kb", "list", "--status", "expired", "--json").splitlines()]
    assert [e["id"] for e in listed] == ["gas-smell"] and listed[0]["valid_to"] == "2001-01-01"
    assert "1 entries" in ok("kb", "list", "--contains", "天然气", "--unit", "武冈市管道燃气公司")
    # and by another name of the unit (a liaison's round: 燃气公司 matched nothing, only the name as stored did)
    assert "1 entries" in ok("kb", "list", "--contains", "天然气", "--unit", "燃气公司")
    unknown = appeal("kb", "list", "--unit", "不存在局")
    assert unknown.returncode == 0 and "--unit '不存在局' names no unit of the catalogue" in unknown.stderr
    # named as the trainer typed them: an option, not an import file's column
    assert_input_error(appeal("kb", "list", "--status", "gone"), "error: --status: ", "'expired'")
    assert_input_error(appeal("kb", "update", "gas-smell", "--valid-to", "yesterday"), "error: --valid-to: ")
    assert_input_error(appeal("kb", "add", "-q", "煤气味", "-a", "报警。", "-u", "武冈市管道燃气公司",
                              "--valid-from", "2026-12-01", "--valid-to", "2026-11-01"),
                       "error: 失效日期早于生效日期 / valid_to is before valid_from")
    ok("kb", "update", "gas-smell", "--valid-to", "none")  # a retired entry comes back
    assert [h["id"] for h in json.loads(ok(*search))] == ["gas-smell"]
    ok("kb", "update", "gas-smell", "--valid-to", "2001-01-01")
    # a change valid alone that is not with the entry's other fields: one line, no traceback, nothing changed
    assert_input_error(appeal("kb", "update", "gas-smell", "--valid-from", "2027-01-01", "--by", "agent-7"),
                       "error: 失效日期早于生效日期 / valid_to is before valid_from")
    assert_input_error(appeal("kb", "search", "  ", "--bm25-only"), "query is empty")
    ok("kb", "delete", "gas-smell", "--by", "trainer-3   ")
    assert_input_error(appeal("kb", "delete", "gas-smell"), "no entry 'gas-smell'")
    history = json.loads(ok("kb", "history", "gas-smell", "--json"))
    cli = f"cli:{getpass.getuser()}"
    assert [(c["action"], c["by"]) for c in history] == [("add", "agent-7"), ("update", cli), ("update", cli),
                                                          ("update", cli), ("delete", "trainer-3")]
    ok("kb", "add", "--id", "gas-2", "-q", "燃气表漏气", "-a", "关阀开窗后报修。", "-u", "武冈市管道燃气公司", "--by", "   ")
    assert json.loads(ok("kb", "history", "gas-2", "--json"))[0]["by"] == cli  # a blank --by is nobody's name
    assert [c["entry"]["valid_to"] for c in history] == [None, "2001-01-01", None, "2001-01-01", "2001-01-01"]
    shown = ok("kb", "history", "gas-smell")
    assert "trainer-3" in shown and "times in Asia/Shanghai" in shown
    # what each change changed (a trainer's round: versions differing at the answer's end read the same)
    assert [line.split("│")[4].strip() for line in shown.splitlines() if "update" in line] == ["valid_to"] * 3
    answer = "天然气泄漏时请立即关闭燃气总阀，打开门窗通风，不要开关电器或使用明火，到室外安全处拨打燃气公司抢修电话。"
    assert _from_the_change(answer, answer + "如有人员不适请拨打120。") == "…打燃气公司抢修电话。如有人员不适请拨打120。"
    assert _from_the_change(answer, answer) == answer[:40] + "…"
    # on the centre's clock, not UTC
    assert centre_minute(history[0]["at"]).split()[1] in shown and history[0]["at"][11:16] not in shown
    assert_input_error(appeal("kb", "history", "never-there"), "no entry 'never-there', ever")


def test_malformed_import_exits_2_naming_the_row_and_writes_nothing(appeal_home, tmp_path):
    lines = FAQ.read_text(encoding="utf-8").splitlines()[:3]
    bad_row = json.loads(lines[2])
    del bad_row["unit"]
    jsonl = tmp_path / "bad.jsonl"
    jsonl.write_text("\n".join([lines[0], lines[1], json.dumps(bad_row, ensure_ascii=False)]) + "\n", encoding="utf-8")
    assert_input_error(appeal("kb", "import", jsonl), "line 3", "responsible unit")
    assert not (appeal_home / "appeal.db").exists()  # nothing written, not even an empty database
    (tmp_path / "one.jsonl").write_text(lines[0] + "\n", encoding="utf-8")
    ok("kb", "import", tmp_path / "one.jsonl")
    assert_input_error(appeal("kb", "import", jsonl), "line 3", "responsible unit")
    assert [e["id"] for e in exported(tmp_path)] == ["wg-sbk-01"]
    ok("kb", "delete", "wg-sbk-01")
    assert f"the knowledge base is empty (sqlite:///{appeal_home.resolve() / 'appeal.db'})" in ok("kb", "list")


@pytest.fixture()
def cases_csv(shared_data, tmp_path) -> Path:
    replies = pd.read_csv(shared_data / "teddy2020c" / "replies_raw.csv", dtype=str, keep_default_na=False).head(40)
    replies.loc[0, "留言详情"] += "联系电话13812345678，身份证号430581199001011234。"
    path = tmp_path / "cases.csv"
    replies.to_csv(path, index=False)
    return path


def test_import_cases_masks_pii_and_is_suggested(appeal_home, cases_csv, tmp_path):
    ok("kb", "add", "--id", "case-1", "-q", "长沙某小区停水", "-a", "已转供水公司。", "-u", "长沙水业集团", "--source", "case")
    imported = appeal("kb", "import-cases", cases_csv)
    assert "imported 40 entries (40 new" in imported.stdout
    # a case file is a month's export, not the whole library: the cases it does not hold are not its business
    assert "knowledge base holds" not in imported.stderr
    entries = {e["id"]: e for e in exported(tmp_path)}
    first = entries["case-2549"]
    assert first["source"] == "case" and first["question"] == "A2区景蓉华苑物业管理有问题"
    text = json.dumps(first, ensure_ascii=False)
    assert "13812345678" not in text and "[手机号]" in text
    assert not first["alternatives"][0].startswith(("\n", "\t"))  # scraped whitespace normalised away
    hits = json.loads(ok("kb", "search", "景蓉华苑小区物业管理问题", "--bm25-only", "--json", "-k", "1"))
    assert hits[0]["id"] == "case-2549" and hits[0]["source"] == "case"
    assert json.loads(ok("kb", "search", "景蓉华苑小区物业管理问题", "--bm25-only", "--json", "--source", "faq")) == []
    # a case a trainer deleted stays deleted when the same export is imported again (a trainer's round: it came back)
    ok("kb", "delete", "case-2549", "--by", "周老师")
    again = appeal("kb", "import-cases", cases_csv)
    assert again.returncode == 0 and "imported 39 entries (0 new, 0 replaced, 39 unchanged)" in again.stdout, again
    assert "note: 1 cases deleted in this knowledge base left out: case-2549" in " ".join(again.stderr.split())
    assert "case-2549" not in {e["id"] for e in exported(tmp_path)}
    # …and one erased with every version of it (a re-tester's round: its words came back with the next import)
    ok("kb", "delete", "case-2554", "--erase")
    again = appeal("kb", "import-cases", cases_csv)
    said = " ".join(again.stderr.split())
    assert "note: 2 cases deleted in this knowledge base left out: case-2549, case-2554" in said, said
    assert not {"case-2549", "case-2554"} & {e["id"] for e in exported(tmp_path)}


def test_an_export_holding_tickets_still_being_handled_imports_the_answered_ones_when_asked(appeal_home, cases_csv,
                                                                                           tmp_path):
    """A month's 12345 export also holds tickets not answered yet (办理结果 empty): refused by default, as any empty
    cell, with the way out named; with --skip-unanswered the answered ones come in and the others are listed."""
    frame = pd.read_csv(cases_csv, dtype=str, keep_default_na=False)
    frame.loc[[3, 17], "答复意见"] = ""
    frame.to_csv(cases_csv, index=False)
    refused = appeal("kb", "import-cases", cases_csv)  # every such row named at once
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith(f"error: {cases_csv}: 2 problems, nothing imported:\n  row 5: column '答复意见' "
                                     "is empty (a ticket not answered yet? --skip-unanswered leaves such rows out)\n"
                                     "  row 19: column '答复意见' is empty"), refused.stderr
    assert not (appeal_home / "appeal.db").exists()
    out = ok("kb", "import-cases", cases_csv, "--skip-unanswered")
    assert "left out 2 tickets without a reply (row 5, row 19)" in out and "imported 38 entries (38 new" in out
    assert len(exported(tmp_path)) == 38


def test_replies_that_only_acknowledge_or_forward_the_ticket_are_left_out_unless_asked_for(appeal_home, cases_csv,
                                                                                           tmp_path):
    """A case library suggested 网友:您好!留言已收悉 to agents as an answer."""
    frame = pd.read_csv(cases_csv, dtype=str, keep_default_na=False)
    frame.loc[2, "答复意见"] = "网友:您好!留言已收悉"
    frame.loc[9, "答复意见"] = "您的留言已收悉。关于您反映的问题,已转市人社局调查处理。"
    frame.loc[11, "答复意见"] = "经查全省人口信息系统,安沙镇万家铺村登记为农村地区。"
    frame.to_csv(cases_csv, index=False)
    out = ok("kb", "import-cases", cases_csv)
    assert "left out 2 replies that only acknowledge or forward the ticket (--keep-receipts imports them) (row 4, " \
           "row 11)" in out and "imported 38 entries (38 new" in out, out
    ids = {e["id"] for e in exported(tmp_path)}
    assert f"case-{frame.loc[11, '留言编号']}" in ids and f"case-{frame.loc[2, '留言编号']}" not in ids
    assert "imported 40 entries (2 new, 0 replaced, 38 unchanged)" in ok("kb", "import-cases", cases_csv,
                                                                          "--keep-receipts")


def test_evaluate_writes_the_report(appeal_home, cases_csv, tmp_path):
    report = tmp_path / "report.json"
    out = ok("kb", "evaluate", "--pairs", cases_csv, "--limit", "30", "--bm25-only", "--report", report)
    assert "30 messages" in out and "title only" in out
    result = json.loads(report.read_text(encoding="utf-8"))
    assert set(result) >= {"bm25", "title_only", "pairs"} and result["pairs"] == 30
    assert set(result["bm25"]) == {"r1", "r5", "mrr"} and result["bm25"]["r1"] >= 0.8


def test_an_office_faq_sheet_imports_twice_without_doubling(appeal_home, tmp_path):
    """序号 and 发布时间 skipped with one warning, ids from the questions: the second import changes nothing."""
    sheet = tmp_path / "常见问题.xlsx"
    pd.DataFrame({"序号": [1, 2], "问题": ["社保卡丢了怎么补办？", "路灯不亮找谁？"],
                  "答复": ["先挂失，再到社保卡服务网点补办。", "城区路灯由城市管理部门维修。"],
                  "责任单位": ["武冈市人力资源和社会保障局", "武冈市城市管理和综合执法局"],
                  "发布时间": ["2026-01-05", "2026-02-01"]}).to_excel(sheet, index=False)
    first, second = appeal("kb", "import", sheet), appeal("kb", "import", sheet)
    assert "imported 2 entries (2 new, 0 replaced, 0 unchanged)" in first.stdout, first.stderr
    assert "imported 2 entries (0 new, 0 replaced, 2 unchanged)" in second.stdout, second.stderr
    assert "warning:" in second.stderr and "序号, 发布时间 ignored: not entry fields" in second.stderr
    assert len(exported(tmp_path)) == 2


def test_options_out_of_their_range_are_refused_before_any_work(appeal_home, tmp_path):
    """`evaluate --report ev.xlsx` wrote JSON into it; `report --kb-limit -5` used all pairs but five; a gate
    tolerance of 1 let a worse challenger through, logged as an ordinary promotion."""
    assert_input_error(appeal("kb", "evaluate", "--pairs", tmp_path / "pairs.csv", "--report", tmp_path / "kb.xlsx"),
                       "kb.xlsx: unknown output type '.xlsx': give a .json file name")
    assert_input_error(appeal("evaluate", "--data", tmp_path / "dev.csv", "--report", tmp_path / "ev.xlsx"),
                       "ev.xlsx: unknown output type '.xlsx': give a .json file name")
    for command in (("report", "--out", tmp_path / "r.html", "--kb-limit", "-5"),
                    ("models", "promote", "v2", "--tolerance", "1"),
                    ("models", "promote", "v2", "--class-margin", "-0.1")):
        result = appeal(*command)
        assert result.returncode == 2 and "Invalid value" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_argument_typed_in_gbk_is_named_not_a_traceback(appeal_home):
    """A terminal or script in GBK hands over bytes that are no UTF-8; `kb search` and `kb history` failed on them with
    a UnicodeEncodeError traceback from the hash or the database."""
    for command in ("search", "history"):
        result = subprocess.run([sys.executable, "-c", "from appeal.cli import main; main()", "kb", command,
                                 "路灯坏了".encode("gbk")], cwd=REPO, capture_output=True, text=True, timeout=600)
        assert_input_error(result, "error: argument 3 (", "is not UTF-8 text: is the terminal or the script in GBK?")


def test_an_old_export_imported_again_never_undoes_anothers_later_edit(appeal_home, tmp_path):
    """A trainer's round: a sheet exported on Monday and imported on Friday put back the answer another trainer had
    fixed on Wednesday ("1 replaced", no id named). Each row's updated_at says which version it was exported from."""
    ok("kb", "import", FAQ)
    ok("kb", "export", tmp_path / "monday.xlsx")
    fixed = "社保卡遗失的，请先办理挂失，再持本人身份证到武冈市人力资源和社会保障局窗口补办。（李四修订）"
    ok("kb", "update", "wg-sbk-01", "-a", fixed, "--by", "lisi")
    ok("kb", "add", "--id", "wg-fx-99", "-q", "今年的防汛政策在哪里看？", "-a", "请关注武冈市应急管理局发布的通知。",
       "-u", "武冈市应急管理局", "--by", "lisi")

    # the sheet as exported: its row of wg-sbk-01 is the version before Li's, and it never held wg-fx-99
    stale = appeal("kb", "import", tmp_path / "monday.xlsx", "--prune")
    assert f"(0 new, 0 replaced, {N - 1} unchanged)" in stale.stdout, stale.stdout
    assert "left as they are: wg-sbk-01, wg-fx-99." in " ".join(
        stale.stderr.split())
    entries = {e["id"]: e for e in exported(tmp_path)}
    assert entries["wg-sbk-01"]["answer"] == fixed and "wg-fx-99" in entries

    # an edit of the same row in the sheet is a conflict, named with who changed the entry; nothing is written
    sheet = pd.read_excel(tmp_path / "monday.xlsx", dtype=str, keep_default_na=False, engine="openpyxl")
    row = int(sheet.index[sheet["id"] == "wg-sbk-01"][0])
    sheet.loc[row, "answer"] = "补办社保卡请到人社局窗口。"
    sheet.loc[sheet["id"] == "wg-bdc-01", "answer"] += "（张三修订）"
    sheet.to_excel(tmp_path / "monday.xlsx", index=False)
    refused = appeal("kb", "import", tmp_path / "monday.xlsx")
    assert_input_error(refused, f"row {row + 2}: 'wg-sbk-01' was changed ", " by lisi after the row's version, which "
                       "the row would undo; to put the row over it, write its updated_at now, ")
    assert exported(tmp_path) == list(entries.values())
    # as the error says: the row over Li's version, the cell holding that version's stamp from then on
    now_at = re.search(r"write its updated_at now, (\S+), in the row's updated_at cell", refused.stderr).group(1)
    sheet.loc[row, "updated_at"] = now_at
    # and a question the sheet adds, without an id or a stamp
    sheet.loc[len(sheet)] = {"question": "居住证在哪里办理？", "answer": "请到户籍所在地派出所咨询办理。", "unit": "武冈市公安局",
                             "source": "faq"}
    sheet.to_excel(tmp_path / "monday.xlsx", index=False)
    merged = appeal("kb", "import", tmp_path / "monday.xlsx")
    assert f"(1 new, 2 replaced, {N - 2} unchanged)" in merged.stdout
    assert {e["id"]: e["answer"] for e in exported(tmp_path)}["wg-sbk-01"] == "补办社保卡请到人社局窗口。"
    # the new row's id told, which its question corrected in the sheet would otherwise change (a second entry)
    added = next(e["id"] for e in exported(tmp_path) if e["question"] == "居住证在哪里办理？")
    assert f"rows without an id were stored as {added} (row {len(sheet) + 1}): write each id in its row's id cell" \
        in " ".join(merged.stderr.split()), merged.stderr
    # Li fixes both again the next day; the same sheet imported again (a trainer keeps one for days) leaves them: the
    # row with its stamp as exported, the one without repeating the version Li replaced
    for entry_id in ("wg-sbk-01", added):
        ok("kb", "update", entry_id, "-a", "【李周三】请持身份证到武冈市政务服务中心窗口办理。", "--by", "lisi")
    again = appeal("kb", "import", tmp_path / "monday.xlsx")
    assert f"(0 new, 0 replaced, {N - 1} unchanged)" in again.stdout, again.stdout
    assert f"left as they are: wg-sbk-01, {added}, wg-fx-99" in " ".join(again.stderr.split()), again.stderr
    assert {e["id"]: e["answer"] for e in exported(tmp_path)}[added] == "【李周三】请持身份证到武冈市政务服务中心窗口办理。"

    # a sheet a spreadsheet program saved again with its times cut to the minute (2026/12/4 10:15, the centre's
    # clock), under the heading an office gives it, or as time cells: an edit made in the same minute as the export
    # is still told apart, by the versions the history keeps
    ok("kb", "export", tmp_path / "tuesday.csv")
    sheet = pd.read_csv(tmp_path / "tuesday.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    times = pd.to_datetime(sheet["updated_at"]).dt.tz_localize(None).dt.floor("min")
    sheet.assign(updated_at=times).to_excel(tmp_path / "tuesday.xlsx", index=False)
    sheet.assign(updated_at=[f"{at:%Y/%m/%d %H:%M}" for at in times]).rename(columns={"updated_at": "更新时间"}).to_csv(
        tmp_path / "tuesday.csv", index=False, encoding="utf-8-sig")
    ok("kb", "update", "wg-gjj-01", "-a", "提取住房公积金请持身份证到武冈市住房公积金管理部办理。（王五修订）", "--by", "wangwu")
    for resaved in ("tuesday.csv", "tuesday.xlsx"):
        assert "left as they are: wg-gjj-01" in " ".join(appeal("kb", "import", tmp_path / resaved).stderr.split())
        assert "（王五修订）" in {e["id"]: e["answer"] for e in exported(tmp_path)}["wg-gjj-01"]


def test_a_trainer_who_goes_on_editing_the_sheet_they_imported_is_not_stopped_by_their_own_import(appeal_home,
                                                                                                  tmp_path):
    """Export once, then edit and import the same sheet through the day: each import's own changes are no one
    else's, and a row put back to what it said in the morning is a change like any other."""
    ok("kb", "import", FAQ)
    ok("kb", "export", tmp_path / "faq.xlsx")
    sheet = pd.read_excel(tmp_path / "faq.xlsx", dtype=str, keep_default_na=False, engine="openpyxl")
    morning = sheet.loc[sheet["id"] == "wg-bdc-01", "answer"].iloc[0]
    for answer in (morning + "（上午修订）", morning + "（下午修订）", morning):
        sheet.loc[sheet["id"] == "wg-bdc-01", "answer"] = answer
        sheet.to_excel(tmp_path / "faq.xlsx", index=False)
        imported = appeal("kb", "import", tmp_path / "faq.xlsx", "--by", "zhangsan")
        assert f"(0 new, 1 replaced, {N - 1} unchanged)" in imported.stdout, imported.stderr
        assert {e["id"]: e["answer"] for e in exported(tmp_path)}["wg-bdc-01"] == answer
        # the morning's text put back is said, as an older file would do the same
        assert ("put back as the file holds them" in imported.stderr) is (answer == morning), imported.stderr


def test_the_mornings_export_imported_in_the_afternoon_keeps_the_days_additions_and_says_what_it_puts_back(
        appeal_home, tmp_path):
    """A trainer's round: the sheet exported before the day's edits, imported with --prune by the same trainer,
    undid the edits, brought back the entry deleted, and deleted the three entries added that day: "rc 0", no word.
    The same is what a trainer who goes on editing that sheet means (a row put back, a row deleted): it is said."""
    ok("kb", "import", FAQ)
    ok("kb", "export", tmp_path / "morning.xlsx")
    sheet = pd.read_excel(tmp_path / "morning.xlsx", dtype=str, keep_default_na=False, engine="openpyxl")
    edited = sheet[sheet["id"] != "wg-ld-02"].copy()
    edited.loc[edited["id"] == "wg-gs-01", "answer"] += "（刘敏修订：停水通知请关注供水公司公告）"
    edited.loc[len(sheet)] = {"question": "冬季供暖设施漏水找谁？", "answer": "请联系小区物业或供水单位。",
                              "unit": "武冈市住房和城乡建设局", "source": "faq"}
    edited.to_excel(tmp_path / "afternoon.xlsx", index=False)
    day = appeal("kb", "import", tmp_path / "afternoon.xlsx", "--prune", "--by", "刘敏")
    assert f"(1 new, 1 replaced, {N - 2} unchanged, 1 not in the file deleted: wg-ld-02)" in day.stdout, day.stderr
    added = next(e["id"] for e in exported(tmp_path) if e["question"] == "冬季供暖设施漏水找谁？")

    old = appeal("kb", "import", tmp_path / "morning.xlsx", "--prune", "--by", "刘敏")
    assert old.returncode == 0, old.stderr
    assert f"(1 new, 1 replaced, {N - 2} unchanged, 1 not in the file deleted: {added})" in old.stdout
    said = " ".join(old.stderr.split())
    assert "put back as the file holds them, over later changes of your own: wg-gs-01 (changed " in said
    assert "wg-ld-02 (deleted " in said and f"{added} (changed " in said and "by 刘敏, not in the file: deleted)" in said
    assert "If the file is older than those changes, import the one you edited since" in said
    # the file the trainer meant, imported again, brings the day's work back
    again = appeal("kb", "import", tmp_path / "afternoon.xlsx", "--prune", "--by", "刘敏")
    assert f"(1 new, 1 replaced, {N - 2} unchanged, 1 not in the file deleted: wg-ld-02)" in again.stdout, again.stderr
    entries = {e["question"]: e["answer"] for e in exported(tmp_path)}
    assert "（刘敏修订" in entries["家里突然停水了怎么办？"] and "冬季供暖设施漏水找谁？" in entries


def test_a_file_without_update_times_imported_again_names_the_importers_own_changes_it_undoes(appeal_home):
    """A knowledge-base editor's round: the pack's faq.jsonl (no updated_at) imported again under her name put back an
    answer she had changed and an entry she had deleted, "1 new, 1 replaced", no word; `kb import --help` says the
    import names them."""
    ok("kb", "import", FAQ)
    ok("kb", "update", "wg-gs-01", "-a", "停水请先看供水公司公告，再拨打供水服务热线。", "--by", "唐晓燕")
    ok("kb", "delete", "wg-ld-02", "--by", "唐晓燕")
    again = appeal("kb", "import", FAQ, "--by", "唐晓燕", "--dry-run")
    assert again.returncode == 0 and f"(1 new, 1 replaced, {N - 2} unchanged)" in again.stdout, again.stderr
    said = " ".join(again.stderr.split())
    assert "put back as the file holds them, over later changes of your own: " in said, said
    assert "wg-gs-01 (changed " in said and "wg-ld-02 (deleted " in said and "by 唐晓燕)" in said
    # another's changes stay theirs to name (left as they are), a first import of the file names nothing
    assert "put back" not in appeal("kb", "import", FAQ, "--by", "刘敏", "--dry-run").stderr


def test_an_export_saved_again_as_a_gbk_csv_never_turns_anothers_characters_into_question_marks(appeal_home, tmp_path):
    """A trainer's round: Excel's "CSV (逗号分隔)" on a Chinese Windows saves in GBK, which holds no • or ☎; the import
    stored 「社保卡挂失渠道：? 拨打12333 ?」 as the importer's edit of another trainer's answer, unsaid."""
    ok("kb", "import", FAQ)
    answer = "社保卡挂失渠道：• 拨打12333 ☎ 或到武冈市人力资源和社会保障局窗口办理。问号?照旧"
    ok("kb", "update", "wg-sbk-01", "-a", answer, "--by", "lisi")
    ok("kb", "export", tmp_path / "faq.csv")
    sheet = pd.read_csv(tmp_path / "faq.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    sheet.loc[sheet["id"] == "wg-bdc-01", "answer"] += "（张三修订）"
    sheet.to_csv(tmp_path / "gbk.csv", index=False, encoding="gbk", errors="replace")
    row = int(sheet.index[sheet["id"] == "wg-sbk-01"][0]) + 2
    assert_input_error(appeal("kb", "import", tmp_path / "gbk.csv"),
                       f"row {row}: 'wg-sbk-01': column 'answer' has '?' in place of • ☎ (字符变成了问号",
                       "save the sheet as 'CSV UTF-8' or .xlsx")
    assert "（张三修订）" not in {e["id"]: e["answer"] for e in exported(tmp_path)}["wg-bdc-01"]
    sheet.to_csv(tmp_path / "utf8.csv", index=False, encoding="utf-8-sig")
    assert f"(0 new, 1 replaced, {N - 1} unchanged)" in ok("kb", "import", tmp_path / "utf8.csv")
    assert {e["id"]: e["answer"] for e in exported(tmp_path)}["wg-sbk-01"] == answer


def test_a_sheet_without_its_stamps_that_replaces_a_colleagues_edit_says_so(appeal_home, tmp_path):
    """A trainer's round: 李老师 fixed an answer; 周老师 imported an older sheet without its updated_at / updated_by
    columns that changed the same entry, and the colleague's fix was replaced with "1 replaced", nothing more."""
    ok("kb", "add", "--id", "gd-03", "-q", "电费怎么交？", "-a", "可在供电营业厅交纳。", "-u", "国网武冈市供电公司", "--by", "周老师")
    ok("kb", "update", "gd-03", "-a", "可在供电营业厅或网上国网APP交纳。", "--by", "李老师")
    with open(tmp_path / "old.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["id", "question", "answer", "unit"],
                                      ["gd-03", "电费怎么交？", "可在供电营业厅交纳，也可银行代扣。", "国网武冈市供电公司"]])
    done = appeal("kb", "import", tmp_path / "old.csv", "--by", "周老师")
    assert done.returncode == 0 and "(0 new, 1 replaced, 0 unchanged)" in done.stdout, done.stderr
    said = " ".join(done.stderr.split())
    assert "note: replaced what someone else wrote last, by rows without their updated_at" in said, said
    assert re.search(r"gd-03 \(李老师, \d\d-\d\d \d\d:\d\d\)", said), said
    # the importer's own version, replaced again, is no one else's
    (tmp_path / "old.csv").write_text((tmp_path / "old.csv").read_text(encoding="utf-8").replace("银行代扣", "微信缴费"),
                                      encoding="utf-8")
    again = appeal("kb", "import", tmp_path / "old.csv", "--by", "周老师")
    assert "(0 new, 1 replaced, 0 unchanged)" in again.stdout and "someone else" not in again.stderr, again.stderr
