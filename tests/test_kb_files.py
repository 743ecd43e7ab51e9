"""Import files read in full before anything is written: every problem names the file, row and column."""
from __future__ import annotations

import csv
import html
import json
import re
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from knowledge_base.cases import read_case_file, read_cases
from knowledge_base.files import (IgnoredColumnsWarning, ReadWarning, RepeatedRowsWarning, entry_rows, read_entries,
                                  write_entries)
from knowledge_base.kb import KnowledgeBase
from knowledge_base.store import Entry, EntryFilter, EntryIn, EntryUpdate, derived_id
from knowledge_base.units import load_catalogue, unknown_unit_warnings
from pipeline.errors import InputError
from ticket_samples import write_html_xls, write_xls

FAQ = Path(__file__).resolve().parents[1] / "appeal" / "demo" / "faq.jsonl"


def test_demo_faq_is_valid_and_names_a_unit_and_topic_for_every_entry():
    entries = read_entries(FAQ)
    assert len(entries) >= 80 and len({e.id for e in entries}) == len(entries)
    assert all(e.unit and e.topic and e.source == "faq" for e in entries)
    assert len({e.topic for e in entries}) >= 20
    # Every unit an answer names is one the catalogue routes to ("各乡镇…" stands for the ticket's township).
    catalogue = load_catalogue()
    assert [e.unit for e in entries if catalogue.functional_type_of(e.unit) is None] == []


def test_an_export_stopped_half_way_leaves_the_earlier_file_whole(tmp_path):
    """`kb export x.jsonl` wrote over x.jsonl as it went: killed, it left the first lines of a new export where a
    complete one was, every line whole, and `kb import --prune` of it would delete the entries it had not reached."""
    entries = list(read_entries(FAQ))
    path = tmp_path / "faq.jsonl"
    assert write_entries(entries, path) == len(entries)
    before = path.read_bytes()

    def stopped_half_way():
        yield from entries[:20]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_entries(stopped_half_way(), path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["faq.jsonl"]
    assert [e.id for e in read_entries(path)] == [e.id for e in entries]


def test_jsonl_errors_name_line_and_column(tmp_path):
    good = FAQ.read_text(encoding="utf-8").splitlines()[0]
    cases = {
        "{\"question\": \"问\"": ("line 2", "not valid JSON"),
        "[1, 2]": ("line 2", "expected a JSON object"),
        json.dumps({"question": "问", "answer": "答", "unit": "单位", "colour": "red"}): ("line 2", "'colour'"),
        json.dumps({"question": "问", "answer": "答", "unit": "单位", "valid_to": "2025-02-30"}): ("line 2", "'valid_to'"),
        # a number was read as seconds since 1970 (1764547200 stored as 2025-12-01)
        json.dumps({"question": "问", "answer": "答", "unit": "单位", "valid_to": 1764547200}): (
            "line 2", "'valid_to'", "a date is written YYYY-MM-DD"),
        json.dumps({"question": "问", "answer": "答", "unit": "单位", "valid_to": "1798761600"}): (
            "line 2", "'valid_to'", "a date is written YYYY-MM-DD"),
        json.dumps({"question": "？？？", "answer": "\u200b", "unit": "单位"}): (
            "line 2", "'question'", "holds no text", "'answer'"),
        # 2,000 phrasings took 100 s to store
        json.dumps({"question": "问", "answer": "答", "unit": "单位", "alternatives": [f"问法{i}" for i in range(51)]}): (
            "line 2", "'alternatives'", "at most 50 alternatives, got 51"),
        # the same id with other content (the same row twice is read once, as below)
        json.dumps({**json.loads(good), "answer": "另一个答复。"}, ensure_ascii=False): (
            "line 2", "'id'", "already used at", "line 1"),
        '{"question": "问\\ud800", "answer": "答", "unit": "单位"}': ("line 2", "unpaired surrogate"),
    }
    for second, fragments in cases.items():
        path = tmp_path / "faq.jsonl"
        path.write_text(f"{good}\n{second}\n", encoding="utf-8")
        with pytest.raises(InputError) as info:
            read_entries(path)
        assert all(f in str(info.value) for f in fragments), str(info.value)


def test_csv_import_splits_lists_and_names_row_and_column(tmp_path):
    path = tmp_path / "faq.csv"
    path.write_text("id,question,answer,unit,alternatives,tags,valid_to\n"
                    "a1,社保卡怎么补办,到服务网点办理,武冈市人力资源和社会保障局,社保卡丢了|社保卡遗失,社保卡,\n",
                    encoding="utf-8")
    (entry,) = read_entries(path)
    assert entry.alternatives == ["社保卡丢了", "社保卡遗失"] and entry.tags == ["社保卡"] and entry.valid_to is None
    # tags a cell lists a line each (Alt+Enter in Excel)
    path.write_text('question,answer,unit,tags\n社保卡怎么补办,到服务网点办理,武冈市人力资源和社会保障局,"社保卡\n补办"\n',
                    encoding="utf-8")
    assert read_entries(path)[0].tags == ["社保卡", "补办"]
    # …and alternatives too, or split by the full-width ｜ an IME types; a sheet's source may be written FAQ or 案例
    path.write_text('question,answer,unit,alternatives,source\n社保卡怎么补办,到服务网点办理,武冈市人力资源和社会保障局,'
                    '"社保卡丢了\n社保卡遗失｜补办社保卡",FAQ\n', encoding="utf-8")
    assert read_entries(path)[0].alternatives == ["社保卡丢了", "社保卡遗失", "补办社保卡"]

    path.write_text("question,answer,unit,valid_to\n社保卡怎么办,到网点办理,武冈市人力资源和社会保障局,\n"
                    "噪音扰民,向城管反映,武冈市城市管理和综合执法局,2025-13-01\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 3: column 'valid_to'"):  # as a spreadsheet numbers it
        read_entries(path)
    path.write_text("question,unit\n社保卡怎么办,武冈市人力资源和社会保障局\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"missing column\(s\) answer"):
        read_entries(path)
    # tabs separate the columns of Excel's "Unicode text" (.txt, UTF-16) and of a .tsv, as in a ticket or case file
    for name, encoding in (("faq.txt", "utf-16"), ("faq.tsv", "utf-8"), ("faq.csv", "utf-8")):
        (tmp_path / name).write_text("问题\t答复\t责任单位\t来源\t其他问法\n"
                                     "社保卡怎么办\t先挂失\t武冈市人力资源和社会保障局\t案例\t社保卡丢了\n", encoding=encoding)
        (entry,) = read_entries(tmp_path / name)
        assert (entry.question, entry.source, entry.alternatives) == ("社保卡怎么办", "case", ["社保卡丢了"])
    # what was wrong, where the message listed the missing columns beside a header that held them
    path.write_text("问题；答复；责任单位\n社保卡怎么办；先挂失；武冈市人力资源和社会保障局\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"separated by tabs or semicolons, not commas"):
        read_entries(path)
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match=r"no column names: the file is empty"):
        read_entries(path)
    with pytest.raises(InputError, match=r"a directory, not a file"):
        read_entries(tmp_path)


def test_ids_excel_cut_to_scientific_notation_are_refused_with_the_cause(tmp_path):
    """A trainer round: numeric ids (202612010001) exported, opened in Excel and saved as CSV came back 2.02612E+11;
    the import refused them as one more entry asking an existing entry's question, which said nothing of Excel."""
    path = tmp_path / "faq.csv"
    path.write_text("编号,问题,答复,责任单位\n2.02612E+11,社保卡怎么补办,到服务网点办理,武冈市人力资源和社会保障局\n"
                    "2.02612E+11,养老金怎么领取,到社保经办机构办理,武冈市人力资源和社会保障局\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_entries(path)
    message = str(refused.value)
    assert "row 2: column '编号': '2.02612E+11' is a number Excel cut short (scientific notation)" in message
    assert "row 3: column '编号'" in message and "already used" not in message
    # the same digits kept whole (a text column, or an .xlsx number cell) are an id like any other
    path.write_text("id,question,answer,unit\n202612010001,社保卡怎么补办,到服务网点办理,武冈市人力资源和社会保障局\n",
                    encoding="utf-8")
    assert [entry.id for entry in read_entries(path)] == ["202612010001"]


def test_faq_saved_by_a_chinese_spreadsheet_program_is_read(tmp_path):
    """Excel on Chinese Windows saves CSV as GBK and keeps FAQ lists in workbooks; both read like the JSONL."""
    expected = read_entries(FAQ)[:3]
    table = pd.DataFrame([{**e.model_dump(exclude_none=True), "alternatives": "|".join(e.alternatives),
                           "tags": "|".join(e.tags)} for e in expected])
    table.to_csv(tmp_path / "faq.csv", index=False, encoding="gb18030")
    assert read_entries(tmp_path / "faq.csv") == expected

    table["valid_to"] = [pd.Timestamp("2027-06-30"), None, None]  # a date cell, and empty cells
    table.to_excel(tmp_path / "faq.xlsx", index=False)
    from_workbook = read_entries(tmp_path / "faq.xlsx")
    assert from_workbook[1:] == expected[1:]
    assert from_workbook[0] == expected[0].model_copy(update={"valid_to": date(2027, 6, 30)})

    table.loc[1, "answer"] = None
    table.to_excel(tmp_path / "faq.xlsx", index=False)
    with pytest.raises(InputError, match=r"faq.xlsx: row 3: column 'answer'"):
        read_entries(tmp_path / "faq.xlsx")
    # UTF-8 up to a broken byte is refused: re-reading it as GBK would garble the rows before it.
    (tmp_path / "faq.csv").write_bytes("question,answer,unit\n社保卡,补办,人社局\n".encode() + b"\xff\n")
    with pytest.raises(InputError, match="undecodable bytes at line 3"):
        read_entries(tmp_path / "faq.csv")


def test_spreadsheet_with_chinese_headers_is_read(tmp_path):
    """A FAQ list kept by the hotline office has Chinese headers (问题, 答复, 责任单位…) and is saved as GBK."""
    expected = read_entries(FAQ)[:3]
    chinese = {"id": "编号", "question": "问题", "alternatives": "相似问法", "answer": "答复", "unit": "责任单位",
               "topic": "类别", "tags": "标签", "source": "来源"}
    table = pd.DataFrame([{**e.model_dump(exclude_none=True), "alternatives": "|".join(e.alternatives),
                           "tags": "|".join(e.tags)} for e in expected]).rename(columns=chinese)
    table.to_csv(tmp_path / "faq.csv", index=False, encoding="gbk")
    assert read_entries(tmp_path / "faq.csv") == expected
    table.rename(columns={"问题": "Question"}).to_excel(tmp_path / "faq.xlsx", index=False)
    assert read_entries(tmp_path / "faq.xlsx") == expected
    # a sheet of notes before the entries, as the city's template has one
    with pd.ExcelWriter(tmp_path / "faq.xlsx") as writer:
        pd.DataFrame({"填写说明": ["每行一个问题", "相似问法用 | 分隔"]}).to_excel(writer, sheet_name="说明", index=False)
        table.to_excel(writer, sheet_name="知识库", index=False)
    assert read_entries(tmp_path / "faq.xlsx") == expected

    # Excel on Chinese Windows writes a date cell into CSV as it shows it: 2027/6/30.
    dated = table.assign(失效日期=["2027/6/30", "2027年6月30日", ""])
    dated.to_csv(tmp_path / "dated.csv", index=False, encoding="gbk")
    assert [e.valid_to for e in read_entries(tmp_path / "dated.csv")] == [date(2027, 6, 30), date(2027, 6, 30), None]
    # the same in a workbook as a policy office keeps it: real date cells under 有效期至, the answer as 答复口径
    workbook = table.rename(columns={"答复": "答复口径"}).assign(有效期至=[date(2027, 6, 30), "2027年6月30日", None])
    workbook.to_excel(tmp_path / "dated.xlsx", index=False)
    read = read_entries(tmp_path / "dated.xlsx")
    assert [e.valid_to for e in read] == [date(2027, 6, 30), date(2027, 6, 30), None]
    assert [e.answer for e in read] == [e.answer for e in expected]
    dated.assign(失效日期=["明年", "", ""]).to_csv(tmp_path / "undated.csv", index=False)
    with pytest.raises(InputError, match=r"undated.csv: row 2: column '失效日期'"):
        read_entries(tmp_path / "undated.csv")
    dated.assign(失效日期=["2027/6/30", "01/12/2027", ""]).to_csv(tmp_path / "month_first.csv", index=False)
    with pytest.raises(InputError, match=r"month_first.csv: row 3: column '失效日期': '01/12/2027' may be "
                                         r"2027-01-12 or 2027-12-01: write it as YYYY-MM-DD"):
        read_entries(tmp_path / "month_first.csv")
    # a day with a time or a zone was cut to its first ten characters (2026-12-02 noon in Wugang became 2026-12-01,
    # live a day early); it is refused, as the API refuses it, and midnight is a day
    timed = dated.assign(失效日期=["2026-12-01 00:00:00", "2026-12-01T20:00:00-08:00", ""])
    timed.to_csv(tmp_path / "timed.csv", index=False)
    with pytest.raises(InputError, match=r"timed.csv: row 3: column '失效日期': Datetimes provided to dates should "
                                         r"have zero time"):
        read_entries(tmp_path / "timed.csv")
    timed.assign(失效日期=["2026-12-01 00:00:00", "", ""]).to_excel(tmp_path / "timed.xlsx", index=False)
    assert read_entries(tmp_path / "timed.xlsx")[0].valid_to == date(2026, 12, 1)
    # 24:00 of the 1st is the 1st to whoever wrote it and the 2nd to a parser: refused, not read as the 2nd; a
    # day without its year (12-31) was read as year 1, retiring the entry at once; 无 is no date
    for written in ("2026-12-01 24:00", "2026年12月1日 24时", "2026年12月1日晚上12点"):
        timed.assign(失效日期=["2027/6/30", written, ""]).to_csv(tmp_path / "day_end.csv", index=False)
        with pytest.raises(InputError, match=r"day_end.csv: row 3: column '失效日期'"):
            read_entries(tmp_path / "day_end.csv")
    timed.assign(失效日期=["2027/6/30", "12-31", ""]).to_csv(tmp_path / "no_year.csv", index=False)
    with pytest.raises(InputError, match=r"no_year.csv: row 3: column '失效日期': '12-31': which day\?"):
        read_entries(tmp_path / "no_year.csv")
    timed.assign(失效日期=["无", "NULL", ""]).to_csv(tmp_path / "none.csv", index=False)
    assert [e.valid_to for e in read_entries(tmp_path / "none.csv")] == [None, None, None]

    table.rename(columns={"类别": "question"}).to_csv(tmp_path / "twice.csv", index=False)
    with pytest.raises(InputError, match=r"twice.csv: more than one column for question"):
        read_entries(tmp_path / "twice.csv")
    table.rename(columns={"答复": "内容"}).to_csv(tmp_path / "missing.csv", index=False)
    with pytest.raises(InputError, match=r"missing column\(s\) answer .*answer may be headed 答案"):
        read_entries(tmp_path / "missing.csv")


def test_an_office_export_is_read_with_its_bookkeeping_columns_skipped_and_no_id_column(tmp_path):
    """A FAQ sheet as an office keeps it: 序号, 发布时间 and 联系电话 beside the fields, no id column. The extra columns
    are skipped and named; each row's id comes from its question, so the same sheet imported twice is the same
    entries, not twice as many."""
    path = tmp_path / "faq.csv"
    path.write_text("序号,问题,答复,责任单位,发布时间,联系电话\n"
                    "1,社保卡丢了怎么补办？,先挂失，再到社保卡服务网点补办。,武冈市人力资源和社会保障局,2026-01-05,\n"
                    "2,路灯不亮找谁？,城区路灯由城市管理部门维修。,武冈市城市管理和综合执法局,2026-02-01,\n",
                    encoding="utf-8")
    with pytest.warns(IgnoredColumnsWarning, match="序号, 发布时间, 联系电话 ignored"):
        first = read_entries(path)
    with pytest.warns(IgnoredColumnsWarning):
        again = read_entries(path)
    assert first == again and [e.id for e in first] == [derived_id(e) for e in first]
    assert len({e.id for e in first}) == 2 and first[0].question == "社保卡丢了怎么补办？"
    kb = KnowledgeBase(f"sqlite:///{tmp_path / 'kb.db'}")
    kb.warm_up()
    assert kb.import_entries(first, "tester").added == 2
    assert kb.import_entries(again, "tester").unchanged == 2 and len(kb.store.all()) == 2
    kb.close()

    # English headers of another city's export (Taipei's open-data FAQ: dept, data_id, keywords listed with commas)
    # are fields too.
    path.write_text("dept,data_id,question,answer,keywords\n"
                    '臺北市政府環境保護局,GIP_1,垃圾車幾點來？,依各區清運路線時間。,"垃圾,清運、資源回收"\n', encoding="utf-8")
    (entry,) = read_entries(path)
    assert entry.unit == "臺北市政府環境保護局" and entry.id == "GIP_1"
    assert entry.tags == ["垃圾", "清運", "資源回收"]



def test_a_policy_sheet_dated_by_its_implementation_day_starts_then_and_an_unknown_date_heading_is_refused(tmp_path):
    """A policy office heads the day a rule takes effect 实施日期 (or 执行日期, 启用日期): the column was skipped as
    序号 is, and an answer effective 2027-01-01 was suggested from the day it was imported. A date of validity under
    a heading no field has (生效时间, 有效期) is refused by name rather than skipped."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["序号", "问题", "答复口径", "责任单位", "实施日期"])
    book.active.append([1, "2027年起城乡居民医保个人缴费标准是多少？", "按当年公布的标准缴纳。", "武冈市医疗保障局",
                        datetime(2027, 1, 1)])
    book.save(tmp_path / "policy.xlsx")
    with pytest.warns(IgnoredColumnsWarning, match=r"column\(s\) 序号 ignored"):
        [entry] = read_entries(tmp_path / "policy.xlsx")
    assert entry.valid_from == date(2027, 1, 1)
    for heading in ("执行日期", "启用日期"):
        with open(tmp_path / "policy.csv", "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([["问题", "答复", "责任单位", heading],
                                          ["低保怎么申请？", "向户籍所在地乡镇申请。", "武冈市民政局", "2027/1/1"]])
        assert [e.valid_from for e in read_entries(tmp_path / "policy.csv")] == [date(2027, 1, 1)]
    for heading in ("生效时间", "有效期"):
        with open(tmp_path / "policy.csv", "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([["序号", "问题", "答复", "责任单位", heading],
                                          ["1", "低保怎么申请？", "向户籍所在地乡镇申请。", "武冈市民政局", "2027/1/1"]])
        with pytest.raises(InputError, match=rf"policy.csv: column\(s\) {heading} name a date of validity"):
            read_entries(tmp_path / "policy.csv")

def test_a_seasons_end_day_under_a_common_heading_ends_the_entry_and_a_second_sheet_is_named_not_skipped(tmp_path):
    """A trainer's round: 春节期间政务大厅几点上班？ with its last day under 到期日 (or 结束日期, 下架日期, end_date) was stored
    with no end, suggested for good; and the season's new rows on a second sheet (冬季新增) were never read, unsaid."""
    from openpyxl import Workbook

    for heading in ("到期日", "结束日期", "下架日期", "end_date"):
        with open(tmp_path / "season.csv", "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([["问题", "答复", "责任单位", heading],
                                          ["春节期间政务大厅几点上班？", "按政务服务中心公告的时间办理。", "武冈市政务服务中心",
                                           "2027/2/20"]])
        assert [e.valid_to for e in read_entries(tmp_path / "season.csv")] == [date(2027, 2, 20)], heading
    for heading in ("到期时间", "expiry date", "Valid until"):
        with open(tmp_path / "season.csv", "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([["问题", "答复", "责任单位", heading],
                                          ["春节期间政务大厅几点上班？", "按政务服务中心公告的时间办理。", "武冈市政务服务中心",
                                           "2027/2/20"]])
        with pytest.raises(InputError, match=r"name a date of validity"):
            read_entries(tmp_path / "season.csv")
    book = Workbook()
    book.active.title = "原有条目"
    book.active.append(["问题", "答复", "责任单位"])
    book.active.append(["低保怎么申请？", "向户籍所在地乡镇申请。", "武冈市民政局"])
    notes = book.create_sheet("说明")
    notes.append(["本表为武冈12345知识库，请勿改动表头"])
    added = book.create_sheet("冬季新增")
    added.append(["问题", "答复", "责任单位"])
    added.append(["冬季烤火要注意什么？", "注意通风，防止一氧化碳中毒。", "武冈市应急管理局"])
    book.save(tmp_path / "faq.xlsx")
    with pytest.warns(ReadWarning, match=r"read the sheet '原有条目' only; not read: '冬季新增' \(one sheet per import"):
        [entry] = read_entries(tmp_path / "faq.xlsx")
    assert entry.question == "低保怎么申请？"


def test_a_validity_cell_that_says_no_end_is_none_and_one_that_is_no_date_is_told_in_plain_words(tmp_path):
    """A trainer's sheet wrote 长期 (or /) under 有效期至 for a standing answer: the whole sheet was refused with
    pydantic's "Input should be a valid date or datetime, input is too short"."""
    path = tmp_path / "faq.csv"
    path.write_text("问题,答案,责任单位,生效日期,有效期至\n"
                    "社保卡怎么补办？,到社保经办窗口补办。,武冈市人力资源和社会保障局,/,长期\n"
                    "低保怎么申请？,向户籍所在地乡镇申请。,武冈市民政局,2026-01-01,永久有效\n", encoding="utf-8")
    assert [(e.valid_from, e.valid_to) for e in read_entries(path)] == [(None, None), (date(2026, 1, 1), None)]
    # …and a day as a policy sheet words it (a re-tester's round: each was refused)
    path.write_text("问题,答案,责任单位,生效日期,有效期至\n"
                    "春节值班安排？,按政务服务中心通知值班。,武冈市政务服务中心,2026年1月1日起,2027年12月31日止\n"
                    "低保怎么申请？,向户籍所在地乡镇申请。,武冈市民政局,,二〇二七年六月三十日\n", encoding="utf-8")
    assert [(e.valid_from, e.valid_to) for e in read_entries(path)] == [(date(2026, 1, 1), date(2027, 12, 31)),
                                                                        (None, date(2027, 6, 30))]
    path.write_text("问题,答案,责任单位,有效期至\n春节值班安排？,按政务服务中心通知值班。,武冈市政务服务中心,明年春节后\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2: column '有效期至': '明年春节后' is no date: write it as YYYY-MM-DD "
                                         r"\(2027-06-30\), or leave it empty \(or 长期\) for none"):
        read_entries(path)


def test_a_sheet_headed_in_chinese_is_told_its_problems_by_its_own_column_names(tmp_path):
    """A trainer's round: an empty 答案 cell was "column 'answer': Field required", and a date whose digits allow
    two days stopped the reading at its row, the rows before it unnamed."""
    path = tmp_path / "faq.csv"
    path.write_text("编号,问题,答案,责任单位,生效日期\n"
                    "t1,社保卡怎么补办？,,武冈市人力资源和社会保障局,\n"
                    "t2,路灯坏了找谁？,找城管。,武冈市城市管理和综合执法局,12/01/2026\n"
                    "t3,停水找谁？,找自来水公司。,武冈市自来水公司,2026年12月1日\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_entries(path)
    message = str(info.value)
    assert "2 problems, nothing imported" in message
    assert "row 2: column '答案': empty: a value is required" in message
    assert "row 3: column '生效日期': '12/01/2026' may be 2026-12-01 or 2026-01-12" in message


def test_every_bad_row_is_named_at_once_and_a_question_asked_twice_must_be_told_apart(tmp_path):
    path = tmp_path / "faq.csv"
    unit = "武冈市人力资源和社会保障局"
    path.write_text("question,answer,unit\n"
                    f"养老金怎么领？,到社保窗口申请。,{unit}\n"
                    f"养老金怎么领？,到社保窗口申请。,{unit}\n"  # the same row again: one entry
                    f"社保卡怎么补办？,,{unit}\n"
                    f"養老金怎麼領?,可通过线上渠道申请。,{unit}\n"  # the same question (otherwise typed), another answer
                    f"失业金怎么领？,,{unit}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_entries(path)
    message = str(info.value)
    assert "3 problems, nothing imported" in message and "an id column that tells them apart" in message
    assert "row 4: column 'answer'" in message and "row 6: column 'answer'" in message
    assert "row 5: the question of row 2 (養老金怎麼領?) with other content" in message
    assert "row 3" not in message
    path.write_text("id,question,answer,unit\n"
                    f"ylj-1,养老金怎么领？,到社保窗口申请。,{unit}\nylj-2,养老金怎么领？,可通过线上渠道申请。,{unit}\n",
                    encoding="utf-8")
    assert [e.id for e in read_entries(path)] == ["ylj-1", "ylj-2"]
    path.write_text("question,answer,unit\n" + f"养老金怎么领？,到社保窗口申请。,{unit}\n" * 3, encoding="utf-8")
    with pytest.warns(RepeatedRowsWarning, match=r"row 3, row 4 repeat an earlier row word for word \(2\), read once"):
        assert len(read_entries(path)) == 1
    # …with its id too, as an exported sheet has one: a row copied twice was refused as an id used twice
    path.write_text("id,question,answer,unit\n" + f"ylj-1,养老金怎么领？,到社保窗口申请。,{unit}\n" * 2, encoding="utf-8")
    with pytest.warns(RepeatedRowsWarning, match=r"row 3 repeats an earlier row word for word \(1\), read once"):
        assert [e.id for e in read_entries(path)] == ["ylj-1"]


@pytest.fixture()
def replies(shared_data) -> pd.DataFrame:
    return pd.read_csv(shared_data / "teddy2020c" / "replies_raw.csv", dtype=str, keep_default_na=False).head(20)


def test_case_files_missing_columns_or_empty_cells_are_refused(replies, tmp_path):
    path = tmp_path / "cases.csv"
    replies.drop(columns=["答复意见"]).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"missing column\(s\) for reply \(reply: one of reply, 答复意见, 答复内容"):
        read_cases(path)
    broken = replies.copy()
    broken.loc[5, "答复意见"] = "  \t "
    broken.to_csv(path, index=False)
    with pytest.raises(InputError, match="row 7: column '答复意见' is empty"):
        read_cases(path)
    broken = replies.copy()
    broken.loc[7, "留言编号"] = broken.loc[2, "留言编号"]
    broken.to_csv(path, index=False)
    with pytest.raises(InputError, match="row 9: column '留言编号'.*already used at row 4"):
        read_cases(path)
    # every bad row at once, as for a FAQ sheet: one fix of the export, not one rerun per row
    broken.loc[5, "答复意见"] = ""
    broken.loc[11, "留言详情"] = broken.loc[11, "留言主题"] = ""
    broken.to_csv(path, index=False)
    with pytest.raises(InputError, match=r"cases.csv: 3 problems, nothing imported:\n  row 7: column '答复意见' is "
                                         r"empty.*\n  row 9: column '留言编号'.*\n  row 13: column '留言主题' is empty"):
        read_cases(path)


def test_a_case_file_column_named_like_a_field_it_is_not_read_as_is_refused(replies, tmp_path):
    """An export whose title column reads 留言主体 was imported with every case's title left out, and said nothing."""
    path = tmp_path / "cases.csv"
    replies.rename(columns={"留言主题": "留言主体"}).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"cases.csv: column '留言主体' is not read: did you mean '留言主题' \(title\)"):
        read_cases(path)


def test_ids_excel_cut_to_scientific_notation_are_named_as_such(replies, tmp_path):
    """A 12-digit 工单编号 Excel showed as 2.02403E+11 and saved so: refused as "already used at row 2", which sent
    the trainer looking for a duplicate ticket."""
    path = tmp_path / "cases.csv"
    shortened = replies.head(3).copy()
    shortened["留言编号"] = "2.02403E+11"
    shortened.to_csv(path, index=False)
    with pytest.raises(InputError, match=r"row 2: column '留言编号': '2.02403E\+11' is a number Excel cut short "
                                         r"\(scientific notation\).*set the column's format to text"):
        read_cases(path)


def test_a_reply_that_only_acknowledges_or_forwards_the_ticket_says_nothing_and_one_that_answers_does(shared_data):
    """An agent was suggested 网友:您好!留言已收悉 (it answers 26 of the board's messages) and 已转L6县调查核处 as answers
    to read to a caller. Checked on the real replies: the ones that answer, however short, are kept."""
    from knowledge_base.cases import read_cases, says_nothing

    replies = [case.answer for case in read_cases(shared_data / "teddy2020c" / "replies_raw.csv")]
    nothing = [reply for reply in replies if says_nothing(reply)]
    assert sum(reply == "网友:您好!留言已收悉" for reply in nothing) == 26
    for said in ("您的留言已收悉。关于您反映的问题,已转市人社局调查处理。", "网友:您反映的问题已转L6县调查核处。2018年8月22日",
                 "您的留言已收悉!我们已将您反映的问题转相关部门进行处理,敬请关注后续回复,谢谢!", "此事正在调查处理中。2019年5月31日"):
        assert said in nothing, said
    # a re-tester's round: a promise of what comes next says nothing either
    for said in ("您好，您的留言已收悉，我们将尽快核实处理。", "已转相关部门处理，处理结果将另行告知。",
                 "已转办至市住建局，该局将按程序处理后答复您。", "已收到您的留言，我们会尽快安排人员调查处理。"):
        assert says_nothing(said), said
    answering = ("经查全省人口信息系统,安沙镇万家铺村登记为农村地区。", "可以异地办理身份证", "办理驾驶证转入手续", "短期内该项工作还无法开展",
                 "新农合职能已整体划转至人社部门", "邻里之间有矛盾若无法自行解决", "我局正在编制《A市轨道交通线网规划修编规划》")
    for words in answering:
        [reply] = [reply for reply in replies if words in reply][:1]
        assert not says_nothing(reply), reply
    assert 0.05 < len(nothing) / len(replies) < 0.10  # measured: 161 of 1,995


def test_a_case_reply_never_greets_its_asker_by_name(shared_data, tmp_path):
    """Official replies open with 网友“<the asker's account>”您好: shown as a suggestion for another caller's ticket it
    would name the first asker (and greet the wrong person if the agent kept it)."""
    path = shared_data / "teddy2020c" / "replies_raw.csv"
    authors = pd.read_csv(path, dtype=str, keep_default_na=False)["留言用户"]
    cases = read_cases(path)
    assert sum("[姓名]" in c.answer for c in cases) > 1000
    assert not [c.id for c, author in zip(cases, authors) if author in c.answer or author in c.question]
    # a 12345 work-order export names the caller in its own column
    (tmp_path / "orders.csv").write_text(
        "工单编号,来电人,诉求内容,办理结果\n"
        "WG-1,张建国,水西门菜市场门口垃圾堆积无人清运。,张建国先生：您好！您反映的垃圾已于当日清运。\n"
        "WG-2,匿名,路灯不亮。,市民您好！路灯已修复。\n", encoding="utf-8")
    orders = read_cases(tmp_path / "orders.csv")
    assert [c.answer for c in orders] == ["[姓名]先生:您好!您反映的垃圾已于当日清运。", "市民您好!路灯已修复。"]


def test_case_file_exported_by_a_12345_system_is_read(replies, tmp_path):
    """A work-order export: 工单编号, 诉求内容, 办理结果, 承办单位, no title column; the message is the question."""
    export = replies.rename(columns={"留言编号": "工单编号", "留言详情": "诉求内容", "答复意见": "办理结果"})
    export = export.drop(columns=["留言主题"]).assign(承办单位="武冈市住房和城乡建设局")
    export.to_excel(tmp_path / "orders.xlsx", index=False)
    cases = read_cases(tmp_path / "orders.xlsx")
    original = read_cases_frame(replies, tmp_path)
    assert [c.id for c in cases] == [c.id for c in original]
    assert [c.answer for c in cases] == [c.answer for c in original]
    assert [c.question for c in cases] == [c.alternatives[0] for c in original]  # the body, masked
    assert all(c.unit == "武冈市住房和城乡建设局" and c.alternatives == [] for c in cases)


def read_cases_frame(frame: pd.DataFrame, tmp_path: Path):
    frame.to_csv(tmp_path / "as_published.csv", index=False)
    return read_cases(tmp_path / "as_published.csv")


def test_case_file_in_gb18030_or_a_workbook_is_read(replies, tmp_path):
    path = tmp_path / "cases_gbk.csv"
    replies.to_csv(path, index=False, encoding="gb18030")
    cases = read_cases(path)
    assert len(cases) == 20 and cases[0].question == "A2区景蓉华苑物业管理有问题"
    # Excel's "Unicode text" (.txt, tab-separated, UTF-16) and a .tsv, read as ticket files are
    replies.to_csv(tmp_path / "cases.txt", index=False, sep="\t", encoding="utf-16")
    replies.to_csv(tmp_path / "cases.tsv", index=False, sep="\t")
    assert read_cases(tmp_path / "cases.txt") == read_cases(tmp_path / "cases.tsv") == cases
    workbook = replies.assign(留言编号=replies["留言编号"].astype(int))  # ids typed as numbers, as Excel keeps them
    workbook.to_excel(tmp_path / "cases.xlsx", index=False)
    assert read_cases(tmp_path / "cases.xlsx") == cases
    # a web page named .xls, as many systems' "export to Excel" write; white space in a cell is one space, as a
    # browser or Excel shows it
    write_html_xls(replies.map(lambda text: html.escape(text).replace("\n", "<br>")), tmp_path / "cases.xls")

    def shown(case):
        return [" ".join(str(v).split()) for v in (case.id, case.question, *case.alternatives, case.answer, case.unit)]
    assert [shown(c) for c in read_cases(tmp_path / "cases.xls")] == [shown(c) for c in cases]


def test_a_question_or_answer_longer_than_any_real_text_is_refused_by_row_and_column(tmp_path):
    """A 2,000,000-character answer was imported and then sent to the agent with every suggestion of it."""
    rows = [{"question": "路灯坏了找谁？", "answer": "请联系所在社区。", "unit": "武冈市城市管理和综合执法局",
             "alternatives": ["路灯不亮"]}] * 3
    rows[1] = {**rows[1], "question": "停水了找谁？", "answer": "请联系自来水公司。" * 3000}
    rows[2] = {**rows[2], "question": "停电了找谁？", "tags": ["停电" * 51]}
    (tmp_path / "faq.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_entries(tmp_path / "faq.jsonl")
    assert "line 2: column 'answer': 过长，最多 20000 个字符 / String should have at most 20000 characters" in str(err.value)
    assert "line 3: column 'tags': 每一项最多 100 个字符 / an item may hold at most 100 characters" in str(err.value)
    body = "请联系所在社区。" * 20000  # more than the csv module reads into one cell
    (tmp_path / "faq.csv").write_text(f"question,answer,unit\n路灯坏了找谁,{body},城管局\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"faq.csv: not a valid CSV file \(a cell runs over 131,072 characters, "
                                         r"reading line 2\).*a question or an answer holds at most 20,000"):
        read_entries(tmp_path / "faq.csv")


def test_a_quote_left_open_in_a_csv_file_is_named_not_a_traceback(tmp_path):
    body = "请联系所在社区。" * 20000  # more than the csv module reads into one cell
    (tmp_path / "faq.csv").write_text(f'question,answer\n路灯坏了找谁,"请联系供电所\n社保卡丢了,{body}\n',
                                      encoding="utf-8")
    with pytest.raises(InputError, match=r"faq.csv: not a valid CSV file .*is a quote \(\"\) left open above it"):
        read_entries(tmp_path / "faq.csv")
    (tmp_path / "cases.csv").write_text(f'留言编号,留言详情,答复意见\n1,"路灯不亮,已修复\n2,{body},已处理\n',
                                        encoding="utf-8")
    with pytest.raises(InputError, match=r"cases.csv: not a valid CSV file: .*EOF inside string"):
        read_cases(tmp_path / "cases.csv")


def test_a_faq_or_case_row_split_by_a_line_break_outside_quotes_is_named(tmp_path):
    (tmp_path / "faq.csv").write_text("question,answer,unit\n社保卡丢了怎么办,先挂失\n再补办,武冈市人力资源和社会保障局\n",
                                      encoding="utf-8")
    with pytest.raises(InputError, match=r"faq.csv: row 2: 2 cells where the column names have 3: cells are missing, or a line break"):
        read_entries(tmp_path / "faq.csv")
    # an empty cell after the column names asks nothing of the rows, as in a ticket file
    (tmp_path / "faq.csv").write_text("question,answer,unit,\n社保卡丢了怎么办,先挂失再补办,武冈市人力资源和社会保障局\n",
                                      encoding="utf-8")
    with pytest.warns(IgnoredColumnsWarning, match="ignored"):  # the nameless column, said as for any other
        assert [e.question for e in read_entries(tmp_path / "faq.csv")] == ["社保卡丢了怎么办"]
    (tmp_path / "cases.csv").write_text("留言编号,留言详情,答复意见\n1,路灯不亮\n三个月了,已修复\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"cases.csv: row 2 \(2 cells\), row 3 \(2 cells\) where the column names"):
        read_cases(tmp_path / "cases.csv")

def test_faq_and_case_exports_with_a_title_above_the_column_names_name_their_rows_as_the_sheet_does(tmp_path):
    expected = read_entries(FAQ)[:3]
    faq = pd.DataFrame([{"问题": e.question, "答复": e.answer, "责任单位": e.unit} for e in expected])
    with pd.ExcelWriter(tmp_path / "faq.xlsx") as writer:
        pd.DataFrame([["武冈市12345热线知识库（2026年版）"]]).to_excel(writer, index=False, header=False)
        faq.to_excel(writer, index=False, startrow=2)  # a blank row 2, column names in row 3
    assert [(e.question, e.answer) for e in read_entries(tmp_path / "faq.xlsx")] == [
        (e.question, e.answer) for e in expected]
    unanswered = faq.assign(答复=["", *faq["答复"][1:]])
    (tmp_path / "faq.csv").write_text("武冈市12345热线知识库（2026年版）,,\n" + unanswered.to_csv(index=False),
                                      encoding="utf-8")
    with pytest.raises(InputError, match=r"faq.csv: row 3: column '答复'"):
        read_entries(tmp_path / "faq.csv")

    cases = pd.DataFrame({"工单编号": ["WG-1", "WG-2", "WG-3"],
                          "诉求内容": ["湾头桥镇白石村路灯不亮", "公交车不准时", "邓元泰镇垃圾没人清运"],
                          "办理结果": ["已安排维修。", "", "已清运。"]})
    with pd.ExcelWriter(tmp_path / "cases.xlsx") as writer:
        pd.DataFrame([["武冈市12345热线工单办理情况（2026年11月）"]]).to_excel(writer, index=False, header=False)
        cases.to_excel(writer, index=False, startrow=1)
    case_file = read_case_file(tmp_path / "cases.xlsx", skip_unanswered=True)
    assert [c.id for c in case_file.entries] == ["case-WG-1", "case-WG-3"] and case_file.unanswered == ["row 4"]
    # the same two files as Excel 97 workbooks (.xls), as WPS and many 12345 systems export them
    write_xls(faq, tmp_path / "faq.xls", title="武冈市12345热线知识库（2026年版）")
    assert read_entries(tmp_path / "faq.xls") == read_entries(tmp_path / "faq.xlsx")
    write_html_xls(faq.map(html.escape), tmp_path / "faq_page.xls", title="武冈市12345热线知识库（2026年版）")
    assert read_entries(tmp_path / "faq_page.xls") == read_entries(tmp_path / "faq.xlsx")  # a web page named .xls
    write_xls(cases, tmp_path / "cases.xls", title="武冈市12345热线工单办理情况（2026年11月）")
    assert read_case_file(tmp_path / "cases.xls", skip_unanswered=True) == case_file


def test_a_case_file_retires_the_replies_its_validity_column_names_and_leaves_a_stored_retirement(replies, tmp_path):
    """A trainer marks the replies a policy change made wrong in a 失效日期 column, as on a FAQ sheet: it was
    read past, and the stale reply kept being suggested. A month's export without the column keeps what
    `kb update --valid-to` set; 截止日期, a work order's handling deadline, retires nothing."""
    kb = KnowledgeBase(f"sqlite:///{tmp_path / 'kb.db'}")
    plain = replies.head(3).assign(截止日期="2020/1/15")
    plain.to_csv(tmp_path / "cases.csv", index=False)
    kb.import_entries(read_cases(tmp_path / "cases.csv"), "trainer")
    first, second, third = (f"case-{number}" for number in plain["留言编号"])
    assert {e.status_on(date(2026, 12, 1)) for e in kb.store.all()} == {"active"}
    kb.store.update(third, EntryUpdate(valid_to=date(2026, 6, 30)), "trainer")  # retired by hand
    plain.assign(失效日期=["2026年11月30日", "", "无"]).to_excel(tmp_path / "cases.xlsx", index=False)
    kb.import_entries(read_cases(tmp_path / "cases.xlsx"), "trainer")
    assert {e.id: e.valid_to for e in kb.store.all()} == {first: date(2026, 11, 30), second: None, third: None}
    kb.store.update(third, EntryUpdate(valid_to=date(2026, 6, 30)), "trainer")
    kb.import_entries(read_cases(tmp_path / "cases.csv"), "trainer")
    assert kb.store.get(third).valid_to == date(2026, 6, 30)
    assert kb.store.get(first).valid_to == date(2026, 11, 30)
    kb.close()
    bad = plain.assign(生效日期=["2026-01-01", "2026-13-01", "12-31"], 失效日期=["2025-12-31", "", ""])
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(InputError) as refused:
        read_cases(tmp_path / "bad.csv")
    assert [line.strip().split(": ")[:2] for line in str(refused.value).splitlines()[1:]] == [
        ["row 2", "失效日期早于生效日期 / valid_to is before valid_from"], ["row 3", "column '生效日期'"],
        ["row 4", "column '生效日期'"]]


def test_a_bad_row_leaves_the_database_untouched(tmp_path):
    kb = KnowledgeBase(f"sqlite:///{tmp_path / 'kb.db'}")
    kb.import_entries(read_entries(FAQ)[:5], "tester")
    lines = FAQ.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "faq.jsonl"
    path.write_text("\n".join(lines[5:30] + ['{"question": "问", "answer": "答"}']) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 26"):
        kb.import_entries(read_entries(path), "tester")
    assert len(kb.store.all()) == 5
    # a file that reads well, refused by the store at its last entry: the 25 before it were written in the
    # transaction, and are rolled back with it
    batch = read_entries(FAQ)[5:30]
    batch.append(batch[0].model_copy(update={"answer": batch[0].answer + "（更新）"}))
    with pytest.raises(InputError, match="entries 1 and 26 of the import are both entry"):
        kb.import_entries(batch, "tester")
    assert len(kb.store.all()) == 5 and not {entry.id for entry in batch} & {entry.id for entry in kb.store.all()}
    kb.close()


def test_the_real_taipei_faq_is_read_once_its_two_rows_without_an_answer_are_named(shared_data, tmp_path):
    source = shared_data / "taipei-faq" / "taipei_faq.csv"
    with pytest.raises(InputError) as refused, pytest.warns(IgnoredColumnsWarning):
        read_entries(source)
    assert [line.strip() for line in str(refused.value).splitlines()[1:]] == [
        "row 276: column 'answer': empty: a value is required", "row 529: column 'answer': empty: a value is required"]
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    answered = frame[frame["answer"].str.strip() != ""]
    answered.to_csv(tmp_path / "answered.csv", index=False)
    with pytest.warns(IgnoredColumnsWarning, match="post_date, contact_phone"):
        entries = read_entries(tmp_path / "answered.csv")
    # data_id tells apart the questions the city's departments ask alike
    assert [e.id for e in entries] == list(answered["data_id"])
    assert entries[0].tags == ["交通違規", "簡訊服務"]
    # Taipei's departments are not Wugang's: the commonest are named, the rest counted
    warned = unknown_unit_warnings(entries, load_catalogue())
    assert len(warned) == 11 and warned[0].startswith("单位 '臺北市政府觀光傳播局'（199 条）不在单位目录中")
    assert warned[-1].startswith("…另有 114 个单位不在目录中") and " / … and 114 more units not in the catalogue" in warned[-1]


def test_a_line_separator_inside_an_answer_survives_its_own_export(tmp_path):
    """An answer pasted from a web page may hold U+2028 or U+0085, which `str.splitlines` breaks at: the knowledge
    base's own export then failed to import again ("Unterminated string", "4 cells where the column names have 12")."""
    answer = "城区路灯请联系城管局。\u2028农村路灯请联系所在乡镇。\u0085如有疑问请再来电。"
    entry = {"id": "ls-1", "question": "路灯不亮了找哪个部门", "answer": answer, "unit": "武冈市城市管理和综合执法局"}
    (tmp_path / "kb.jsonl").write_text(json.dumps(entry, ensure_ascii=False) + "\r\n", encoding="utf-8")
    pd.DataFrame([entry]).to_csv(tmp_path / "kb.csv", index=False)
    assert [e.answer for e in read_entries(tmp_path / "kb.jsonl")] == [answer]
    assert [e.answer for e in read_entries(tmp_path / "kb.csv")] == [answer]


def test_spaces_pasted_from_word_are_evened_on_the_way_in_and_survive_an_export_and_import(tmp_path):
    """An answer pasted from Word kept its no-break, zero-width and ideographic spaces and its tabs: agents saw them,
    and a trainer's `kb list -c 部分，由大病保险` found nothing. A line break an answer's steps are written on stays,
    and so does a space typed between two words."""
    from openpyxl import Workbook

    from appeal.cli.data_commands import write_rows

    book = Workbook()
    book.active.append(["问题", "相似问法", "答复", "责任单位"])
    book.active.append(["住院\u00a0费用医保怎么\u200b报销？", "住院\t报销比例", "\u3000\u3000先由基本医保按比例报销，超过起付线的"
                        "部分，\u3000\u3000由大病保险再报销。\n\u3000\u3000出院时在医院\t“一站式”窗口结算，拨打\u00a012345 咨询。",
                        "武冈市医疗保障局"])
    book.save(tmp_path / "faq.xlsx")
    [entry] = read_entries(tmp_path / "faq.xlsx")
    assert (entry.question, entry.alternatives) == ("住院费用医保怎么报销？", ["住院报销比例"])
    assert entry.answer == ("先由基本医保按比例报销，超过起付线的部分，由大病保险再报销。\n出院时在医院“一站式”窗口结算，"
                            "拨打 12345 咨询。")
    kb = KnowledgeBase(f"sqlite:///{tmp_path / 'kb.db'}")
    kb.import_entries([entry], "trainer")
    assert [e.id for e in kb.entries(EntryFilter(contains="部分，由大病保险"))] == [entry.id]
    for export in ("kb.xlsx", "kb.csv"):
        write_rows(entry_rows(kb.store.all()), tmp_path / export)
        assert read_entries(tmp_path / export) == [entry]
        assert kb.import_entries(read_entries(tmp_path / export), "trainer").unchanged == 1
    # an answer an earlier release stored as pasted is read evened: found, and shown, as a new one is
    with sqlite3.connect(tmp_path / "kb.db") as db:
        db.execute("UPDATE kb_entry SET answer = ?", ("超过起付线的部分，\u00a0由大病保险再报销。",))
    assert kb.store.get(entry.id).answer == "超过起付线的部分，由大病保险再报销。"
    kb.close()


def test_a_faq_phrasing_or_tag_that_a_sheet_would_split_is_refused_and_a_comma_in_a_phrasing_survives(tmp_path):
    """An operator's round: an entry saved over HTTP with a phrasing holding a line break and a tag holding a comma
    came back from its own .xlsx export as three phrasings and three tags, a new version at every import."""
    faq = {"question": "社保卡丢了怎么办？", "answer": "到社保服务窗口挂失补办。", "unit": "武冈市人力资源和社会保障局"}
    for field, items, mark in (("alternatives", ["社保卡掉了", "第二种\n换行问法"], "\n"), ("tags", ["社保", "补卡,挂失"], ","),
                               ("alternatives", ["健身器材\r坏了"], "\r")):  # its csv export no longer read back
        with pytest.raises(ValueError, match=f"{field}: .* holds {re.escape(repr(mark))}, where a spreadsheet's cell"):
            EntryIn(**faq, **{field: items})
    # a past case's phrasing is the citizen's message, lines and all
    assert EntryIn(**faq, source="case", alternatives=["第一行\n第二行"]).alternatives == ["第一行\n第二行"]
    kept = EntryIn(**faq, id="sbk-9", alternatives=["社保卡丢了，怎么补办"], tags=["社保卡", "补办"])
    stored = Entry(**kept.model_dump(), updated_at=datetime(2026, 12, 2), updated_by="test")
    pd.DataFrame(entry_rows([stored])).to_csv(tmp_path / "kb.csv", index=False)
    again = read_entries(tmp_path / "kb.csv")[0]
    assert (again.alternatives, again.tags) == (kept.alternatives, kept.tags)


def test_an_exported_rows_updated_at_is_read_as_finely_as_its_cell_still_tells_it(tmp_path):
    """Our export writes the centre's time with its offset; a spreadsheet program that took it for a time saves it
    again as 2026/12/1 11:17 or a date cell. Each names a window the exported version's own stamp lies in."""
    from datetime import timedelta

    from knowledge_base.files import export_stamp, read_entry_rows

    assert (export_stamp("2026-12-01T11:17:43.123456+08:00").at, export_stamp("2026-12-01T11:17:43.123456+08:00")
            .resolution) == (datetime(2026, 12, 1, 3, 17, 43, 123456), timedelta(microseconds=1))
    assert export_stamp("2026-12-01T03:17:43+00:00").resolution == timedelta(seconds=1)
    # without an offset: Wugang's clock, as the sheet showed it
    assert export_stamp("2026/12/1 11:17") == export_stamp("2026-12-01T11:17+08:00")
    assert export_stamp("2026/12/1 11:17").resolution == timedelta(minutes=1)
    assert export_stamp("2026年12月1日 11:17:43").at == datetime(2026, 12, 1, 3, 17, 43)
    assert (export_stamp("2026-12-01").at, export_stamp("2026-12-01").resolution) == (
        datetime(2026, 11, 30, 16, 0), timedelta(days=1))
    assert export_stamp("2026-12-01T11:17:43.5+08:00").resolution == timedelta(milliseconds=100)
    # a time cell shown without seconds is saved as 11:17:00: that may be 11:17:43
    assert export_stamp("2026-12-01T11:17:00").resolution == timedelta(minutes=1)

    sheet = pd.DataFrame({"id": ["a", "b", "c"], "question": ["社保卡怎么补办？", "公积金怎么提取？", "路灯坏了找谁？"],
                          "answer": ["请到人社局窗口办理。", "请到公积金管理部办理。", "请向城市管理局反映。"],
                          "unit": "武冈市人力资源和社会保障局",
                          # a time cell, as Excel keeps one it recognised; an empty cell; our export's text
                          "updated_at": [datetime(2026, 12, 1, 11, 17, 43), None, "2026-12-01T11:17:43+08:00"]})
    sheet.to_excel(tmp_path / "faq.xlsx", index=False)
    rows = read_entry_rows(tmp_path / "faq.xlsx")
    assert [row.where for row in rows] == [f"{tmp_path / 'faq.xlsx'}: row {n}" for n in (2, 3, 4)]
    assert rows[0].exported == rows[2].exported == export_stamp("2026-12-01 11:17:43") and rows[1].exported is None
    assert rows[0].exported.at == datetime(2026, 12, 1, 3, 17, 43)

    # headed as an office heads it
    sheet.rename(columns={"updated_at": "更新时间"}).assign(更新人="张三").to_excel(tmp_path / "office.xlsx", index=False)
    assert [row.exported for row in read_entry_rows(tmp_path / "office.xlsx")] == [row.exported for row in rows]

    sheet["updated_at"] = ["2026-12-01T11:17:43+08:00", "昨天下午", "2026-13-01 11:17"]
    sheet.to_csv(tmp_path / "faq.csv", index=False)
    with pytest.raises(InputError) as refused:
        read_entry_rows(tmp_path / "faq.csv")
    message = str(refused.value)
    assert "row 3: column 'updated_at': '昨天下午' is no time as the export writes it" in message
    assert "clear the cell to import the row without checking it against later edits" in message
    assert "row 4: column 'updated_at': '2026-13-01 11:17': month must be in 1..12" in message
