"""Small ticket files for the loader, baseline and CLI tests: real-looking Chinese appeals written in every
format the loaders accept, and a stratified slice of the real training file."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

# (编号, 主题, 详情, 一级标签, 责任单位) as a 12345 operator would log them in 武冈市.
APPEALS = [
    ("1001", "迎春亭街道小区楼顶水箱长年不清洗", "我们小区二次供水的楼顶水箱长年不清洗，自来水有霉味，请相关部门检测处理。",
     "城乡建设", "武冈市住房和城乡建设局"),
    ("1002", "邓元泰镇企业拖欠农民工工资", "我在邓元泰镇一家建筑公司打工，老板拖欠工资三个月不发，请劳动监察部门帮忙追讨。",
     "劳动和社会保障", "武冈市人力资源和社会保障局"),
    ("1003", "湾头桥镇中学乱收补课费", "湾头桥镇中学寒假组织学生补课，每人收费八百元，家长负担很重，请教育局调查。",
     "教育文体", "武冈市教育局"),
    ("1004", "城区夜宵摊油烟噪音扰民", "法相岩街道步行街夜宵摊每天营业到凌晨两点，油烟和噪音严重影响居民休息。",
     "环境保护", "邵阳市生态环境局武冈分局"),
    ("1005", "医院收费不透明", "在市人民医院住院一周，费用清单里有很多没有用过的检查项目，希望卫健局核查。",
     "卫生计生", "武冈市卫生健康局"),
    ("1006", "城乡公交班次太少", "从龙溪镇到城区的公交车每天只有两班，群众出行很不方便，请增加班次。",
     "交通运输", "武冈市交通运输局"),
    ("1007", "超市销售过期食品", "在城区一家超市买的牛奶已经过期半个月，商家拒绝退换，请市场监管部门查处。",
     "商贸旅游", "武冈市市场监督管理局"),
]
COLUMNS = ["留言编号", "留言主题", "留言详情", "一级标签", "责任单位"]


def appeals_frame() -> pd.DataFrame:
    return pd.DataFrame(APPEALS, columns=COLUMNS)


def write_xls(frame: pd.DataFrame, path: Path, title: str | None = None) -> Path:
    """`frame` as an Excel 97 workbook (.xls, as WPS and many 12345 systems export), under a title row if given;
    datetime cells get a date format, as a spreadsheet program stores them."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    dated = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm")
    top = 0
    if title is not None:
        sheet.write(0, 0, title)
        top = 1
    for column, name in enumerate(frame.columns):
        sheet.write(top, column, str(name))
    for row, values in enumerate(frame.itertuples(index=False), start=top + 1):
        for column, value in enumerate(values):
            if hasattr(value, "year"):
                sheet.write(row, column, value, dated)
            else:
                sheet.write(row, column, value)
    book.save(str(path))
    return path


def write_html_xls(frame: pd.DataFrame, path: Path, title: str | None = None) -> Path:
    """`frame` as many 12345 systems' "export to Excel" write it: a web page in GBK named .xls, a title over the
    columns in one cell spanning them all, each cell's value as markup (callers escape text; line breaks as <br>),
    the page's own line breaks and indentation around the cells."""
    top = f'<tr><td colspan="{len(frame.columns)}" align="center">{title}</td></tr>\n' if title else ""
    header = "".join(f"<th>{name}</th>" for name in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>\n      {value}\n    </td>" for value in row) + "</tr>\n"
                   for row in frame.itertuples(index=False))
    page = ('<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta http-equiv="Content-Type" '
            f'content="text/html; charset=gb2312"></head><body><table border="1">\n{top}<tr>{header}</tr>\n{body}'
            "</table></body></html>")
    path.write_bytes(page.encode("gb18030"))
    return path


def training_slice(shared_data: Path, out: Path, per_label: int = 120, seed: int = 0) -> Path:
    """The first-level classes of train_segmented.csv, `per_label` rows each, written as `text,label`."""
    frame = pd.read_csv(shared_data / "teddy2020c" / "train_segmented.csv", dtype=str, keep_default_na=False)
    part = frame.groupby("label", group_keys=False).sample(n=per_label, random_state=seed)
    part.to_csv(out, index=False, encoding="utf-8")
    return out
