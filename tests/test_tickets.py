from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, time

import pandas as pd
import pytest

from pipeline import InputError, canonical
from ticket_samples import APPEALS, appeals_frame, write_html_xls, write_xls
from training.tickets import load_tickets, parse_date, stratified_split

TOPICS = sorted({a[3] for a in APPEALS})


# ---- the real files load with no options -------------------------------------------------------------------


def test_train_segmented_is_recognised_deduplicated_and_resolved(shared_data):
    ds, report = load_tickets(shared_data / "teddy2020c" / "train_segmented.csv")
    assert report.presegmented and report.rows_read == 7733
    # 90 exact copies go; the one text with 3× 交通运输 and 1× 商贸旅游 keeps its majority label.
    assert report.duplicates_removed == 90
    [conflict] = report.conflicts
    assert conflict.labels == {"交通运输": 3, "商贸旅游": 1} and conflict.kept == "交通运输"
    assert len(ds) == 7642 and len(set(ds["text"])) == len(ds)
    # read as published, except the words that held personal data (644 rows; see test_pipeline_canonical)
    assert sum(c != t for c, t in zip(ds["canonical"], ds["text"])) < 660
    assert all(t.endswith(" ") for t in ds["canonical"][:50])
    assert set(report.label_counts["topic"]) == {"城乡建设", "劳动和社会保障", "教育文体", "商贸旅游", "环境保护",
                                                 "卫生计生", "交通运输"}


def test_dev_raw_maps_columns_parses_dates_and_drops_the_tied_pair(shared_data):
    ds, report = load_tickets(shared_data / "teddy2020c" / "dev_raw.csv", dates=True)
    assert not report.presegmented
    assert report.columns["留言详情"] == "text" and report.columns["一级标签"] == "topic"
    [tie] = report.conflicts
    assert tie.kept is None and tie.rows == ["row 92", "row 282"]
    assert len(ds) == 446 and "37042" not in ds["id"]
    # the summary says the pair was dropped, not that its conflict was "resolved"
    assert "1 label conflicts: 0 kept the majority label, 1 ties dropped" in report.summary()
    first = ds[0]
    assert first["id"] == "24" and first["created_at"] == "2020-01-06T12:09:38"
    assert first["author"] == "A00074011"
    assert first["canonical"] == canonical(first["title"], first["text"])


def test_replies_keep_the_official_reply(shared_data):
    ds, report = load_tickets(shared_data / "teddy2020c" / "replies_raw.csv")
    assert report.columns["答复意见"] == "reply"
    assert all(r for r in ds["reply"][:20]) and report.label_counts["topic"] == {}
    hot, _ = load_tickets(shared_data / "teddy2020c" / "hot_messages_raw.csv")
    assert hot[0]["点赞数"] is not None and hot[0]["author"]  # columns that are no ticket field are kept as they are


# ---- formats and encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_encodings(tmp_path, encoding):
    path = tmp_path / "tickets.csv"
    appeals_frame().to_csv(path, index=False, encoding=encoding)
    ds, report = load_tickets(path)
    assert ds["text"] == [a[2] for a in APPEALS] and ds["unit"] == [a[4] for a in APPEALS]
    assert report.encoding == ("gb18030" if encoding.startswith("gb") else "utf-8")
    assert "水箱" in ds["canonical"][0].split()


def test_gbk_file_with_an_ascii_header_is_read_even_when_its_first_characters_look_like_utf8(tmp_path):
    # 路 and 投 in GBK (C2 B7, CD B6) are also valid two-byte UTF-8; decoding used to stop at the next character
    # and refuse the file as "UTF-8 up to there".
    path = tmp_path / "tickets.csv"
    path.write_bytes("title,text,topic\n路灯不亮,投诉：迎春亭街道路灯坏了一个月,城乡建设\n".encode("gbk"))
    ds, report = load_tickets(path)
    assert report.encoding == "gb18030" and ds["title"] == ["路灯不亮"] and ds["topic"] == ["城乡建设"]


def test_gbk_rows_of_real_messages_are_read(shared_data, tmp_path):
    """Each real message of dev_raw.csv as the first row of a GBK file with English headers: 34 of the 448 begin
    with a GBK pair that is valid UTF-8."""
    frame = pd.read_csv(shared_data / "teddy2020c" / "dev_raw.csv", dtype=str, keep_default_na=False)
    frame = frame.rename(columns={"留言主题": "title", "留言详情": "text", "一级标签": "topic"})
    path = tmp_path / "one.csv"
    for i in range(len(frame)):
        row = frame.iloc[[i]][["title", "text", "topic"]]
        path.write_bytes(row.to_csv(index=False).encode("gbk", errors="ignore"))
        ds, report = load_tickets(path)
        assert report.encoding == "gb18030" and ds["topic"] == [row["topic"].iloc[0]], i


def test_an_export_with_a_title_above_the_column_names_loads_and_names_its_rows_as_the_sheet_does(tmp_path):
    """Office exports put a title (often in merged cells), an export date or a blank row above the column names."""
    frame = appeals_frame()
    frame.loc[2, "留言详情"] = frame.loc[2, "留言主题"] = ""
    workbook = tmp_path / "export.xlsx"
    with pd.ExcelWriter(workbook) as writer:
        pd.DataFrame([["武冈市12345热线工单导出（2026年11月）"], ["导出时间：2026-11-30"]]).to_excel(
            writer, index=False, header=False)
        frame.to_excel(writer, index=False, startrow=3)  # row 3 blank, column names in row 4
    text = tmp_path / "export.csv"
    text.write_text("武冈市12345热线工单导出（2026年11月）,,,,\n" + frame.to_csv(index=False), encoding="utf-8")
    for path, first_data_row in ((workbook, 5), (text, 3)):
        with pytest.raises(InputError, match=rf"{path.name}: row {first_data_row + 2}: column '留言详情' is empty"):
            load_tickets(path)
    good = appeals_frame()
    with pd.ExcelWriter(workbook) as writer:
        pd.DataFrame([["武冈市12345热线工单导出（2026年11月）"]]).to_excel(writer, index=False, header=False)
        good.to_excel(writer, index=False, startrow=1)
    text.write_text("武冈市12345热线工单导出（2026年11月）\n" + good.to_csv(index=False), encoding="utf-8")
    for path in (workbook, text):
        ds, _ = load_tickets(path)
        assert ds["id"] == [a[0] for a in APPEALS] and ds["text"] == [a[2] for a in APPEALS], path
    # without ids, the row numbers are the ids: those of the sheet
    text.write_text("武冈市12345热线工单导出（2026年11月）\n" + good.drop(columns="留言编号").to_csv(index=False),
                    encoding="utf-8")
    assert load_tickets(text, deduplicate=False)[0]["id"][:2] == ["3", "4"]
    # a longer preamble (title, export date, exporter, filter, blank rows): 7 rows were refused as "no text column"
    preamble = "武冈市12345热线工单导出\n导出时间：2026-11-30\n导出人：张三\n筛选条件：全部\n办理状态：全部\n\n说明：内部资料\n"
    text.write_text(preamble + good.to_csv(index=False), encoding="utf-8")
    assert load_tickets(text)[0]["id"] == [a[0] for a in APPEALS]


def test_a_one_column_file_keeps_its_first_row_as_the_column_name(tmp_path):
    path = tmp_path / "texts.csv"
    path.write_text("text\n湾头桥镇路灯不亮\n公交车不准时\n", encoding="utf-8")
    assert load_tickets(path)[0]["text"] == ["湾头桥镇路灯不亮", "公交车不准时"]


def test_a_workbook_made_from_a_template_is_read_from_its_first_sheet_with_anything_in_it(tmp_path):
    path = tmp_path / "export.xlsx"
    frame = appeals_frame()
    frame.loc[1, "留言详情"] = frame.loc[1, "留言主题"] = ""
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame().to_excel(writer, sheet_name="Sheet1", index=False)
        frame.to_excel(writer, sheet_name="工单明细", index=False)
    with pytest.raises(InputError, match=r"export.xlsx: sheet '工单明细' row 3: column '留言详情' is empty"):
        load_tickets(path)
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame().to_excel(writer, sheet_name="Sheet1", index=False)
        appeals_frame().to_excel(writer, sheet_name="工单明细", index=False)
    assert load_tickets(path)[0]["id"] == [a[0] for a in APPEALS]


def test_a_workbook_whose_first_sheet_holds_notes_is_read_from_the_sheet_with_the_tickets(tmp_path):
    path = tmp_path / "export.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"说明": ["本表为2026年11月工单导出", "字段说明见第二页"]}).to_excel(writer, sheet_name="说明", index=False)
        appeals_frame().to_excel(writer, sheet_name="工单明细", index=False)
    assert load_tickets(path)[0]["id"] == [a[0] for a in APPEALS]


def test_an_export_with_a_two_level_header_is_read_from_its_column_names(tmp_path):
    """Group cells merged over the column names (工单信息 over 留言编号 and 留言主题), under a title: the names were
    taken for the group row and no column was found."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["武冈市12345热线工单导出（2026年11月）"])
    sheet.append(["工单信息", None, "诉求信息", None, None])
    sheet.merge_cells("A2:B2")
    sheet.merge_cells("C2:E2")
    sheet.append(list(appeals_frame().columns))
    for row in APPEALS:
        sheet.append(list(row))
    book.save(tmp_path / "export.xlsx")
    tickets, _ = load_tickets(tmp_path / "export.xlsx")
    assert tickets["id"] == [a[0] for a in APPEALS] and tickets["unit"] == [a[4] for a in APPEALS]
    csv = tmp_path / "export.csv"
    csv.write_text("工单信息,,诉求信息,,\n" + appeals_frame().to_csv(index=False), encoding="utf-8")
    assert load_tickets(csv)[0]["text"] == [a[2] for a in APPEALS]


def test_a_header_of_two_rows_with_names_merged_down_is_read_as_one(tmp_path):
    """Excel's 复合表头: 留言编号 … merged down over two rows, 责任单位 under a group cell (办理信息). The second row was
    read as a ticket, refused as "row 4: column '留言详情' is empty", where the trainer sees a filled merged cell."""
    from openpyxl import Workbook

    columns = list(appeals_frame().columns)
    book = Workbook()
    sheet = book.active
    sheet.append(["武冈市12345热线工单导出（2026年11月）"])
    sheet.append([*columns[:4], "办理信息"])
    sheet.append([None] * 4 + [columns[4]])
    for column in "ABCD":
        sheet.merge_cells(f"{column}2:{column}3")
    for row in APPEALS[:3]:
        sheet.append(list(row))
    sheet.append([APPEALS[3][0], "", "", APPEALS[3][3], APPEALS[3][4]])
    book.save(tmp_path / "复合表头.xlsx")
    with pytest.raises(InputError, match=r"row 7: column '留言详情' is empty"):  # the sheet's own row numbers
        load_tickets(tmp_path / "复合表头.xlsx")
    sheet.delete_rows(7)
    book.save(tmp_path / "复合表头.xlsx")
    tickets, _ = load_tickets(tmp_path / "复合表头.xlsx")
    assert tickets["id"] == [a[0] for a in APPEALS[:3]] and tickets["unit"] == [a[4] for a in APPEALS[:3]]
    csv = tmp_path / "复合表头.csv"
    csv.write_text(",".join([*columns[:4], "办理信息"]) + "\n,,,," + columns[4] + "\n"
                   + appeals_frame().to_csv(index=False, header=False), encoding="gb18030")
    tickets, _ = load_tickets(csv)
    assert tickets["text"] == [a[2] for a in APPEALS] and tickets["unit"] == [a[4] for a in APPEALS]
    # a sub-column of the group no loader reads (办理时限) is a column name all the same
    csv.write_text(",".join([*columns[:4], "办理信息", ""]) + "\n,,,," + columns[4] + ",办理时限\n"
                   + appeals_frame().assign(时限="3天").to_csv(index=False, header=False), encoding="gb18030")
    tickets, report = load_tickets(csv)
    assert tickets["unit"] == [a[4] for a in APPEALS] and "办理时限" in report.columns


def test_ids_excel_cut_to_scientific_notation_are_refused(tmp_path):
    """`appeal predict` wrote 40 rows all under the id 2.02403E+11: nothing could be joined back to the tickets."""
    path = tmp_path / "科学计数 工单.csv"
    frame = appeals_frame()
    frame["留言编号"] = ["2.02403E+11"] * len(frame)
    frame.to_csv(path, index=False, encoding="gb18030")
    with pytest.raises(InputError, match=r"row 2: column '留言编号': '2.02403E\+11' is a number Excel cut short"):
        load_tickets(path, deduplicate=False)
    frame["留言编号"] = ["202403110001E"] + [a[0] for a in APPEALS[1:]]  # an id of the centre's own making stays one
    frame.to_csv(path, index=False)
    assert load_tickets(path)[0]["id"][0] == "202403110001E"


def test_a_topic_column_under_another_common_name_is_read(tmp_path):
    """问题分类 is how many exports name the topic: the column went unread and a model without a topic head was
    trained without a word."""
    path = tmp_path / "问题分类.csv"
    appeals_frame().rename(columns={"一级标签": "问题分类"}).to_csv(path, index=False)
    assert load_tickets(path)[0]["topic"] == [a[3] for a in APPEALS]


def test_a_column_named_like_a_field_it_is_not_read_as_is_refused_naming_the_field(tmp_path):
    """A trainer's round: a feedback export whose topic column was renamed topc (or 诉求类型 for 诉求类别) retrained a
    challenger on the unit labels alone, and no command said that the column was not read."""
    frame = appeals_frame()
    frame.rename(columns={"一级标签": "topc"}).to_csv(tmp_path / "typo_topc.csv", index=False)
    with pytest.raises(InputError, match=r"typo_topc.csv: column 'topc' is not read: did you mean 'topic'\? rename "
                                         r"it 'topic', or, if it holds something else, give it a name further"):
        load_tickets(tmp_path / "typo_topc.csv")
    frame.rename(columns={"一级标签": "诉求类型", "责任单位": "办理单位名称"}).to_excel(tmp_path / "导出.xlsx", index=False)
    with pytest.raises(InputError, match=r"导出.xlsx: 2 problems, nothing read:\n  column '诉求类型' is not read: did "
                                         r"you mean '诉求类别' \(topic\)\?.*\n  column '办理单位名称' is not read: did "
                                         r"you mean '办理单位' \(unit\)\?"):
        load_tickets(tmp_path / "导出.xlsx")
    lines = [{"id": a[0], "titel": a[1], "text": a[2], "unit": a[4]} for a in APPEALS]
    (tmp_path / "t.jsonl").write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines),
                                      encoding="utf-8")
    with pytest.raises(InputError, match="column 'titel' is not read: did you mean 'title'"):
        load_tickets(tmp_path / "t.jsonl")
    # a date column only retraining reads is refused only where it is read
    frame.assign(受理时问="2026-11-02").to_csv(tmp_path / "dated.csv", index=False)
    assert load_tickets(tmp_path / "dated.csv")[1].rows == len(APPEALS)
    with pytest.raises(InputError, match=r"column '受理时问' is not read: did you mean '受理时间' \(created_at\)"):
        load_tickets(tmp_path / "dated.csv", dates=True)


def test_the_columns_of_real_files_and_exports_beside_a_field_s_names_are_read_past(shared_data, tmp_path):
    """What must not be taken for a misspelt name: teddy2020c's and the demo pack's headers, the kind of request
    12345 systems export as 诉求类型 beside (or without) the topic, another level of the taxonomy, an empty column."""
    from appeal.config import DEMO_DIR
    from pipeline.records import find_columns, misnamed_columns
    from training.tickets import fields_read

    demo = pd.read_json(DEMO_DIR / "tickets.jsonl", lines=True, dtype=False)
    for frame in [*(pd.read_csv(path, dtype=str, nrows=20) for path in (shared_data / "teddy2020c").glob("*.csv")),
                  demo]:
        assert misnamed_columns(frame, find_columns(list(frame.columns)), fields_read(dates=True)) == []
    kinds = ["咨询", "投诉", "求助", "建议", "举报", "投诉", "咨询"]
    export = appeals_frame().rename(columns={"一级标签": "诉求类别"}).assign(
        诉求类型=kinds, 工单类型="来电", 二级分类="物业管理", 受理人姓名="话务员小周", 答复时间="2026-11-03", 协办单位="")
    export.to_excel(tmp_path / "export.xlsx", index=False)
    assert load_tickets(tmp_path / "export.xlsx", dates=True)[0]["topic"] == [a[3] for a in APPEALS]
    export.drop(columns=["诉求类别"]).to_excel(tmp_path / "no_topic.xlsx", index=False)
    ds, report = load_tickets(tmp_path / "no_topic.xlsx", dates=True)
    assert ds["topic"] == [None] * len(APPEALS) and "诉求类型" in report.column_sources()["not_read"]
    # the assisting units of an export without its lead unit's column are no misspelt 承办单位
    export.drop(columns=["责任单位"]).assign(协办单位="湾头桥镇人民政府").to_excel(tmp_path / "assist.xlsx", index=False)
    assert load_tickets(tmp_path / "assist.xlsx", dates=True)[0]["unit"] == [None] * len(APPEALS)
    # nor is the time the unit handled a ticket a misspelt time it came in, in a file that has only the former
    for handled in ("办理时间", "处理时间"):
        export.assign(**{handled: "2026-11-05"}).to_excel(tmp_path / "handled.xlsx", index=False)
        ds, report = load_tickets(tmp_path / "handled.xlsx", dates=True)
        assert ds["created_at"] == [None] * len(APPEALS) and handled in report.column_sources()["not_read"]


def test_an_excel_97_workbook_loads_as_wps_and_12345_systems_export_it(tmp_path):
    export = appeals_frame().rename(columns={"留言编号": "工单编号", "留言主题": "诉求标题", "留言详情": "来电内容",
                                             "一级标签": "诉求类别", "责任单位": "办理单位"})
    export["工单编号"] = export["工单编号"].astype(int)  # number cells, as a system that numbers its tickets writes them
    export["来电时间"] = [datetime(2026, 11, day, 9, 30) for day in range(1, len(export) + 1)]
    write_xls(export, tmp_path / "工单导出.xls", title="武冈市12345热线工单导出（2026年11月）")
    ds, report = load_tickets(tmp_path / "工单导出.xls", dates=True)
    assert report.format == "xls" and ds["id"] == [a[0] for a in APPEALS] and ds["text"] == [a[2] for a in APPEALS]
    assert ds["topic"] == [a[3] for a in APPEALS] and ds["unit"] == [a[4] for a in APPEALS]
    assert ds["created_at"][:2] == ["2026-11-01T09:30:00", "2026-11-02T09:30:00"]
    # named by what it holds, not by its name: an .xlsx saved as .xls is read all the same
    appeals_frame().to_excel(tmp_path / "really_xlsx.xls", index=False, engine="openpyxl")
    assert load_tickets(tmp_path / "really_xlsx.xls")[0]["id"] == [a[0] for a in APPEALS]


def test_a_web_page_saved_as_xls_loads_as_excel_shows_it(tmp_path):
    export = appeals_frame().rename(columns={"留言编号": "工单编号", "留言主题": "诉求标题", "留言详情": "来电内容",
                                             "一级标签": "诉求类别", "责任单位": "办理单位"})
    export["工单编号"] = "0" + export["工单编号"]
    export["来电内容"] = [f"{text[:12]}\n   {text[12:]}<br/>{unit}" for text, unit in zip(export["来电内容"], export["办理单位"])]
    export["来电时间"] = [f"2026年11月{day}日 9:30" for day in range(1, len(export) + 1)]
    write_html_xls(export, tmp_path / "工单导出.xls", title="武冈市12345热线工单导出（2026年11月）")
    ds, report = load_tickets(tmp_path / "工单导出.xls", dates=True)
    assert report.format == "xls" and report.encoding == "gb18030" and report.rows == len(APPEALS)
    assert ds["id"] == [f"0{a[0]}" for a in APPEALS]  # every cell is text: no leading zero lost
    assert ds["title"] == [a[1] for a in APPEALS] and ds["topic"] == [a[3] for a in APPEALS]
    assert ds["unit"] == [a[4] for a in APPEALS]
    # white space inside a cell is one space, a <br> a line break, as Excel shows the cell
    assert ds["text"][0] == f"{APPEALS[0][2][:12]} {APPEALS[0][2][12:]}\n{APPEALS[0][4]}"
    assert ds["created_at"][:2] == ["2026-11-01T09:30:00", "2026-11-02T09:30:00"]
    # a bad row is named as Excel numbers it, the title row counted
    export.loc[1, ["诉求标题", "来电内容"]] = ""
    write_html_xls(export, tmp_path / "bad.xls", title="武冈市12345热线工单导出（2026年11月）")
    with pytest.raises(InputError, match=r"bad.xls: row 4: column '来电内容' is empty"):
        load_tickets(tmp_path / "bad.xls")


def test_xlsx_with_mixed_dates_and_numeric_ids(tmp_path):
    frame = appeals_frame().drop(columns=["留言编号"])
    frame.insert(0, "留言编号", [int(a[0]) for a in APPEALS])
    # What real exports hold: a date cell, an Excel serial number, and several string spellings.
    frame["留言时间"] = [datetime(2020, 1, 6, 12, 9, 38), 43836.5, "2020/1/7 8:05:00", "2020-01-08 09:00:00",
                         "2020年1月9日", "20200110", None]
    path = tmp_path / "tickets.xlsx"
    frame.to_excel(path, index=False)
    ds, _ = load_tickets(path, dates=True)
    assert ds["id"] == [a[0] for a in APPEALS]
    assert ds["created_at"] == ["2020-01-06T12:09:38", "2020-01-06T12:00:00", "2020-01-07T08:05:00",
                                "2020-01-08T09:00:00", "2020-01-09T00:00:00", "2020-01-10T00:00:00", None]


def test_parquet_and_jsonl_with_unit_type(tmp_path):
    frame = appeals_frame().rename(columns={"留言编号": "id", "留言主题": "title", "留言详情": "text",
                                            "一级标签": "topic", "责任单位": "unit_type"})
    frame["location"] = "武冈市"
    frame.to_parquet(tmp_path / "t.parquet")
    with open(tmp_path / "t.jsonl", "w", encoding="utf-8") as handle:
        for record in frame.to_dict("records"):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n\n")
    for name in ("t.parquet", "t.jsonl"):
        ds, report = load_tickets(tmp_path / name)
        assert ds["unit"] == [a[4] for a in APPEALS], name  # unit_type feeds the unit head
        assert ds["location"] == ["武冈市"] * len(APPEALS) and ds["topic"] == [a[3] for a in APPEALS]


def test_a_line_that_names_its_text_or_label_otherwise_is_refused_not_trained_on_its_title(tmp_path):
    given = [{"id": a[0], "title": a[1], "text": a[2], "topic": a[3]} for a in APPEALS]
    lines = list(given)
    lines[2] = {"id": "x1", "title": "养老金没到账", "content": "我爸的养老金这个月还没到账，去哪里问", "topic": "劳动和社会保障"}
    lines[4] = {"id": "x2", "title": "广场舞噪音", "text": "楼下广场舞每晚放到十一点", "topc": "环境保护"}
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_tickets(path)
    said = str(refused.value)
    assert "2 problems, nothing read" in said
    assert "line 3: 'content' holds a value where this row has no 'text'" in said
    assert "line 5: 'topc' holds a value where this row has no 'topic'" in said
    # keys of its own on some lines, and an export's column one character from the one read, are no such twin
    lines[2] = {**given[2], "备注": "回访两次"}
    lines[4] = {**given[4], "note": "called back"}
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
    assert load_tickets(path)[1].rows == len(APPEALS)
    frame = appeals_frame().assign(来电人姓名=None, 受理人姓名="话务员小周")
    frame.to_csv(tmp_path / "export.csv", index=False)
    assert load_tickets(tmp_path / "export.csv")[1].columns["来电人姓名"] == "author"


def test_an_export_row_whose_text_is_in_the_second_text_column_is_refused(tmp_path):
    frame = appeals_frame().assign(来电内容="")
    frame.loc[1, "来电内容"], frame.loc[1, "留言详情"] = frame.loc[1, "留言详情"], None
    frame.to_csv(tmp_path / "export.csv", index=False)
    with pytest.raises(InputError, match="row 3: '来电内容' holds a value where this row has no '留言详情'"):
        load_tickets(tmp_path / "export.csv")


def test_a_12345_work_order_export_loads_as_it_comes(tmp_path):
    path = tmp_path / "工单导出.xlsx"
    appeals_frame().rename(columns={"留言编号": "工单编号", "留言主题": "诉求标题", "留言详情": "来电内容",
                                    "一级标签": "诉求类别", "责任单位": "办理单位"}
                           ).assign(事发地址="武冈市邓元泰镇").to_excel(path, index=False)
    ds, report = load_tickets(path)
    assert ds["text"] == [a[2] for a in APPEALS] and ds["topic"] == [a[3] for a in APPEALS]
    assert ds["title"] == [a[1] for a in APPEALS] and set(ds["location"]) == {"武冈市邓元泰镇"}
    assert ds["unit"] == [a[4] for a in APPEALS] and ds["id"] == [a[0] for a in APPEALS]
    assert report.columns["来电内容"] == "text" and report.columns["诉求类别"] == "topic"
    # the township column as work-order systems head it
    appeals_frame().assign(所属区域="邓元泰镇").to_csv(tmp_path / "区域.csv", index=False)
    assert set(load_tickets(tmp_path / "区域.csv")[0]["location"]) == {"邓元泰镇"}


def test_explicit_column_mapping(tmp_path):
    path = tmp_path / "export.csv"
    appeals_frame().rename(columns={"留言详情": "诉求描述", "责任单位": "转办单位"}).to_csv(path, index=False)
    # The CLI has no mapping option, so the error tells the trainer which header to rename, and to what.
    with pytest.raises(InputError, match=r"no text column .*诉求描述.*rename .* to one of text, .*来电内容"):
        load_tickets(path)
    ds, report = load_tickets(path, columns={"诉求描述": "text", "转办单位": "unit"})
    assert ds["unit"][0] == APPEALS[0][4] and report.columns["诉求描述"] == "text"


def test_presegmented_heuristic_without_file_name_hint(shared_data, tmp_path):
    real = pd.read_csv(shared_data / "teddy2020c" / "train_segmented.csv", dtype=str, nrows=40)
    real.to_csv(tmp_path / "export.csv", index=False)
    _, report = load_tickets(tmp_path / "export.csv")
    assert report.presegmented
    raw = pd.DataFrame({"text": [a[2] for a in APPEALS], "label": [a[3] for a in APPEALS]})
    raw.to_csv(tmp_path / "raw.csv", index=False)
    ds, report = load_tickets(tmp_path / "raw.csv")
    assert not report.presegmented and ds["canonical"][0] != ds["text"][0]
    _, forced = load_tickets(tmp_path / "export.csv", presegmented=False)
    assert not forced.presegmented
    # "segmented" in a file name marks it pre-segmented, "unsegmented" does not: dev_raw.csv saved under that name
    # went to the models unsegmented and unmasked
    raw.to_csv(tmp_path / "dev_unsegmented.csv", index=False)
    ds, report = load_tickets(tmp_path / "dev_unsegmented.csv")
    assert not report.presegmented and ds["canonical"][0] != ds["text"][0]


# ---- bad input: one clear InputError naming file, row and column -------------------------------------------


def test_missing_file_and_unknown_type(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_tickets(tmp_path / "nope.csv")
    (tmp_path / "t.doc").write_text("x")
    with pytest.raises(InputError, match="unknown file type"):
        load_tickets(tmp_path / "t.doc")


def test_damaged_utf8_is_refused_with_its_line(tmp_path):
    path = tmp_path / "broken.csv"
    good = appeals_frame().to_csv(index=False).encode("utf-8")
    lines = good.split(b"\n")
    lines[4] = lines[4][:20] + b"\xff\xfe" + lines[4][20:]
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError, match=r"broken.csv: undecodable bytes at line 5"):
        load_tickets(path)


def test_binary_and_damaged_containers(tmp_path):
    (tmp_path / "x.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError, match="binary"):
        load_tickets(tmp_path / "x.csv")
    (tmp_path / "empty.xlsx").write_bytes(b"")
    with pytest.raises(InputError, match="empty.xlsx: the file is empty"):
        load_tickets(tmp_path / "empty.xlsx")
    (tmp_path / "x.xlsx").write_bytes(b"PK\x03\x04 a damaged archive")
    with pytest.raises(InputError, match="x.xlsx: not a readable Excel workbook"):
        load_tickets(tmp_path / "x.xlsx")
    # named .xls, but neither a workbook nor a web page with a table in it: CSV text, Excel 2003's XML spreadsheet
    (tmp_path / "export.xls").write_text("工单编号,来电内容\n1,路灯不亮\n", encoding="utf-8")
    (tmp_path / "xml.xls").write_text('<?xml version="1.0" encoding="utf-8"?>\n<Workbook xmlns="urn:schemas-microsoft-'
                                      'com:office:spreadsheet"><Worksheet><Table><Row><Cell><Data>工单编号</Data></Cell>'
                                      '<Cell><Data>来电内容</Data></Cell></Row></Table></Worksheet></Workbook>')
    for name in ("export.xls", "xml.xls"):
        with pytest.raises(InputError, match=rf"{name}: not an Excel workbook, and no table in it to read; open it in "
                                             r"Excel or WPS and save it as .xlsx"):
            load_tickets(tmp_path / name)
    (tmp_path / "x.parquet").write_bytes(b"PAR1garbage")
    with pytest.raises(InputError, match="not a readable Parquet"):
        load_tickets(tmp_path / "x.parquet")
    (tmp_path / "x.jsonl").write_text('{"text": "路灯坏了"}\n{"text": 路灯\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 2: not valid JSON"):
        load_tickets(tmp_path / "x.jsonl")


def test_empty_text_names_rows_and_column(tmp_path):
    frame = appeals_frame()
    frame.loc[[1, 3], ["留言主题", "留言详情"]] = ""
    frame.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(InputError, match=r"row 3, row 5: column '留言详情' is empty"):
        load_tickets(tmp_path / "t.csv")
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        load_tickets(tmp_path / "empty.csv")


def test_a_row_split_by_a_line_break_outside_quotes_is_refused_naming_both_halves(tmp_path):
    """A line break typed into a cell and written without quotes split the ticket in two: pandas filled the missing
    cells with "", so its label was lost and its second half ("村民出行很危险") was routed as a ticket of its own."""
    lines = ["工单编号,标题,诉求内容,诉求类别", "WG-1,路灯不亮,湾头桥镇白石村路灯坏了三个月,城乡建设",
             "WG-2,村道塌陷,湾头桥镇某村通村公路塌了一大块", "村民出行很危险,城乡建设",
             "", "WG-3,路灯不亮,稠树塘镇路灯坏了,城乡建设"]
    (tmp_path / "split.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"split.csv: row 3 \(3 cells\), row 4 \(2 cells\) where the column names "
                                         r"have 4: cells are missing, or a line break inside a cell that is not in "
                                         r"quotes splits a row in two"):
        load_tickets(tmp_path / "split.csv")
    # quoted, as a spreadsheet program writes it, the same ticket is one row with its line break (the blank line
    # above WG-3 is read past as before)
    lines[2:4] = ['WG-2,村道塌陷,"湾头桥镇某村通村公路塌了一大块\n村民出行很危险",城乡建设']
    (tmp_path / "split.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    tickets, _ = load_tickets(tmp_path / "split.csv")
    assert tickets["id"] == ["WG-1", "WG-2", "WG-3"] and tickets["topic"] == ["城乡建设"] * 3
    # a blank line is a row in a spreadsheet program: the rows below it are named as it numbers them
    lines[-1] = "WG-3,,,城乡建设"
    (tmp_path / "split.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"split.csv: row 5: column '诉求内容' is empty"):
        load_tickets(tmp_path / "split.csv")
    lines[-1] = "WG-3,路灯不亮,稠树塘镇路灯坏了,城乡建设"
    # a spreadsheet's blank row saved as CSV is ",,,", not an empty line: read past alike, the rows below keeping their
    # numbers (it was refused as "row 4: column '诉求内容' is empty")
    lines[3] = ",,,"
    (tmp_path / "split.csv").write_text("\n".join(lines + ["WG-4,,,城乡建设"]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"split.csv: row 6: column '诉求内容' is empty"):
        load_tickets(tmp_path / "split.csv")
    (tmp_path / "split.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert load_tickets(tmp_path / "split.csv")[0]["id"] == ["WG-1", "WG-2", "WG-3"]
    # empty cells after the column names ask nothing of the rows
    lines[0] += ",,"
    (tmp_path / "split.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert load_tickets(tmp_path / "split.csv")[0]["id"] == ["WG-1", "WG-2", "WG-3"]

def test_the_columns_read_are_named_and_a_repeated_label_column_is_refused(tmp_path):
    """A work-order export with two texts reads the first in COLUMN_ALIASES' order and says so; a repeated column
    name was renamed 诉求类别.1 by pandas and read past without a word."""
    frame = pd.DataFrame({"工单编号": ["WG-1", "WG-2"], "诉求内容": ["湾头桥镇白石村路灯坏了", "村道塌了一大块"],
                          "来电内容": ["您好，我要反映路灯的事", "喂，村道塌了"], "诉求类别": ["城乡建设", "交通运输"],
                          "来电人": ["张建国", "刘华"]})
    frame.to_csv(tmp_path / "export.csv", index=False)
    _, report = load_tickets(tmp_path / "export.csv")
    assert report.column_sources() == {
        "read": {"id": "工单编号", "text": "诉求内容", "topic": "诉求类别", "author": "来电人"}, "not_read": ["来电内容"]}
    assert "columns read: id ← 工单编号, text ← 诉求内容, topic ← 诉求类别, author ← 来电人; not read: 来电内容" in report.summary()
    frame.columns = ["工单编号", "诉求内容", "来电内容", "诉求类别", "诉求类别"]
    frame.to_csv(tmp_path / "twice.csv", index=False)
    with pytest.raises(InputError, match="twice.csv: more than one column named '诉求类别'"):
        load_tickets(tmp_path / "twice.csv")
    # two names that differ only by a space or by case: the later one (the labels here) was read as the text
    frame.columns = ["工单编号", "诉求内容", "来电内容", "诉求类别", "诉求内容 "]
    frame.to_csv(tmp_path / "spaced.csv", index=False)
    with pytest.raises(InputError, match="spaced.csv: more than one column named '诉求内容'"):
        load_tickets(tmp_path / "spaced.csv")


def test_the_callers_name_a_file_gives_is_masked_in_what_the_model_reads(tmp_path):
    """The service masks the `author` a route is sent with wherever the text names him; training from an export
    with a 来电人 column did not, so a caller who rang twice left his name in the TF-IDF vocabulary."""
    pd.DataFrame({"工单编号": ["WG-1"], "诉求内容": ["张建国反映湾头桥镇白石村路灯坏了三个月"], "诉求类别": ["城乡建设"],
                  "来电人": ["张建国"]}).to_csv(tmp_path / "export.csv", index=False)
    tickets, _ = load_tickets(tmp_path / "export.csv")
    assert tickets["canonical"][0].startswith("反映 湾头 ") and "张建国" not in tickets["canonical"][0]

def test_a_blank_row_in_a_workbook_is_read_past_as_a_blank_line_is_in_a_csv_file(tmp_path):
    """A trainer's sheet with an empty row between the tickets was refused ("row 3: column '诉求内容' is empty")
    where the same file saved as CSV read; the rows below keep the numbers the sheet shows."""
    frame = pd.DataFrame({"工单编号": ["WG-1", None, "WG-3"], "诉求内容": ["湾头桥镇白石村路灯坏了", None, "村道塌了"],
                          "诉求类别": ["城乡建设", None, "交通运输"]})
    frame.to_excel(tmp_path / "sheet.xlsx", index=False)
    tickets, _ = load_tickets(tmp_path / "sheet.xlsx")
    assert tickets["id"] == ["WG-1", "WG-3"]
    frame.loc[2, "诉求内容"] = None
    frame.to_excel(tmp_path / "sheet.xlsx", index=False)
    with pytest.raises(InputError, match=r"sheet.xlsx: row 4: column '诉求内容' is empty"):
        load_tickets(tmp_path / "sheet.xlsx")

def test_unknown_label_names_row_column_and_known_labels(tmp_path):
    frame = appeals_frame()
    frame.loc[2, "一级标签"] = "教育"
    frame.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(InputError, match=r"row 4, column '一级标签': unknown label '教育' \(known: "):
        load_tickets(tmp_path / "t.csv", labels={"topic": TOPICS})


def test_a_placeholder_in_a_label_cell_is_no_label_and_is_said(tmp_path):
    """An export writes 无 or - where no unit was assigned yet: it was a class of its own in training and an
    unknown label in evaluation."""
    frame = appeals_frame()
    frame.loc[1, "责任单位"] = "无"
    frame.loc[2, "责任单位"] = " - "
    frame.loc[3, "一级标签"] = "暂无"
    frame.loc[4, "责任单位"] = "无"
    frame.to_csv(tmp_path / "t.csv", index=False)
    tickets, report = load_tickets(tmp_path / "t.csv", labels={"topic": TOPICS})
    assert tickets["unit"][1:3] == [None, None] and tickets["topic"][3] is None and tickets["unit"][4] is None
    assert tickets["unit"][3] == "邵阳市生态环境局武冈分局" and "无" not in report.label_counts["unit"]
    assert report.blank_labels == Counter({"无": 2, "-": 1, "暂无": 1})
    assert report.summary().endswith("read as no label: '无' × 2, '暂无' × 1, '-' × 1")


def test_conflicting_labels(tmp_path):
    frame = pd.concat([appeals_frame(), appeals_frame().iloc[[0]].assign(一级标签="环境保护")])
    frame.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(InputError, match=r"row 2, row 9: the same text has the labels 城乡建设, 环境保护"):
        load_tickets(tmp_path / "t.csv", on_conflict="error")
    ds, report = load_tickets(tmp_path / "t.csv")  # a 1-1 tie: no label can be trusted, both copies go
    assert len(ds) == len(APPEALS) - 1 and report.conflicts[0].kept is None
    kept, _ = load_tickets(tmp_path / "t.csv", deduplicate=False)  # prediction keeps every input row
    assert len(kept) == len(APPEALS) + 1


def test_bad_date_names_row_and_column(tmp_path):
    frame = appeals_frame().assign(留言时间="2020/1/6 12:00")
    frame.loc[5, "留言时间"] = "上周三"
    frame.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(InputError, match=r"row 7, column '留言时间': '上周三' is not a date"):
        load_tickets(tmp_path / "t.csv", dates=True)
    # read only where used (retraining's latest label wins): training, evaluating or predicting on the file reads
    # past it, as a 12345 export's 时间 column of times alone, refused for every row, stopped a batch prediction
    ds, report = load_tickets(tmp_path / "t.csv")
    assert report.rows == len(frame) and set(ds["created_at"]) == {None}
    assert report.column_sources()["not_read"] == ["留言时间"]


def test_parse_date_spellings():
    assert parse_date("2019-07-28 13:09:08") == "2019-07-28T13:09:08"
    assert parse_date("2012/1/19 17:49:30") == "2012-01-19T17:49:30"
    assert parse_date("43831") == "2020-01-01T00:00:00"
    assert parse_date(None) is None
    # the time as Chinese work-order exports and agents write it
    assert parse_date("2026年11月20日 09时15分") == "2026-11-20T09:15:00"
    assert parse_date("2026年11月20日9时15分30秒") == "2026-11-20T09:15:30"
    assert parse_date("2026-11-20 8点") == "2026-11-20T08:00:00"
    assert parse_date("2026/11/20 下午3:15") == "2026-11-20T15:15:00"
    assert parse_date("2026年11月20日 晚上10点30分") == "2026-11-20T22:30:00"
    assert parse_date("2026年11月20日 中午12点") == "2026-11-20T12:00:00"
    assert parse_date("2026年11月20日 凌晨2时") == "2026-11-20T02:00:00"
    # 12点 at night is midnight: 晚上12点 ends the day (it was read as noon), 凌晨12点 starts it
    assert parse_date("2026年11月30日晚上12点") == "2026-12-01T00:00:00"
    assert parse_date("2026年12月31日 晚上12:00") == "2027-01-01T00:00:00"
    assert parse_date("2026年11月20日 凌晨12点30分") == "2026-11-20T00:30:00"
    assert parse_date("2026-11-20 24:00") == "2026-11-21T00:00:00"
    with pytest.raises(ValueError):
        parse_date("2026年11月20日 25时")


def test_dates_whose_digits_allow_two_days_are_refused(tmp_path):
    # pandas read 12/01/2026 as 1 December and 13/01/2026 as 13 January in one column, and 26/12/01 as 2001-12-26
    assert parse_date("13/01/2026") == "2026-01-13T00:00:00"  # one reading only
    assert parse_date("5/5/2026 9:30") == "2026-05-05T09:30:00"
    assert parse_date("2026.12.1") == "2026-12-01T00:00:00"  # the year first, as Chinese systems write it
    with pytest.raises(InputError, match=r"'26/12/01': which number is the year\? write it as YYYY-MM-DD"):
        parse_date("26/12/01")
    frame = appeals_frame().assign(留言时间="2020/1/6 12:00")
    frame.loc[3, "留言时间"] = "12/01/2026 09:30"
    frame.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(InputError, match=r"row 5, column '留言时间': '12/01/2026 09:30' may be 2026-12-01 or "
                                         r"2026-01-12: write it as YYYY-MM-DD"):
        load_tickets(tmp_path / "t.csv", dates=True)
    # every bad date at once, not one per rerun
    frame.loc[1, "留言时间"] = "昨天晚上"
    frame.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(InputError, match=r"t.csv: 2 problems, nothing read:\n  row 3, column '留言时间': '昨天晚上' is not "
                                         r"a date\n  row 5, column '留言时间': '12/01/2026 09:30' may be"):
        load_tickets(tmp_path / "t.csv", dates=True)


def test_offsets_half_hours_and_placeholders_read_as_exports_write_them():
    # GMT+8 as Java and JavaScript write it was read by the POSIX rule, 16 hours off, and silently
    for written in ("2026-11-30 22:15:00 GMT+8", "2026-11-30 22:15 UTC+08:00",
                    "Mon Nov 30 2026 22:15:00 GMT+0800 (中国标准时间)"):
        assert parse_date(written) == "2026-11-30T22:15:00+08:00", written
    assert parse_date("2026年11月30日 晚上9点半") == "2026-11-30T21:30:00"
    assert parse_date("2026年11月30日 深夜11点") == "2026-11-30T23:00:00"
    # an export's word for no date is an empty cell
    assert [parse_date(v) for v in ("NULL", "无", "-", "0000-00-00 00:00:00")] == [None] * 4


@pytest.mark.parametrize("written", ["22:15", "晚上10点", "12-31", "11/30", "2026-12", "2026年11月"])
def test_a_time_or_a_date_without_its_day_or_year_is_refused(written):
    """pandas gave a time alone the day it was read, 12-31 the year 1 (a FAQ entry valid to 12-31 expired at once,
    `retrain --since 12-01` took every label), and 2026-12 the month's first day."""
    with pytest.raises(InputError, match=f"'{written}': which day\\? write the full date"):
        parse_date(written)


def test_the_small_hours_of_a_night_are_refused_as_ambiguous():
    """晚上1点 was read as 13:00; the writer of 11月30日晚上1点 may mean the first hour of 12月1日."""
    with pytest.raises(InputError, match="'晚上1点': the night of which day\\? write 凌晨1点"):
        parse_date("2026年11月30日 晚上1点")


def test_a_time_cell_of_a_workbook_is_no_date(tmp_path):
    """A 时间 column read as the tickets' date stamped every ticket with the day it was loaded."""
    frame = appeals_frame().assign(时间=time(22, 15))
    frame.to_excel(tmp_path / "t.xlsx", index=False)
    with pytest.raises(InputError, match="row 2, column '时间': '22:15:00': which day"):
        load_tickets(tmp_path / "t.xlsx", dates=True)


# ---- split -------------------------------------------------------------------------------------------------


def test_stratified_split_keeps_proportions(shared_data):
    ds, _ = load_tickets(shared_data / "teddy2020c" / "train_segmented.csv")
    train, test = stratified_split(ds, 0.2, seed=1)
    assert len(train) + len(test) == len(ds) and not set(train["id"]) & set(test["id"])
    whole, held = Counter(ds["topic"]), Counter(test["topic"])
    for label, n in whole.items():
        assert abs(held[label] / len(test) - n / len(ds)) < 0.005


def test_missing_ids_become_row_numbers(tmp_path):
    frame = appeals_frame()
    frame.loc[2, "留言编号"] = ""
    frame.to_csv(tmp_path / "t.csv", index=False)
    ds, _ = load_tickets(tmp_path / "t.csv")
    assert ds["id"][1:4] == ["1002", "4", "1004"]
    pd.DataFrame({"text": [a[2] for a in APPEALS]}).to_json(tmp_path / "t.jsonl", orient="records", lines=True,
                                                            force_ascii=False)
    ds, _ = load_tickets(tmp_path / "t.jsonl")
    assert ds["id"] == [str(i) for i in range(1, len(APPEALS) + 1)]


def test_excels_unicode_text_and_a_semicolon_csv_are_read_by_their_separator(tmp_path):
    """Excel's "Unicode text" export is a UTF-16, tab-separated .txt, and a European Excel saves CSV with ";": both
    were read as one comma-separated column, and the trainer told to rename a header that was already 诉求内容."""
    rows = [["工单编号", "诉求内容", "诉求类别"], ["WG-1", "湾头桥镇白石村路灯坏了,请修", "城乡建设"]]
    (tmp_path / "export.txt").write_text("\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-16")
    (tmp_path / "export.csv").write_text("\n".join(";".join(r) for r in rows) + "\n", encoding="utf-8")
    for name in ("export.txt", "export.csv"):
        tickets, _ = load_tickets(tmp_path / name)
        assert (tickets["id"], tickets["text"], tickets["topic"]) == (["WG-1"], ["湾头桥镇白石村路灯坏了,请修"], ["城乡建设"])
