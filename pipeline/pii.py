"""Personal data in ticket text (phone numbers, ID numbers, bank cards, e-mail, QQ and WeChat accounts, licence
plates, names) found and replaced by a token.

Numbers are masked when their shape AND their check digits say what they are: a hotline ticket is full of dates,
amounts, house numbers and order numbers that must stay readable. A number the text itself calls an ID or a card
number (身份证号…, 卡号…) is masked on its shape alone: agents type numbers as they hear them, and an ID number with one
wrong digit still names its holder (so does one with a region and a birth date that the text does not call a
record's number). Likewise a number the text calls a phone (电话, 手机, 座机, 回电…): a local number
without its area code (callers give 7 digits), or a mobile number with a digit too many or too few. A run of digits
is judged as a whole, never by a piece cut out of a longer run, and digits read out in words (手机幺三八零七三九…,
身份证号四三零五八一…, as a transcribed call has them) are digits. A licence plate (湘E·12345, in a complaint about a car
parked on the pavement) names its owner as surely as a phone number does, and its shape (a province's one-character
name, the issuing office's letter, five or six characters with at least three digits) is found nowhere else in a
ticket. QQ numbers, WeChat ids and the account numbers of a household or a card (电费户号…, 社保卡号…) look like any
number or word, so they are masked only where the text labels them (QQ号…, 微信号…, 户号…). So are names: a common
surname and a given name right after a label that introduces a person (姓名：, 联系人, 投诉人, 我叫, 村民 …) and ending
where a name ends, the names listed after it (投诉人：李某、陈歌、李菲), a name right before the call an agent's ticket
opens with (张建国来电反映…) or right before a phone number (马晓英139…), names listed as what they are together
(刘建军、刘建华两人…), a name jieba reads as one right after what was done, before what the person did (被刘建军打伤,
举报刘建军违规建房) or after 欠 / 打 before the amount or the blow (拖欠石红梅两万元); every other mention of a name
found so is masked as well, and a name joined to one (张伟和李娜),
and so is every mention of a name the record gives for its author (a 来电人 field, a case file's 留言用户 column);
`mask_together` masks the parts of one record (title, body, reply) with the names of all of them. Any other name
(张三的房子) stays: finding those would take a name model, and guessing from surnames alone would mask half the place
names of a county (邓家铺, 高沙, 龙溪).
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from datetime import date
from typing import Literal

from pipeline.area import deployment_area
from pipeline.normalize import CIRCLED_UNITS, CIRCLED_VALUES

PiiKind = Literal["mobile", "landline", "id_card", "travel_document", "bank_card", "account", "email", "qq", "wechat",
                  "plate", "name", "house_number", "url"]

PII_TOKENS: dict[str, str] = {
    "mobile": "[手机号]",
    "landline": "[固话]",
    "id_card": "[身份证号]",
    "travel_document": "[证件号]",
    "bank_card": "[银行卡号]",
    "account": "[账号]",
    "email": "[邮箱]",
    "qq": "[QQ号]",
    "wechat": "[微信号]",
    "plate": "[车牌号]",
    "name": "[姓名]",
    "house_number": "[门牌号]",
    "url": "[链接]",
}


@dataclass(frozen=True)
class PiiSpan:
    kind: PiiKind
    start: int  # offsets in the text given to mask_pii
    end: int
    value: str


@dataclass(frozen=True)
class MaskedText:
    text: str
    spans: list[PiiSpan]


# Raw tickets are often typed with full-width digits and punctuation; offsets must stay those of the raw text,
# so the patterns accept both forms instead of normalizing first.
_D = "[0-9０-９]"
# A space or dash between digit groups, as people write numbers; a Chinese input method types the dash as — or –,
# and the dash key twice as —— (0745——2788218); some type it three times (0735---3323506).
_SEP = "(?:[ \u00a0\u3000\\-－‐–—−]{1,3})"
# A mobile number's groups are also set apart with dots or slashes (138.0739.1234, 138·0739·1234): in that 3-4-4
# shape they make no amount or date.
_MOBILE_SEP = "(?:[ \u00a0\u3000\\-－‐–—−.·•・_/]{1,3})"
_START = "(?<![0-9０-９])"
_END = "(?![0-9０-９])"
_ASCII_DIGITS = str.maketrans("０１２３４５６７８９Ｘｘx", "0123456789XXX")
# A ticket transcribed from a call (speech recognition, or an agent typing what was said) may spell a number out:
# 一三八零七三九一二三四, 幺三八… (幺 is how 1 is read out in numbers, and 两 2; 洞 0, 拐 7 and 勾 9 as radio operators
# read them). Read as digits only in runs of three or more digit characters: a name that ends in one
# (联系人张三13807391234) must not lengthen the number after it, 两三天 and 一两个 stay words, and 十, 百, 千 make
# amounts, which stay as they are. Speech recognition writes a number read out slowly with a space between its
# digits or its groups (幺 三 八…, 幺三八 零七 三九…): the run goes on over them, as the typed digits' patterns do.
_SPOKEN_DIGIT_CHARS = "零〇○洞一二两三四五六七拐八九勾幺"
_SPOKEN_DIGITS = str.maketrans(_SPOKEN_DIGIT_CHARS, "00001223456778991")
_SPOKEN_NUMBER = re.compile(f"[{_SPOKEN_DIGIT_CHARS}](?:[ \u00a0\u3000]{{0,2}}[{_SPOKEN_DIGIT_CHARS}]){{2,}}")
# …or a digit here and there among the typed ones (138零739幺234), a number's length of them; not one after it (电话
# 2796555一经查实)
_MIXED_NUMBER = re.compile(f"[0-9][0-9{_SPOKEN_DIGIT_CHARS}]{{5,}}[0-9]")


# Full-width letters, digits and signs (ｚｈａｎｇ＠１６３．ｃｏｍ, 微信：ｗｘ＿８８) read as ASCII: `model_text` masks text as
# typed, before NFKC, and the e-mail, WeChat and +86 patterns are ASCII.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
# A placeholder of an earlier masking is no label: 手机[手机号] 4221001 masked again read [手机号] as 手机号 and masked
# the number after it, so masking twice differed from masking once.
_BLANK = "□"
# A circled number before 号, 栋 … is a building's or a group's (②栋1304): a digit, as `normalize` reads it, so that the
# text as typed (`model_text`) has its home masked too.
_CIRCLED_BEFORE_UNIT = re.compile(f"[{''.join(CIRCLED_VALUES)}](?={CIRCLED_UNITS})")


def _without_placeholders_as_labels(text: str) -> str:
    # the brackets stay: a placeholder still ends a clause as punctuation does ([手机号]王小明来电反映)
    for placeholder in PII_TOKENS.values():
        if placeholder in text:
            text = text.replace(placeholder, f"[{_BLANK * (len(placeholder) - 2)}]")
    return text


def _as_scanned(unmasked: str) -> str:
    """The text the detectors read, one character for each of `unmasked` (the text with its placeholders blanked, so
    offsets are the text's): full-width forms as ASCII, spoken digits as typed, a circled building number as a
    digit."""
    text = _CIRCLED_BEFORE_UNIT.sub("1", unmasked).translate(_HALF_WIDTH)
    text = _SPOKEN_NUMBER.sub(lambda run: run.group().translate(_SPOKEN_DIGITS), text)
    return _MIXED_NUMBER.sub(lambda run: run.group().translate(_SPOKEN_DIGITS), text)

# A web address, whole: a cloud drive's share link carries the password to the writer's photos (…/s/1AbC?pwd=x1y2: a
# web channel's round), and a page's path or query often the writer's account. It ends at the first character no
# address holds (a Chinese one, a space) and before the punctuation that closes the sentence.
_URL = re.compile(r"(?<![A-Za-z0-9@.])(?:[Hh][Tt][Tt][Pp][Ss]?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+"
                  r"(?<![.,;:!?)\]'])")
# No \b at the end: Chinese characters count as word characters, and an address is often followed by one.
# A Chinese input method types the dot as 。 (zhangsan@163。com).
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:[.。][A-Za-z0-9\-]+)*[.。][A-Za-z]{2,}"
                    r"(?![A-Za-z0-9\-])")
# 18 digits (last may be X) or 15 digits, contiguous or grouped as people read them out: 6-8-4 (region, birth date,
# sequence), 6-4-4-4, or in fours like a card number (4305 8119 8001 0112 3X). A letter right after it means the X is
# the start of a word, not a check digit.
_ID_18 = f"{_D}(?:{_SEP}?{_D}){{16}}{_SEP}?[0-9０-９XxＸｘ]"
_ID_15 = f"{_D}(?:{_SEP}?{_D}){{14}}"
_ID = re.compile(f"{_START}(?:{_ID_18}|{_ID_15})(?![0-9０-９A-Za-z])")
# 16-19 digits, contiguous or in groups of four.
_CARD = re.compile(f"{_START}{_D}{{4}}(?:{_SEP}?{_D}{{4}}){{3}}(?:{_SEP}?{_D}{{1,3}})?{_END}")
_MOBILE = re.compile(f"{_START}(?:(?:[+＋]|00)?86{_SEP}?|[(（][+＋]?86[)）]{_SEP}?)?"
                     f"[1１][3-9３-９]{_D}{_MOBILE_SEP}?{_D}{{4}}{_MOBILE_SEP}?{_D}{{4}}{_END}")
# A number abroad (+852 9123 4567, +886 912 345 678: relatives working in Hong Kong, a caller's Taiwanese phone): a
# plus, the country code of a place Wugang's people work or have family in, then digits grouped as people write them
# (+100 200 300 400, a price's steps, is no number).
_FOREIGN_CODES = "852|853|886|1|7|44|49|33|39|34|61|64|81|82|60|65|66|84|62|63|971|27"
_FOREIGN_PHONE = re.compile(f"(?<![0-9０-９A-Za-z])[+＋](?:{_FOREIGN_CODES}){_MOBILE_SEP}"
                            f"[1-9１-９]{_D}{{1,3}}(?:{_MOBILE_SEP}?{_D}{{2,4}}){{1,3}}{_END}")
# Area codes 010 and 02x are followed by 8-digit numbers, 0[3-9]xx by 7 or 8; local numbers never start with 0/1.
_AREA_3 = "0[1１][0０]|0[2２][0-9０-９]"
_AREA_4 = f"0[3-9３-９]{_D}{{2}}"
# The local part may be said and typed in two groups (0739 422 1001, 6234 5678): the last four digits stand apart.
_LOCAL_8 = f"[2-9２-９]{_D}{{3}}{_SEP}?{_D}{{4}}"
_LOCAL_7_8 = f"[2-9２-９]{_D}{{2,3}}{_SEP}?{_D}{{4}}"
# After an area code, a 7-digit local part is also written four and three (0739 5788 123: a rural desk's round).
_LANDLINE = re.compile(
    f"{_START}(?:(?:{_AREA_3}){_SEP}?|[(（](?:{_AREA_3})[)）]{_SEP}?){_LOCAL_8}{_END}"
    f"|{_START}(?:{_AREA_4}{_SEP}?|[(（]{_AREA_4}[)）]{_SEP}?)(?:{_LOCAL_7_8}|[2-9２-９]{_D}{{3}}{_SEP}{_D}{{3}}){_END}"
)
# Plates: province, office letter (never I or O), then 5 characters (6 on new-energy plates), the last of which may
# be 挂/学/警/港/澳 (trailers, driving schools, police, cross-border); people write a space after the province and a
# dot, a space or a dash after the letter, and type the letters in either case. Every real plate holds at least three
# digits. A letter may not come before it (GB湘A12345 is no plate); a digit may (the end of the plate before it, a
# list's number). After 车牌号 the office letter and the rest are a plate without their province (车牌号：E12345).
_PLATE_LETTER = "[A-HJ-NP-Za-hj-np-zＡ-ＨＪ-ＮＰ-Ｚ]"
_PLATE_CHAR = f"(?:{_PLATE_LETTER}|{_D})"
_PLATE_AFTER_PROVINCE = (f"{_PLATE_LETTER}[·•・.\\s\\-－]?{_PLATE_CHAR}{{4}}(?:{_PLATE_CHAR}{{1,2}}|[挂学警港澳])"
                         "(?![A-Za-z0-9０-９])")
_PLATE = re.compile("(?<![A-Za-zＡ-Ｚａ-ｚ])[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]\\s?"
                    + _PLATE_AFTER_PROVINCE)
_PLATE_WITHOUT_PROVINCE = re.compile("(?<![A-Za-z0-9０-９])" + _PLATE_AFTER_PROVINCE)
# Numbers a platform or an export has partly hidden (138****1234, 1380739****, 430581********123X): what is left
# still points at one person, and the model should read them as the numbers they are. Hidden by asterisks or ×
# (the board writes 177××××1292), or by x in a phone number (an x in an ID is its check digit).
_HIDDEN = "*＊×"
_NOT_AROUND_HIDDEN = f"0-9０-９A-Za-z{_HIDDEN}"
_PARTIAL_MOBILE = re.compile(f"(?<![{_NOT_AROUND_HIDDEN}])[1１][3-9３-９]{_D}"
                             f"(?:[{_HIDDEN}xX]{{4}}{_D}{{4}}|{_D}{{4}}[{_HIDDEN}xX]{{4}})(?![{_NOT_AROUND_HIDDEN}])")
_PARTIAL_ID = re.compile(f"(?<![{_NOT_AROUND_HIDDEN}])(?=[0-9０-９XxＸｘ{_HIDDEN}]{{18}}(?![{_NOT_AROUND_HIDDEN}]))"
                         f"{_D}{{2,6}}[{_HIDDEN}]{{6,14}}{_D}{{0,3}}[0-9０-９XxＸｘ](?![{_NOT_AROUND_HIDDEN}])")
# What follows "身份证号：" is the ID whatever its shape: mistyped (a digit short or over), or hidden in part by the
# board or an export beyond what _PARTIAL_ID reads (４３０３２２１９５６０*******: region and birth date readable).
_ID_CHAR = f"[0-9０-９XxＸｘ{_HIDDEN}]"
_LABELLED_ID = re.compile(f"(?<![{_NOT_AROUND_HIDDEN}]){_ID_CHAR}(?:{_MOBILE_SEP}?{_ID_CHAR}){{13,23}}"
                          f"(?![{_NOT_AROUND_HIDDEN}])")
# The last digits of an ID number, given to prove who the caller is (身份证后六位：123418: a quality inspector's round
# read them in the route's answer, the day's list and the export): only after a label that says so.
_ID_TAIL = re.compile(f"(?<![{_NOT_AROUND_HIDDEN}]){_D}{{3,7}}[0-9０-９XxＸｘ](?![{_NOT_AROUND_HIDDEN}])")
# Only where the text calls them a phone: alone, these shapes are as often amounts, dates or order numbers.
_LOCAL_LANDLINE = re.compile(f"{_START}{_LOCAL_7_8}{_END}")
_MISTYPED_MOBILE = re.compile(f"{_START}[1１]{_D}{{9,11}}{_END}")
# A mobile number with a space between each of its digits, as speech recognition writes one read out slowly
# (1 3 8 0 7 3 9 1 2 3 4): a shape no amount or date has, label or none.
_SPACED_MOBILE = re.compile(f"{_START}[1１][ \u00a0\u3000]{{1,2}}[3-9３-９](?:[ \u00a0\u3000]{{1,2}}{_D}){{9}}{_END}")
# After a phone label, a number in any grouping (1380 739 1234, 1-3-8-0-…, 0739.4221001) is the phone number.
_LABELLED_MOBILE = re.compile(f"{_START}[1１](?:{_MOBILE_SEP}?{_D}){{10}}{_END}")
_LABELLED_LANDLINE = re.compile(f"{_START}0{_MOBILE_SEP}?[1-9１-９](?:{_MOBILE_SEP}?{_D}){{8,10}}{_END}")
# …and one given in three chunks, as a number is read out and written down (139，0739，5678; 幺三九、零七三九、五六七八).
_LABELLED_CHUNKED_MOBILE = re.compile(f"{_START}[1１]{_D}{{2,3}}(?:\\s{{0,2}}[,，、]\\s{{0,2}}{_D}{{3,4}}){{2}}{_END}")
# The second and later numbers under one label (电话：8805667，8805670; 手机13807391234/1390739123) have no label of
# their own: a number listed right after a phone number is a phone number too.
# After a space alone a local number too (电话13807391234 4221001, … 422-1001), but no amount, count or date: not
# …13807391234 5000000元, 3000000 元, 2020001期 or 20200106.
_NEXT_PHONE = re.compile(f"\\s*(?:[,，、/／;；]|或|和|及|或者)\\s*"
                         f"(?:(?P<landline>{_LOCAL_7_8})|(?P<mobile>[1１]{_D}{{9,11}})){_END}"
                         f"|\\s+(?P<spaced>{_LOCAL_7_8}){_END}(?!\\s*[年月日号元万亿千百块人次期亩平米楼栋层多余个天周])")
_NEXT_PHONE_KINDS: dict[str, PiiKind] = {"landline": "landline", "mobile": "mobile", "spaced": "landline"}
_DATE_8 = re.compile(r"(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])")

# First two digits of a resident ID: the province-level region (71/81/82/83: Taiwan, Hong Kong, Macao residents).
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_OLDEST_BIRTH = date(1900, 1, 1)
# Bank cards: UnionPay 62, Visa 4, Mastercard 5, JCB/Amex 3, legacy domestic 9 (e.g. 9558).
_CARD_FIRST_DIGITS = frozenset("34569")


def _digits(value: str) -> str:
    return "".join(ch for ch in value.translate(_ASCII_DIGITS) if ch.isdigit() or ch == "X")


def _birth_date(yyyymmdd: str) -> date | None:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None
    return born if _OLDEST_BIRTH <= born <= date.today() else None


def _looks_like_id(digits: str) -> bool:
    """Region and birth date of an ID number, checksum aside: such a number is judged as an ID only."""
    if digits[:2] not in _PROVINCES:
        return False
    birth = digits[6:14] if len(digits) == 18 else "19" + digits[6:12]
    return _birth_date(birth) is not None


# What a ticket writes just before an ID or card number ("身份证号码：", "工资卡号 "); Traditional forms too,
# because offsets refer to the raw text and mask_pii may be given it before normalisation.
# Only the label itself and a short joint ("号码是：") may stand between: "身份证办好了，订单号2020…" is no ID.
_JOINT = r"[码碼]?[是为為]?[:：\s】\]（(]{0,2}$"  # 】: an agent's template, 【来电号码】…; （: 身份证号码（4305…）
# 社会保障号码 is the holder's ID number, and agents write it as the social security card's (社保卡号43…X)
_ID_LABEL = re.compile(r"(?:身份[证證][号號]?|[证證]件[号號]|社保卡[号號]?|社会保障[号號])" + _JOINT)
_ID_TAIL_LABEL = re.compile(r"(?:身份[证證]|[证證]件)(?:[号號][码碼]?)?的?(?:后|後|末|尾[号號]?|最后|最後)"
                            r"[四六八468]位(?:数字?|[号號][码碼]?)?" + _JOINT)
_CARD_LABEL = re.compile(r"(?:[银銀]行卡[号號]?|卡[号號]?|[账帐賬][号號户戶])" + _JOINT)
# A 12345 work order labels the caller's number 来电号码 or 回访号码 (主叫号码 in a call record), and a caller asks to be
# called back on one (请回电138073912345).
_PHONE_LABEL = re.compile(r"(?:[电電][话話]|手[机機]|座[机機]|固[话話]|[联聯][系繫]方式|[Tt]el|TEL|回[电電]"
                          r"|(?:来[电電]|回[访訪]|主叫|[联聯][系繫])[号號])[号號]?" + _JOINT)
_LABEL_REACH = 12  # characters before a number searched for its label
# A number the text calls an order's, a work order's, a contract's or an invoice's (订单号, 工单编号, 合同编号, 流水号)
# is that, whatever its shape: an order number that passed the card checksum was masked as a bank card.
_RECORD_NUMBER_LABEL = re.compile(r"(?:单|编|流水|合同|发票|案)[号號]" + _JOINT)
# QQ numbers: 5 to 11 digits, never starting with 0; WeChat ids: 6 to 20 letters, digits, _ or -, starting with
# a letter (a WeChat account named by its phone number is a mobile number, found as one).
_QQ = re.compile(f"{_START}[1-9１-９]{_D}{{4,10}}{_END}")
_WECHAT = re.compile(r"(?<![A-Za-z0-9_\-])[A-Za-z][A-Za-z0-9_\-]{5,19}(?![A-Za-z0-9_\-])")
# Passports (E12345678, EA1234567), 港澳/台湾通行证 (C12345678, CA1234567, L12345678), 回乡证 and 台胞证 (H/M + 8 or 10
# digits; digits alone on older cards): one or two letters and 7 to 10 digits, masked only where the text names the
# document (ticket numbers, models and standards look the same).
_TRAVEL_DOCUMENT = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{0,2}[0-9]{7,10}(?![A-Za-z0-9])")
_TRAVEL_DOCUMENT_LABEL = re.compile(r"(?:[护護]照|通行[证證]|回[乡鄉][证證]|台胞[证證])[号號]?" + _JOINT)
# A utility's household account (电费户号, 用户编号, 水表号), a person's certificate (残疾证号, 低保证号, 车架号), a
# card that is no bank card (社保卡号 A12345678, 燃气卡号) or an account elsewhere: the utility or the issuer turns it
# into a name and an address as surely as a phone number.
# Letters and digits with at least four digits, right after the label (户号 can only be an account; 编号 alone is
# a ticket's, a plot's or a standard's number, and stays).
# (a hospital's ZY2023-0456 kept -0456 in clear: a hyphen inside one with letters is part of it; digits alone with one
# are the board's zeroed phone numbers, 0000-00000000)
# A year and a serial (住院号：2025-08866) is one too, where it is not zeroed.
# (28 characters: a property's unit number in the register, 不动产单元号 430581001001GB00012F00010001)
_ACCOUNT = re.compile(r"(?<![A-Za-z0-9])(?:(?=[A-Za-z0-9\-]*[A-Za-z])[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){4,27}"
                      r"|(?![0-]+(?![0-9\-]))[0-9]{2,8}(?:-[0-9]{3,12})+|[A-Za-z0-9]{5,28})(?![A-Za-z0-9])")
_SOCIAL_PLATFORM = r"(?:抖音|快手|微博|小红书)(?:[号號]|[Ii][Dd])?"  # a person's account on a video platform (抖音ID：…)
_ACCOUNT_LABEL = re.compile(r"(?:[户戶][号號]|[表錶][编編]?[号號]|[用客][户戶](?:[号號]|[编編][号號])|[缴繳][费費][号號]|卡[号號]"
                            r"|[账帐賬][号號]|(?:残疾人?|低保|驾驶|土地使用)[证證](?:编)?[号號]|车架[号號]|学籍[号號]"
                            # a subsidy paid into a passbook (一折通)
                            r"|存折[号號]?|折[号號]|" + _SOCIAL_PLATFORM +
                            # a medical-insurance or a fund's personal number (医保个人编号4305…: 编号 alone is a record's)
                            r"|(?:医保|社保|公积金)(?:个人)?(?:编号|账号|卡号)|个人编号"
                            # a patient's record at a hospital, a candidate's at an exam (a privacy officer's round)
                            r"|住院(?:编)?[号號]|病案[号號]|病历[号號]|门诊[号號]|就诊[号號]|准考[证證][号號]|考生[号號]"
                            # …and a child's or an insured farmer's certificate (a health liaison's round)
                            r"|(?:新农合|合作医疗)[证證]?[号號]|(?:预防)?接种[证證](?:编)?[号號]|出生(?:医学)?证明?(?:编)?[号號]"
                            # a home's certificate, its owner's in the register (湘(2021)武冈市不动产权第0001234号)
                            r"|(?:不动产权?|房产|房屋所有权)[证證][号號]|不动产权第"
                            # …its number in the old register and its unit's in the new one (a housing agent's round:
                            # 武房权证字第00012345号, 不动产单元号430581001001GB00012F00010001)
                            r"|(?:房权证|房)[\u4e00-\u9fff]{0,2}字第|不动产单元(?:代码|编码|[号號])"
                            # …and a farm plot's or a forest's (a rural land agent's round: 土地承包经营权证编号…J,
                            # 承包合同编号WG-CB-…, read as a ticket's number too; 湘林证字（2010）第…号)
                            r"|(?:林权|确权|(?:土地)?承包(?:经营权)?|经营权)[证證](?:编)?[号號]|(?:承包|流转)合同(?:编)?[号號]"
                            r"|林(?:权)?[证證]字(?:[（(][0-9]{4}[)）])?第"
                            # …and a household's allowance certificate in its local form (a social-assistance agent's
                            # round: 低保证编号：武民低字第2019035号)
                            r"|(?:民低|低保|特困|五保)[证證]?字(?:[（(][0-9]{4}[)）])?第)" + _JOINT)
_PLATE_LABEL = re.compile(r"(?:车牌|牌照)[号號]?" + _JOINT)
_QQ_LABEL = re.compile(r"(?:[QqＱｑ]{2}|企鹅|扣扣)[号號]?" + _JOINT)  # 扣扣: how QQ is said, and typed on the web
_PUBLIC_ACCOUNT = ("公众号", "服务号", "官方")
# 加V, V信, 威信 / 薇信: how a web message writes 微信 to get past a board's filter
_WECHAT_LABEL = re.compile(r"(?:微信|vx|VX|Vx|wx|WX|weixin|WeChat|wechat|加[VvＶｖ微]|[VvＶｖ]信|[威薇]信)[号號]?" + _JOINT)


def _is_qq(_value: str, before: str) -> bool:
    return _QQ_LABEL.search(before) is not None


def _is_wechat(_value: str, before: str) -> bool:
    # An office's public account (博物馆微信公众号（微信号：…）, in an official reply) is no one's personal data.
    return _WECHAT_LABEL.search(before) is not None and not any(w in before for w in _PUBLIC_ACCOUNT)


_SOCIAL_LABEL = re.compile(_SOCIAL_PLATFORM + _JOINT)


def _is_social_account(_value: str, before: str) -> bool:
    return _SOCIAL_LABEL.search(before) is not None


def _is_account(value: str, before: str) -> bool:
    return _ACCOUNT_LABEL.search(before) is not None and sum(ch.isdigit() for ch in value) >= 4


def _is_travel_document(_value: str, before: str) -> bool:
    return _TRAVEL_DOCUMENT_LABEL.search(before) is not None


def _is_plate(digits: str, _before: str) -> bool:
    return len(digits) >= 3


def _is_labelled_plate(digits: str, before: str) -> bool:
    # an e-bike's plate is the county's own, named before it (电动车牌照武冈A12345)
    home = next((name for name in sorted(deployment_area().home_area_words, key=len, reverse=True)
                 if before.endswith(name)), "")
    return len(digits) >= 3 and _PLATE_LABEL.search(before[: len(before) - len(home)]) is not None


def _is_no_record_number(_value: str, before: str) -> bool:
    return _RECORD_NUMBER_LABEL.search(before) is None


def _is_labelled_phone(_value: str, before: str) -> bool:
    return _PHONE_LABEL.search(before) is not None


def _is_labelled_chunked_mobile(value: str, before: str) -> bool:
    digits = _digits(value)
    return len(digits) == 11 and digits[1] in "3456789" and _is_labelled_phone(value, before)


def _is_foreign_phone(value: str, _before: str) -> bool:
    return 8 <= len(_digits(value)) <= 15  # E.164: at most 15 digits, the country code's included


def _is_labelled_id(digits: str, before: str) -> bool:
    # A number hidden all but a few digits (*****************, ***************1234) discloses nothing.
    return sum(ch.isdigit() for ch in digits) >= 6 and _ID_LABEL.search(before) is not None


def _is_id_tail(_digits: str, before: str) -> bool:
    return _ID_TAIL_LABEL.search(before) is not None


def _is_id(digits: str, before: str) -> bool:
    if _ID_LABEL.search(before):
        return True
    if not _looks_like_id(digits):
        return False
    if len(digits) == 15:  # pre-1999 numbers carry no check digit: only a label tells (存折账号430581000123456)
        return not _CARD_LABEL.search(before)
    total = sum(int(d) * w for d, w in zip(digits[:17], _ID_WEIGHTS))
    # A region and a birth date are an ID's whatever the check digit says, one misheard digit kept: only a number the
    # text calls a record's (编号430581199001011234) or a card's (银行卡号…, masked as that) is judged by it.
    return digits[17] == _ID_CHECK[total % 11] or not (_RECORD_NUMBER_LABEL.search(before)
                                                         or _CARD_LABEL.search(before))


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        d = int(char)
        if position % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _is_card(digits: str, before: str) -> bool:
    if _CARD_LABEL.search(before):
        return True
    if _RECORD_NUMBER_LABEL.search(before) or (len(digits) == 18 and _looks_like_id(digits)):
        return False
    return 16 <= len(digits) <= 19 and digits[0] in _CARD_FIRST_DIGITS and _luhn(digits)


# Judged in this order; a later kind never takes characters an earlier one has taken (the digits of
# 13807391234@qq.com are an e-mail address, not a mobile number).
_DETECTORS: tuple[tuple[PiiKind, re.Pattern[str], Callable[[str, str], bool] | None], ...] = (
    ("url", _URL, None),
    ("email", _EMAIL, None),
    ("id_card", _ID, _is_id),
    ("id_card", _PARTIAL_ID, None),
    ("id_card", _LABELLED_ID, _is_labelled_id),
    ("id_card", _ID_TAIL, _is_id_tail),
    ("bank_card", _CARD, _is_card),
    ("travel_document", _TRAVEL_DOCUMENT, _is_travel_document),
    ("account", _ACCOUNT, _is_account),
    ("mobile", _MOBILE, _is_no_record_number),
    ("mobile", _SPACED_MOBILE, None),
    ("mobile", _PARTIAL_MOBILE, None),
    ("mobile", _FOREIGN_PHONE, _is_foreign_phone),
    ("landline", _LANDLINE, _is_no_record_number),
    ("landline", _LOCAL_LANDLINE, _is_labelled_phone),
    ("plate", _PLATE, _is_plate),
    ("plate", _PLATE_WITHOUT_PROVINCE, _is_labelled_plate),
    ("mobile", _MISTYPED_MOBILE, _is_labelled_phone),
    ("mobile", _LABELLED_MOBILE, _is_labelled_phone),
    ("landline", _LABELLED_LANDLINE, _is_labelled_phone),
    ("mobile", _LABELLED_CHUNKED_MOBILE, _is_labelled_chunked_mobile),
    ("qq", _QQ, _is_qq),
    ("wechat", _WECHAT, _is_wechat),
    ("wechat", _QQ, _is_wechat),  # 加v12345678: a number given as the WeChat id
    ("account", _WECHAT, _is_social_account),  # 抖音号 wugang_xiaomei
)


# The hundred commonest surnames (about 85 % of people), those common in Hunan beyond them (the board's signatures
# left 易建光, 喻和平, 申波中, 粟华爱, 文圣军 … unmasked), and the compound ones still in use.
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
             "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
             "易伍喻聂申粟匡封符温左屈丘颜邝柳蒲童舒邢殷鲁倪葛涂傅卜庞梅冷邬岳毕闵樊项柏戚滕焦鲍詹祁辛裴翟饶凌褚阮苗靳霍"
             "乔文常时章谌")
_COMPOUND_SURNAMES = "欧阳|司马|诸葛|上官|东方|皇甫|尉迟|公孙|慕容|令狐|长孙|宇文|司徒|夏侯"
# A label that introduces a person by role (姓名：, 投诉人, 我叫 …) or as the caller's relative (其母亲刘桂英的…), or
# only by standing (本人, 村民, 业主 …), which as often opens a sentence (本人于去年3月…, 业主向物业反映…).
_PERSON_LABEL = re.compile(r"(?:姓名|联系人|联络人|来电人|留言人|来信人|反映人|反应人|报告人|投诉人|举报人|控告人|信访人|受害人|申请人|诉求人"
                           r"|咨询人|求助人|当事人|户主|收件人|收货人|发帖人|欠薪人"
                           # a patient, the dead, a suspect: health and crime are sensitive (a privacy officer's round)
                           r"|(?P<sick>患者|病人|死者|伤者|犯罪嫌疑人|嫌疑人)"
                           # a letter to the mayor's mailbox signs off: 此致 敬礼！ 张卫东
                           r"|此致\s*敬礼[!！。,，]?"
                           # 我姓李，木子李，叫李建国: a caller spells the surname out before the name
                           # (房东姓黄叫黄志强: anyone's, not 老百姓叫苦)
                           r"|签名|落款|署名|我叫做?|我?名字(?:好像|大概|可能|应该|听说)?(?:叫做?|是)?|我名|名叫做?"
                           r"|(?<![百同贵])姓[\u4e00-\u9fff]{1,2}[^。！？!?\n]{0,8}?(?:名)?叫"
                           r"|[他她]叫|孩子叫|小孩叫|老人叫|老人家叫|男子叫|女子叫|男的叫|女的叫|对方叫|的人叫|分别是|分别为"
                           # someone the caller names in passing (有个叫夏国华的在电鱼, 一个叫曾德旺的…: an environment
                           # agent's round left them readable)
                           r"|[有一那这]\s?个叫做?"
                           # someone by their trade (卖菜的叫谭春生, 开车的叫…: a city-management re-tester's round)
                           r"|(?:卖|开|修|收|摆)[\u4e00-\u9fff]{0,4}的叫"
                           # an agent's note of the full name, and the holder of the account a subsidy is paid into
                           r"|全名|(?<![用客])户名|开户名|开户人|账户名"
                           # …黄老师，叫黄建军: the name said after a pause
                           r"|(?<=[，,])叫"
                           # a relative or a neighbour, never inside a longer word (妇女儿童)
                           r"|母亲|父亲|儿子|(?<!妇)女儿|妻子|丈夫|爱人|老伴|儿媳妇|儿媳|女婿|孙子|孙女|外孙(?!女)|其子(?!女)|其女(?!儿)|其夫(?!人)|其妻(?!子)"
                           r"|哥哥|姐姐|弟弟|妹妹|岳父|岳母|公公|婆婆|我爸爸|我妈妈|爸爸|妈妈|我爸|我妈|[他她娃]爸|[他她娃]妈"
                           r"|爷爷|奶奶|外公|外婆|邻居|住户|工友|农民工(?!程)"
                           # a neighbour by where they live (隔壁周建国家里天天烧垃圾: an integrator's round)
                           r"|(?P<beside>隔壁|对门|楼上|楼下)"
                           r"|叔叔|伯伯|舅舅|姑姑|姑父|姨父|侄子|侄儿|侄女|外甥女|外甥|表哥|表姐|表弟|表妹|表嫂|堂哥|堂姐|堂弟|堂妹"
                           # …and as a rural land agent's callers said them (堂兄谢长根, 他哥刘建国), and who led a group
                           # (带头的叫陈大军: a transport agent's)
                           r"|堂兄|表兄|堂嫂|(?<!其)[他她我]哥(?![们哥])|(?:带头|领头|为首)的(?:人)?(?:叫|是)"
                           r"|弟媳妇|弟媳|弟妹|[大二三四小]?嫂子?"  # …as rural callers say them (我大嫂刘翠花, 我弟媳妇李红)
                           r"|外孙女"  # 外孙 read 女刘子 as the name
                           # a spouse as callers name one (我老公叫李建军, 我堂客刘桂花…)
                           r"|老公|老婆|媳妇|堂客|老倌|前夫|前妻|男朋友|女朋友"
                           # an agent's ticket template: 【来电人】张建国【联系电话】…, 投诉人 | 张建国 | …
                           # any run of spaces counts as one: `model_text` masks text as typed (举报人 \xa0 \xa0陈洪道)
                           r"|(?P<standing>我是|本人|市民|村民|居民|(?<!物)业主)"
                           # a child the ticket is about (留守儿童李梓萱（8岁）, 学生刘子轩在…被欺凌); 孩子王 is a chain of baby
                           # shops
                           r"|(?P<child>小孩|孩子(?!王)|(?<!妇女)儿童|学生|女孩|男孩|小朋友))"
                           r"(?:\s*[是为叫:：】\]）)（(|｜\-—“”\"'‘’「」『』，,]){0,3}\s*")
# What a caller ends a sentence with where a typed ticket has a mark (我是李建国啊, and the 武冈 我是刘德明哒 / 咯 / 嘞):
# it ends a name and is never part of one.
_PARTICLES = "啊呀哈嘛呢吧哦噢哒咯嘞噻嗯"
_NAME = f"((?:{_COMPOUND_SURNAMES}|[{_SURNAMES}])((?:(?![{_PARTICLES}])[\u4e00-\u9fff]){{1,2}}))"
_PUNCTUATION = r"[\s，。、；：！？,.;:!?（）()《》“”\"'*【】\[\]|｜\-—]"
# After a role a name runs up to anything that is no Chinese character (punctuation, a number, an emoji), the next
# item of a signature (联系电话, 身份证, 男/女, 家住…), a title (张建国先生), 的, 是, what an agent writes next
# (来电人张建国反映…) or what a relative did (我儿子王磊在…, 老伴张秀兰走失了, 户主邓建华家的房子) and when (小孩陈浩然上周在…);
# after a standing up to punctuation, or as below.
_END_OF_NAME_AFTER_ROLE = ("[^\u4e00-\u9fff]|联系|电话|手机|身份|家住|住在|现住|地址|住址|今年|去年|前年|上周|上个?月|昨天|前天|今天"
                           "|反映|表示"
                           "|来电|投诉|举报|咨询|要求|先生|女士|同志|[男女的是称说在住家于已被和与因曾也又把不]|走失|去世"
                           f"|[{_PARTICLES}]"
                           "|一直|多次|购买|代为|强烈|有关|没有|冇|还是|或者|$")
_NAME_AFTER_ROLE = re.compile(f"{_NAME}(?={_END_OF_NAME_AFTER_ROLE})")
_NAME_BEFORE_PUNCTUATION = re.compile(_NAME + f"(?={_PUNCTUATION}|[{_PARTICLES}]|$)")
# After a standing, a name may also run up to where the writer says more about the person (本人龙飞利家住…, 本人符东晓16岁,
# 村民邓德明反映…) or, a full three-character name only, up to what the person is or did (村民蔡云庆的安置款, 村民徐飞鹏是…,
# 村民张卫东强占…, 市民王卫国称…; 业主付费的 is no name), never a place's name (村民黄家冲的…).
_NAME_BEFORE_DETAIL = re.compile(_NAME + "(?=家住|住在|现住|今年|反映|投诉|举报|[0-9０-９])")
_PLACE_ENDINGS = frozenset("冲湾坪塘组铺桥山岭坡垅院屋场")
_HOME_PIECE = "[0-9０-９一二三四五六七八九十]+(?:[-－][0-9０-９]+)*(?:组|号|栋|幢|单元|楼|室)"
# …down to the house (我是晏田乡白竹村3组15号的刘翠兰: a medical desk's round)
_WRITERS_PLACE = re.compile(f"[\u4e00-\u9fff]{{1,10}}?(?:镇|乡|村|街道|社区|小区|{_HOME_PIECE})(?:{_HOME_PIECE})*的")
# …or what the writer is, then the name (我是家长周海涛, 我是环卫工人李春花, 我是工人代表王秋生, 我是退伍军人高峰，)
_WRITERS_ROLE = re.compile("(?:[\u4e00-\u9fff]{0,2}?(?:家长|乘客|代表|工人|军人|车主|患者|病人|学生|职工|员工|党员|农民|老人"
                           "|退休人员|个体户))+[\\s:：、]*")
_FULL_NAME_BEFORE_OF = re.compile(f"((?:{_COMPOUND_SURNAMES}|[{_SURNAMES}])([\u4e00-\u9fff]{{2}}))"
                                  "(?=[的是系称说于想在已被因]|强占|盗伐|长期|多次)")
# After a role, a name whose surname is also a word (来电人文圣军反映…, 举报人万珠宝联系电话…) when the next item of a
# ticket follows: a full name only, so that 投诉人向法院反映 stays (a name never ends in 院, 局 …).
_WORDLIKE_NAME_BEFORE_ITEM = re.compile(f"([{_SURNAMES}]([\u4e00-\u9fff]{{2}}))(?=反映|来电|联系|电话|手机|身份|[0-9０-９])")
# The next name of a list after a role (投诉人：李专红、陈歌、李菲; 联系人：李专红139…，曹昕彦139…; 求助人龙某，龙飞利，龙宇系一家人):
# a separator, then a name that ends where a list item ends. In a list by 、 an item whose surname is not among ours
# (首小兰) is passed over, so that the names after it are still found. A list ends in what it counts too (邻居李长生、
# 李长发兄弟, 村民张德贵、李长发、刘三妹三人霸占, and an education agent's round's 张丽、王浩两个同学没去就被罚站).
_GROUP_OF_PEOPLE = ("[两三四五六七八九几]?(?:兄弟|姐妹)|夫妇|夫妻|[两三四五六七八九几]个?人|等"
                    "|[两三四五六七八九几]个(?:同学|学生|孩子|小孩|伢子|工人|老人|家长|老师)")
_LIST_ITEM_END = f"(?={_PUNCTUATION}|[0-9０-９]|[和及与系均共]|{_GROUP_OF_PEOPLE}|联系|电话|反映|投诉|举报|$)"
_NEXT_NAME_IN_LIST = re.compile(f"[*＊×0-9０-９]*\\s*(?:[、，,和及与]\\s*{_NAME}{_LIST_ITEM_END}"
                                f"|、[\u4e00-\u9fff]{{2,3}}(?=、))")
# …and a name joined to a name found anywhere (张伟和李娜是夫妻, 学生邹琪念、刘雷没有到校), by a word or a mark that joins no
# clauses, ending as a name after a role does
_JOINED_NAME = re.compile(f"\\s*(?:[、和与及]|以及)\\s*{_NAME}(?={_END_OF_NAME_AFTER_ROLE}|{_GROUP_OF_PEOPLE})")
# Surnames that are also prepositions or common words (投诉人向法院…, 举报人曾在…, 业主许可…): such a name must end
# at punctuation whatever the label, or, after a role, be a full name before the next item of the ticket.
_WORDLIKE_SURNAMES = frozenset("向于曾许谢方高万石金江马常时文左温冷卜")
_PREPOSITION_SURNAMES = frozenset("向于")  # 向领导反映, 于今年投诉: to whom or when, far more often than who
# 唐氏 (综合征) is a clan, or a condition, not a person
_NOT_A_GIVEN_NAME_START = frozenset("在于是曾向对将已也都把被给从到因为的了着过去今年月日第这那其该此每各们某氏")
# …though these start given names of older rural callers as often (秦月娥, 张月梅, 刘为民, 王向东, 李其昌: a blind
# round's leaks after 姓名： and 来电人): two characters that make no word starting with them (月底, 为了, 其他)
_GIVEN_NAME_STARTS_TOO = frozenset("月为向其")
_WORDS_NOT_GIVEN_NAMES = frozenset("月底 月初 月中 月份 月薪 月亮 月饼 月票 月租 月供 月子 月末 月度 为了 为止 为何 为啥 为主 为人 为此 "
                                   "为难 为什 向前 向后 向着 向来 向上 向下 向外 向内 其他 其它 其中 其实 其余 其次 其间 其后 其妻 "
                                   "其夫 其子 其女 其母 其父 其家 其人 其本".split())
# 我是金陵镇…, 我是武冈人, 我是龙溪的: a place or where one is from, not a name; nor an office (林业局0739-…,
# 投诉人向法院反映) or a trade (我是程序员), nor a surname and 等 (谭等三人说…) or 姓 (投诉杨姓说…), nor what one has become
# (我是常客了). (家 and 会 end real names: 周忠家, 朱琼会.)
_NOT_A_GIVEN_NAME_END = frozenset("镇乡村市区县省街路人的局院所委府部厅处科队站办员次等姓了")
# what follows a label and a surname-like character as often as a given name does (村民签名向街道反映)
_NOT_GIVEN_NAMES = frozenset("街道 社区 政府 部门 领导 单位 特岗".split())  # 特岗: 补贴钱特岗老师
# Words after a label that start with a surname (业主许可…, 来电人周一来电…, 来电人陈述：…), each two characters: no
# name starts with one.
_NOT_NAMES = frozenset("许可 谢谢 孙子 孙女 方面 方便 高兴 万一 于是 马上 时间 陈述 周一 周二 周三 周四 周五 周六 周日 周末"
                       " 申请 申报 申诉 申领 申明 文件 易于 凌晨 任何"
                       # kin of three generations up or down (亲戚曾祖母百岁, 我老公曾祖父是烈士: an over-masking round)
                       " 曾祖 曾孙 高祖 玄孙"
                       # a health liaison's round, after 护士 and 患者: 护士白班早上…, 患者高达20多万
                       " 白班 高达"
                       # after 孩子 and before 老师 (a school-season agent's round): 孩子熊猫血 (jieba tags 熊猫 a name),
                       # 高三老师
                       " 熊猫 高一 高二 高三".split())
_TITLES = frozenset("先生 女士 小姐 师傅 老师 同学 阿姨 同志 大爷 大妈 老板 经理 主任 书记 局长 市长 镇长 村长 县长 区长 乡长 省长 厅长"
                    " 处长 科长 所长 院长 校长 部长 站长 队长 行长 主席 董事长 总经理 医生 护士 总 工".split())


# A name followed by the person's sex, as a signature or a statement of facts gives one with no label before it
# (…。罗卫显，男，西地省M3县人; 基本情况：周南武，男，50岁); it must start after punctuation, so that no word before it
# lends the name its first character.
_NAME_WITH_SEX = re.compile(f"(?:^|(?<={_PUNCTUATION})){_NAME}(?=[，,（(]\\s*[男女][，,、）)])")


# The caller named by the agent's usual opening, 张建国来电反映… or 市民张建国来电称…: the name starts a sentence or
# follows a standing, and ends at the call. A surname that is also a word (于是我致电…) is left out here.
_AFTER_STANDING = "(?<=市民|村民|居民|业主|群众)"
# …or the caller's village or house (白竹村刘翠兰来电, …3组15号刘翠兰来电: a medical desk's round)
_NAME_BEFORE_CALL = re.compile(f"(?:^|(?<={_PUNCTUATION})|{_AFTER_STANDING}|(?<=的)|(?<=村|组|号))"
                               f"(?![{''.join(sorted(_WORDLIKE_SURNAMES))}])((?:{_COMPOUND_SURNAMES}|[{_SURNAMES}])"
                               f"((?:(?![{_PARTICLES}又再])[\u4e00-\u9fff]){{1,2}}))"
                               # 黄国建先生来电, 王芳又来电 (又 is no part of the name), 黄国建 再次来电
                               "(?=(?:先生|女士)?\\s*(?:再次|又一次|又|多次|第[一二三四五六七八九十两0-9]+次)?"
                               "(?:来电|致电|来访|来信))")
# …and the agent's shorter opening, 刘德明反映… / 陈建军投诉… / 王建华说…, and 张伟反映 / 王芳投诉 (two characters before
# 反映 are as often who or what reports, 群众, 周边, 方面: words, which `_is_name` refuses).
_NAME_BEFORE_REPORT = re.compile(f"(?:^|(?<={_PUNCTUATION})|{_AFTER_STANDING})"
                                 f"(?![{''.join(sorted(_WORDLIKE_SURNAMES))}])"
                                 f"((?:{_COMPOUND_SURNAMES}|[{_SURNAMES}])"
                                 f"((?:(?![{_PARTICLES}又再])[\u4e00-\u9fff]){{1,2}}?))"
                                 # before 说 / 称 a full name only: 汤圆说, 龙虾说, 易燃说明 are things
                                 "(?=(?:先生|女士)?(?:反映|投诉|举报)|(?<=[\u4e00-\u9fff]{3})(?:说|称))")
# …and there a full name whose surname is also a word (曾志明反映…, 村民谢国强说…, 谢建军来电反映: a wage-arrears agent's
# round), where jieba reads a name in it: 曾多次, 许多人, 高兴地 are words before 反映 as often.
_WORDLIKE_NOT_PREPOSITIONS = "".join(sorted(_WORDLIKE_SURNAMES - _PREPOSITION_SURNAMES))
_WORDLIKE_NAME_BEFORE_REPORT = re.compile(f"(?:^|(?<={_PUNCTUATION})|{_AFTER_STANDING})"
                                          f"([{_WORDLIKE_NOT_PREPOSITIONS}]([\u4e00-\u9fff]{{2}}))"
                                          "(?=(?:先生|女士)?(?:反映|投诉|举报|说|称|来电|致电|来访|来信))")
# a full name of three characters, whatever follows it (read by jieba: `_tagged_full_name`)
_FULL_NAME = re.compile(f"([{_SURNAMES}]([\u4e00-\u9fff]{{2}}))")
# A household by its head's full name after its village or group (塘湾村邓满秋户), or a person said to be the one meant
# (打到邓满秋本人账户): how a unit's reply names the caller (a township liaison's round kept the name in clear).
_HOUSEHOLD_NAME = re.compile(f"(?:(?<=村)|(?<=组))((?:{_COMPOUND_SURNAMES}|[{_SURNAMES}])([\u4e00-\u9fff]{{2}}))(?=户)"
                             f"|((?:{_COMPOUND_SURNAMES}|[{_SURNAMES}])([\u4e00-\u9fff]{{2}}))(?=本人)")
# A letter's signature, 何祥善敬上: a name right before it, at the start or after punctuation.
_NAME_SIGNING = re.compile(f"(?:^|(?<={_PUNCTUATION})){_NAME}(?=敬上|谨上|拜上)")
# The account an official reply greets (网友“用心良苦”您好, 网友"UU008792"), or a message names (网名“岁月静好”, 昵称"…"): a
# person's handle, whatever it looks like.
_GREETED_ACCOUNT = re.compile(r"(?:网友|网名|昵称|用户名|微信名)\s*[叫是为:：]?\s*[“\"「『]([^”\"」』\n]{1,20})[”\"」』]")
# A handle a web or WeChat thread names (回复 @张建国：…, @武冈小王子 你好: a web channel's round), ended as the platforms
# end one, by a space or a colon (what runs on is the message: @武冈老李卖假酒，… kept the complaint only as 卖假酒 once
# masked), or a board's or a portal's header line gives (网友：武冈老百姓, 发帖人：山里人: a platform integrator's round);
# not a unit's account (@武冈市人社局, @龙溪村村委会), a word (@社保 卡怎么补办, @物业), everyone (@所有人), nor a greeting
# (网友：您好).
_MENTIONED_ACCOUNT = re.compile(r"(?<![A-Za-z0-9._%+\-])[@＠]\s?(?!所有人|全体)"
                                r"((?=[A-Za-z\u4e00-\u9fff])[^\s@＠，。：:,.!！？?；;、()（）“”\"'《》【】\[\]]{2,16})(?=[\s:：])"
                                r"|(?:网友|发帖人|回帖人)\s*[:：]\s*(?![您你])"
                                r"((?=[A-Za-z\u4e00-\u9fff])[^\s，。：:,.!！？?；;、()（）]{2,12})(?=\s|$)")
_UNITS_ACCOUNT = re.compile("(?:局|委|委会|办|政府|中心|公司|集团|银行|医院|学校|大队|中队|所|站|院|馆|部|厅|处|科|热线|12345"
                            # 马坪乡's account, not a 老乡 or a 家乡 (网友“武冈老乡”: a knowledge-base trainer's round)
                            "|街道|社区|镇|(?<![老家同故水])乡|村|小区|物业|官方|客服)$")
# A name the text greets (李秀英您好：…, 张建国先生你好), as an official reply opens: at the start or after punctuation.
_NAME_GREETED = re.compile(f"(?:^|(?<={_PUNCTUATION})){_NAME}(?:先生|女士|同志)?[,，:：\\s]*[您你]好")


# A name right before a phone number, as a signature or a list of residents gives one with no label (…。马晓英139…;
# 代表:谭为立0739-…，张民子0739-…; 带头的是我，王铁军，137…) or an agent types one after a ticket (…，刘建军 电话158…,
# 刘建军，手机：158…): it starts after punctuation, at the start or after a standing.
_NAME_BEFORE_NUMBER = re.compile(f"(?:^|(?<={_PUNCTUATION})|{_AFTER_STANDING}|(?<=代表)){_NAME}"
                                 "(?:\\s*[，,]?\\s*|[（(](?:联系)?(?:电话|手机)?[:：]?"
                                 "|[\\s，,]*(?:联系)?(?:电话|手机)(?:号码?)?[:：]?\\s*)$")
_PHONE_KINDS = frozenset({"mobile", "landline"})


def _is_name(name: str, given: str) -> bool:
    starts = given[0] not in _NOT_A_GIVEN_NAME_START or (
        given[0] in _GIVEN_NAME_STARTS_TOO and len(given) == 2 and given not in _WORDS_NOT_GIVEN_NAMES)
    return (starts and given[-1] not in _NOT_A_GIVEN_NAME_END
            and given not in _TITLES and given not in _NOT_GIVEN_NAMES and "某" not in given
            and name[:2] not in _NOT_NAMES and not _is_place(name) and not _FAMILY_PLACE.fullmatch(given)
            and not _is_common_word(name) and not _starts_with_common_word(name)
            and not _is_common_function_word(given))


_WORD_NOT_NAME = 10  # 钱包 counts 98, 黄疸 134; the names the dictionary holds as other words are rarer still


def _dictionary_entry(word: str) -> tuple[int, str | None]:
    """How often jieba's dictionary counts `word`, and its tag (None where it holds no such word)."""
    tagger = _tagger()
    return tagger.tokenizer.FREQ.get(word, 0), tagger.word_tag_tab.get(word)


def _is_common_word(name: str) -> bool:
    # 我爸钱包被偷了, 我儿子黄疸住院: a word jieba's dictionary holds, and not as a name, read as a relative's name was
    # masked wherever the ticket said it again; nor a word it tags a name that counts like an everyday one (当儿童顾问:
    # 顾问 counts 1,697, 李娜 438)
    count, tag = _dictionary_entry(name)
    return count >= _WORD_NOT_NAME and (tag not in _GIVEN_NAME_FLAGS or count >= _COMMON_GIVEN_NAME)


_VERB_FLAGS = ("v", "vd", "vn", "d", "p", "c")
# …nor one of the commonest numerals, times, places and pronouns (几户居民曾一起投诉: 一起 counts 15,976), where rarer ones
# are given names as well (国庆 131, 一一 1,670)
_FUNCTION_WORD_FLAGS = ("m", "t", "f", "r")
_EVERYDAY_WORD = 5000


def _is_common_function_word(given: str) -> bool:
    # 吴回复称…, 廖组长说… (jieba tags 组长 a verb): a surname before what someone did is no name, where a given name
    # that is also a word is a noun (建军, 建华, 建国)
    count, tag = _dictionary_entry(given)
    return len(given) == 2 and (count >= _COMMON_WORD and tag in _VERB_FLAGS
                                or count >= _EVERYDAY_WORD and tag in _FUNCTION_WORD_FLAGS)


def _is_everyday_noun(given: str) -> bool:
    count, tag = _dictionary_entry(given)
    return count >= _COMMON_GIVEN_NAME and tag == "n"


_PREFIX_NOT_NAME = 30  # 周岁 counts 496, 钟表 171, 钟点 34; 梁国 14, 文家 11 and 黄友 10 start 梁国建, 文家善, 黄友秀
_PROPER_NOUN_FLAGS = ("nr", "nrfg", "nrt", "ns", "nz")  # 欧阳, 龙华, 李子 start names too


def _starts_with_common_word(name: str) -> bool:
    """Does a three-character "name" start with an everyday word (我儿子周岁宴在酒店办, 我爸爸钟表店被强拆了)?"""
    start = name[:2]
    count, tag = _dictionary_entry(start)
    # 王家, 黄家 (the 王 family) start 王家明 and 黄家辉 as often; 司徒 is a surname (司徒雷)
    return (len(name) > 2 and start[1] != "家" and start not in _COMPOUND_SURNAME_WORDS
            and count >= _PREFIX_NOT_NAME and tag not in _PROPER_NOUN_FLAGS)


def _is_place(word: str) -> bool:
    # The deployment's places start with a surname as often as names do (我是司马冲，…; 我是邓家铺的): masking one hid
    # the ticket's township from routing.
    return word in deployment_area().place_words


def _labelled_names(text: str) -> set[str]:
    names = {match.group(1) for pattern in (_NAME_WITH_SEX, _NAME_BEFORE_CALL, _NAME_SIGNING, _NAME_GREETED)
             for match in pattern.finditer(text)
             if _is_name(match.group(1), match.group(2))}
    # before 本人 only where jieba reads a name (感谢您对本人, 这张卡是本人, 下午时许因本人 are words)
    names |= {name for match in _HOUSEHOLD_NAME.finditer(text)
              if (name := match.group(1) or match.group(3)) and _is_name(name, match.group(2) or match.group(4))
              and (match.group(1) or _tagged_as_name(text, match.start(), name))}
    # …and before what a person says: a surname and an everyday noun (熊孩子说) are no name there, where a label or a
    # sex after it says one is (投诉人雷文学, 封群雄，男)
    names |= {match.group(1) for match in _NAME_BEFORE_REPORT.finditer(text)
              if _is_name(match.group(1), match.group(2)) and not _is_everyday_noun(match.group(2))}
    names |= {match.group(1) for match in _WORDLIKE_NAME_BEFORE_REPORT.finditer(text)
              if _is_name(match.group(1), match.group(2)) and not _is_everyday_noun(match.group(2))
              and _tagged_as_name(text, match.start(), match.group(1))}
    # a handle of digits alone is the board's zeroed number (0000-00000000), masked as one where it is one
    names |= {handle for pattern in (_GREETED_ACCOUNT, _MENTIONED_ACCOUNT) for match in pattern.finditer(text)
              if re.search("[A-Za-z\u4e00-\u9fff]", handle := (match.group(1) or match.group(2)).strip())
              and not _UNITS_ACCOUNT.search(handle)
              # a quoted nickname may be an idiom (网友“用心良苦”), and so may a header's (发帖人：山里人); an unquoted word
              # after @ is a word (@社保 卡怎么补办)
              and not (pattern is _MENTIONED_ACCOUNT and match.group(1) and _is_common_word(handle))}
    names |= _spoken_surname_names(text) | _names_said_apart(text)
    for label in _PERSON_LABEL.finditer(text):
        by_standing = label.group("standing") is not None
        start = _past_false_starts(text, label.end())
        if label.group("sick"):
            # a patient's word is followed by the illness or the money as often (患者左心衰, 病人钱财, 病人段时间): a
            # name only, whose surname is no word and whose given name no everyday noun, a short one jieba reads as one
            if (match := _NAME_AFTER_ROLE.match(text, start)) and match.group(1)[0] not in _WORDLIKE_SURNAMES \
                    and _is_name(match.group(1), match.group(2)) and not _is_everyday_noun(match.group(2)) \
                    and (len(match.group(1)) == 3 and not _cut_across(text, start, match.group(1))
                         or _tagged_as_name(text, start, match.group(1))):
                names.add(match.group(1))
            continue
        if label.group("beside") and _PLACE_NEXT_DOOR.match(text, start):
            continue  # 隔壁石岩头镇: the next place, not a neighbour
        if by_standing and (home := _WRITERS_PLACE.match(text, start) or _WRITERS_ROLE.match(text, start)):
            start = home.end()  # 我是秦桥镇的刘德福: where the writer lives, then the name
        match = (_NAME_BEFORE_PUNCTUATION if by_standing else _NAME_AFTER_ROLE).match(text, start)
        if match is None and by_standing and text[start : start + 1] not in _WORDLIKE_SURNAMES:
            match = _NAME_BEFORE_DETAIL.match(text, start) or _FULL_NAME_BEFORE_OF.match(text, start)
            if match is not None and match.group(2)[-1] in _PLACE_ENDINGS:
                continue
        if match is None and not by_standing and (spelt := _spelt_name(text, start, label.group(0))):
            names.add(spelt)
            continue
        if match is None:
            # a relative's or a neighbour's name runs on into the matter as often (邻居赵红梅天天堆杂物): there only a
            # word jieba tags as a name is one (邻居何时能…, 我妈贺卡收到了 are no surname and given name)
            if label.group("child"):
                # …and after a child's word a class, a thing or a school as often (小孩高二这次, 大学生段时间准备, 小孩石佳冲
                # 小学 in the segmented file): a full name only, whose surname and given name are no words
                full = _tagged_full_name(text, start)
                if full and full.group(1)[0] not in _WORDLIKE_SURNAMES and _is_name(full.group(1), full.group(2)) \
                        and not _is_everyday_noun(full.group(2)) and full.group(2)[-1] not in _PLACE_ENDINGS:
                    names.add(full.group(1))
            elif not by_standing:
                names |= _tagged_names_at(text, start, composed=bool(_NAMING_LABEL.match(label.group(0))))
                if (full := _tagged_full_name(text, start)) and _is_name(full.group(1), full.group(2)):
                    names.add(full.group(1))  # 邻居向玉兰等五户: a surname that is also a word, then a tagged name
            continue
        name, given = match.group(1), match.group(2)
        # after 我叫, 姓名 … a name is what comes, whatever else its surname can mean (我叫马丽今年60岁)
        if name[0] in _WORDLIKE_SURNAMES and not by_standing and not _NAMING_LABEL.match(label.group(0)):
            # …or a full name jieba reads as one (邻居谢美玲家天天吵, 我弟弟向小平是…: a privacy reviewer's round)
            item = _WORDLIKE_NAME_BEFORE_ITEM.match(text, start)
            if item and item.group(1)[0] in _PREPOSITION_SURNAMES and not _tagged_as_name(text, start, item.group(1)):
                item = None  # 邻居向物业反映: to whom, not who
            match = _NAME_BEFORE_PUNCTUATION.match(text, start) or item or _tagged_full_name(text, start)
            if match is None or _is_everyday_noun(match.group(2)):  # 嫌疑人曾低保对象: once on 低保, no 曾低保
                continue
            name, given = match.group(1), match.group(2)
        if _is_name(name, given):
            if not _is_place(name := _without_word_after(name, given)):  # 村民龙溪于5月…: the place, once cut
                names.add(name)
                # the start the caller broke off is the name's start too (我是刘德，刘德明: 刘德 stayed readable)
                names |= {piece for piece in re.findall("[\u4e00-\u9fff]{2,}", text[label.end() : start])
                          if name.startswith(piece)}
            names |= _names_listed_after(text, match.end())
        elif "某" in given:  # 投诉人：李某、陈歌、李菲: the first is already hidden, the others are not
            names |= _names_listed_after(text, match.end())
    return names


_NAMING_LABEL = re.compile("姓名|我叫|名叫|我名|我的名字|名字")
# A place's name where a neighbour's might be (隔壁石岩头镇, 隔壁周家湾): a few characters, then what ends a place
_PLACE_NEXT_DOOR = re.compile("[\u4e00-\u9fff]{1,3}?[头家塘桥山田坡江岩门]?[镇乡村湾寨冲坪岭]")
# A name typed a character at a time (申请人：刘 建 华, as a caller spells it out), or in pinyin after 我叫 / 姓名 (我叫Liu
# Jianhua): the name detectors read neither. Three characters: a spaced transcript's 邻居 王 说，is no name.
_SPACED_NAME = re.compile(f"(?:{_COMPOUND_SURNAMES}|[{_SURNAMES}])(?:[ \u3000]+[\u4e00-\u9fff]){{2}}"
                          f"(?={_PUNCTUATION}|$)")
_PINYIN_NAME = re.compile("[A-Z][a-z]{0,5}(?: ?[A-Z][a-z]{0,6}){1,2}(?![A-Za-z])")


def _spelt_name(text: str, start: int, label: str) -> str | None:
    if (spaced := _SPACED_NAME.match(text, start)) and _is_name(name := re.sub(r"\s", "", spaced.group()), name[1:]):
        return spaced.group()
    if _NAMING_LABEL.match(label) and (pinyin := _PINYIN_NAME.match(text, start)):
        return pinyin.group()
    return None

# A caller on the phone hesitates or starts over before the name, and a transcript keeps it all (我叫 我叫刘 刘德明,
# 我叫那个 嗯 刘德明, 我是 呃 李建国): what comes before the name is passed over, a false start only where the same
# characters follow.
_FALSE_START = re.compile(r"(?:(?:[嗯呃啊额哦]+|那个|就是)[\s,，、…]*|([\u4e00-\u9fff]{1,2})[\s,，、…]+(?=\1))+")
# The surname said before the name, as an agent's 您贵姓？ is answered (我姓王 王建军, 市民：姓张，张国庆): the same
# surname starts the name.
_SPOKEN_SURNAME = re.compile(f"(?<![百同])姓({_COMPOUND_SURNAMES}|[{_SURNAMES}])[\\s,，、…]+(?=\\1)")


def _past_false_starts(text: str, at: int) -> int:
    false_start = _FALSE_START.match(text, at)
    return false_start.end() if false_start else at


_FAMILY_PLACE = re.compile(f"家[{''.join(sorted(_PLACE_ENDINGS))}]?")


# …or said apart from the given name (来电人自称姓刘名德福): the given name is masked where it stands, and the two as
# one wherever the text writes the name whole. One character given alone (姓王名强) would mask that character everywhere.
_SURNAME_APART = re.compile(f"(?<![百同贵])姓({_COMPOUND_SURNAMES}|[{_SURNAMES}])[\\s,，、]*名(?:字?叫|字?是)?"
                            f"((?:(?![{_PARTICLES}])[\u4e00-\u9fff]){{2}})(?![\u4e00-\u9fff])")


def _names_said_apart(text: str) -> set[str]:
    return {part for said in _SURNAME_APART.finditer(text) if _is_name(said.group(1) + said.group(2), said.group(2))
            for part in (said.group(1) + said.group(2), said.group(2))}


def _spoken_surname_names(text: str) -> set[str]:
    # what follows may be the family's place or house instead (我姓张，张家冲的路烂了; 姓刘，刘家的祠堂被拆了), never a name
    # ending in 山 or 坪 (刘振山, 陈志坪) nor one with 家 inside (王家明)
    return {match.group(1) for said in _SPOKEN_SURNAME.finditer(text)
            if (match := _NAME_AFTER_ROLE.match(text, said.end())) and _is_name(match.group(1), match.group(2))
            and not _FAMILY_PLACE.fullmatch(match.group(2))}


# A verb or preposition written right after a name (投诉人王芳称：…, 妻子陈丽于2020年…) is no part of it: masked with the
# name, it left the name's later mentions (王芳多次找物业) visible.
_WORD_AFTER_NAME = frozenset("称说于在是")


def _without_word_after(name: str, given: str) -> str:
    return name[:-1] if len(given) == 2 and given[-1] in _WORD_AFTER_NAME else name


def _names_listed_after(text: str, end: int, next_name: re.Pattern[str] = _NEXT_NAME_IN_LIST) -> set[str]:
    names: set[str] = set()
    while match := next_name.match(text, end):
        name, given = match.group(1, 2)
        if name is not None:
            if name[0] in _WORDLIKE_SURNAMES or not _is_name(name, given):
                break
            names.add(_without_word_after(name, given))
        end = match.end()
    return names


def _names_joined_to(text: str, names: set[str]) -> set[str]:
    joined: set[str] = set()
    new = names
    while new:
        found = {name for known in new for mention in re.finditer(re.escape(known), text)
                 for name in _names_listed_after(text, mention.end(), _JOINED_NAME)}
        new = found - names - joined
        joined |= new
    # 刘利宏、刘雪，… 刘利宏、刘雪以“不继续施工…”: the word after a name it found elsewhere is no part of it
    return {name for name in joined if not any(name[:-1] == other for other in names | joined)}


# People no label introduces, listed with what they are together (刘建军、刘建华两人占用道路, 市民反映张伟、李娜两人欠钱不还,
# 张伟和李娜夫妇): names, each of them, where every item is one. A surname that is also a word does not start the list
# (向张伟、李娜两人: to whom), unless every item is a full name of that surname or one jieba reads as a name (曾宪文、曾宪武两人).
_NAMES_LISTED = f"{_NAME}(?:[、和与]{_NAME})+(?={_GROUP_OF_PEOPLE})"
_GROUP = re.compile(f"(?![{''.join(sorted(_WORDLIKE_SURNAMES))}]){_NAMES_LISTED}")
_WORDLIKE_GROUP = re.compile(f"(?=[{''.join(sorted(_WORDLIKE_SURNAMES))}]){_NAMES_LISTED}")
_GROUP_ITEM = re.compile(f"{_NAME}(?=[、和与]|$)")


def _grouped_names(text: str) -> set[str]:
    names: set[str] = set()
    for group in [*_GROUP.finditer(text), *_WORDLIKE_GROUP.finditer(text)]:
        listed, items, at = group.group(), [], 0
        while item := _GROUP_ITEM.match(listed, at):
            items.append(item)
            at = item.end() + 1
        if group.re is _WORDLIKE_GROUP and not _full_names_of_a_family_or_tagged(text, group.start(), items):
            continue
        if at > len(listed) and all(_is_name(item.group(1), item.group(2)) for item in items):
            names |= {item.group(1) for item in items}
    return names


def _full_names_of_a_family_or_tagged(text: str, start: int, items: list[re.Match]) -> bool:
    """Whether the items of a list at `start` that a word-like surname begins are names: each a full name, and all of
    one surname (曾宪文、曾宪武) or each one jieba reads as a name."""
    names = [item.group(1) for item in items]
    return all(len(name) == 3 for name in names) and (
        len({name[0] for name in names}) == 1
        or all(_tagged_as_name(text, start + item.start(), name) for item, name in zip(items, names)))


# A third party named by role (包工头李建国拖欠…, 村支书周正平侵占…, 法定代表人陈建明…): the name a complaint gives of an
# official or a boss is personal data too, and a past case suggested to another caller would pass it on. The word
# after the role is a name only where jieba tags it as one (nr) and its dictionary does not hold it as a common word
# (店主文明经营, 老板钱财): 书记高度重视, 老师严重违反, 主任何时 stay. (联系 names no role, but whom the caller turns to
# the same way: 请联系王建华处理.)
_FULL_NAME_ONLY_ROLES = "孩子|教师"
_ROLE = re.compile("法定代表人|法人代表|法人|负责人|董事长|总经理|经理|老板|包工头|店主|房东|会计|村支书|支书|书记|村长|主任|"
                   "队长|组长|站长|所长|厂长|校长|院长|医生|班主任|老师|镇长|乡长|县长|区长|局长|科长|处长|"
                   "租客|司机|队员|保安|民警|辅警|网格员|车主|乘客|家长|联系|"
                   # a privacy reviewer's round: 村干部龙建国说…, 工作人员欧阳建平…, 家庭成员龙建国名下… (老人 and 孩子
                   # precede things as often: 孩子熊猫血, 老人李子树)
                   "干部|工作人员|家庭成员|亲戚|"
                   # a blind round: 城管执法人员谢军, 受伤的工人唐明, 卖家叫张红
                   "执法人员|执法队员|工人|卖家|买家|"
                   # a city-management liaison's round: 卖烤红薯的摊主叫李四毛, then its re-tester's: 他那个帮工叫杨二毛
                   "摊主|摊贩|帮工|"
                   # a colleague or a friend owed the same wages (我同事叫王小明也被欠薪, 朋友刘建华借了…)
                   "同事|同学|朋友|室友|老乡|"
                   # a shift leader's round: 欠款人周杰，…
                   "欠款人|借款人|债务人|被投诉人|被举报人|被申请人|肇事者|肇事人|承包人|"
                   # a wage-arrears re-tester's: 工头刘某, 施工员马俊
                   "工头|施工员|"
                   # a transport agent's round: 学员李小燕, 教练周国庆收了她800元
                   "学员|教练|驾驶员|"
                   # a winter agent's and a health liaison's rounds: 五保户老人刘满秋, 村民张德福家, 患者家属刘桂芝反映,
                   # 护士杨丽, 孙子王宇轩 (老人 alone stays out, see above; so do 患者 and 病人, before what the patient
                   # has as often: 患者苏醒后, 患者左心衰)
                   "五保户老人|低保户老人|五保户|低保户|残疾人|独居老人|孤寡老人|空巢老人|留守老人|村民|居民|家属|护士|护工|"
                   "儿子|女儿|孙子|孙女|外孙|外孙女|丈夫|妻子|老伴|"
                   # a housing agent's round: 楼上业主王小红好几次都不理, 把业主李四平打伤了
                   "(?<![物企])业主|住户|租户|邻居|房客|"
                   # a school-season agent's round: 孩子王浩然在实验小学, 来电人系武冈一中教师胡建平; these two precede
                   # things as often (孩子童真, 教师周转房), so only a full name that ends as names end follows them
                   f"{_FULL_NAME_ONLY_ROLES}")

_ROLE_SAYS_NAME = re.compile("(?:名叫|叫做|叫|是)?")
# …and a full name there that jieba cuts as a name's parts, the surname off (包工头曾 | 国华, 老板谢 | 建军, 村民张 | 德福,
# 家属周 | 建国: a given name it holds as a place) or whole but tagged a place (村支书马建国): a wage-arrears agent's round,
# then a winter agent's and a health liaison's; where it ends as a person's name does or before what the person did
# (拖欠, 克扣, 跑了), a given name that does not end in a word that ends names (老板谢立在县里: 谢立); `_is_name` refuses the
# everyday words it could start (老板马上来, 包工头曾经说, 老板谢绝了)
_UNLAWFULLY = ("私自", "擅自", "违规", "违法", "非法")  # how the person did it (举报刘建军非法营运, 教练周国庆违规收费)
_PERSON_DID = ("拖欠|欠|克扣|扣|跑|逃|卷款|打|骂|威胁|带人|叫人|找人|收了|收取|" + "|".join(_UNLAWFULLY)
               + "|强行|霸占|侵占|挪用|贪污|拒绝|拒不|承诺|答应|至今|还"
               "|[0-9０-９一两二三四五六七八九十几半]")  # 老板谢建华两个月没发工资
_SURNAMES_NOT_PREPOSITIONS = "".join(sorted(set(_SURNAMES) - _PREPOSITION_SURNAMES))
_FULL_NAME_AFTER_ROLE = re.compile(f"([{_SURNAMES_NOT_PREPOSITIONS}]([\u4e00-\u9fff]{{2}}))"
                                   f"(?={_END_OF_NAME_AFTER_ROLE}|{_PERSON_DID})")

_COMMON_WORD = 100  # jieba's count for 钱财 is 337, for 文明 6,584; names it holds at all mostly count under 10


def _tagger():
    from pipeline.segment import _tokenizer  # the deployment's places are words, not names, here too

    return _tagger_for(_tokenizer())


@lru_cache(maxsize=2)
def _tagger_for(tokenizer):
    import jieba.posseg

    if tokenizer.dictionary != jieba.posseg.dt.tokenizer.dictionary:
        return jieba.posseg.POSTokenizer(tokenizer)
    # Importing jieba.posseg has read the words' tags of jieba's dictionary for its own tagger; ours, over the same
    # dictionary, takes a copy (it adds the deployment's words to it) rather than reading the file again: 0.7 s of
    # every command that masks a text
    tagger = object.__new__(jieba.posseg.POSTokenizer)
    tagger.tokenizer, tagger.word_tag_tab = tokenizer, dict(jieba.posseg.dt.word_tag_tab)
    return tagger


# Each name cue tags the few characters after it, 4 ms a time with jieba's HMM: a text of 10,000 我叫 took 23 s to
# mask (a re-tester's round). The same window is tagged once (by the same deployment's tagger).
def _tagged(window: str) -> tuple:
    """jieba's words of `window` with their parts of speech (`.word`, `.flag`), as the deployment's tagger cuts it."""
    return _tagged_by(_tagger(), window)


@lru_cache(maxsize=4096)
def _tagged_by(tagger, window: str) -> tuple:
    return tuple(tagger.cut(window))


# After 我叫, 姓名 … a name may run straight on into the matter, with nothing to mark its end (我叫张建国低保被取消了,
# 我叫李秀英八十岁了): there the name is what jieba tags as one, unless a place's kind follows it (投诉人：邝胡社区…)
# or a body's (招收高中学生（周楠教育集团）).
_PLACE_KIND = re.compile("社区|村|镇|乡|街道|小区|组|居委会|县|市|教育|集团|公司")


def _tagged_names_at(text: str, start: int, composed: bool = True) -> set[str]:
    """`composed`: also a surname and the word after it (王 | 秀英), as after 我叫 or 姓名."""
    tagger = _tagger()
    words = list(_tagged(text[start : start + 8]))
    names = _tagged_names(words[0], words[1:2] if composed else [], tagger.tokenizer.FREQ) if words else set()
    return {name for name in names if not _PLACE_KIND.match(text, start + len(name))}


def _cut_across(text: str, start: int, name: str) -> bool:
    """Does jieba's first word from `start` end inside `name`, neither its surname nor all of it (患者苏醒后: 苏醒 | 后)?"""
    first = _tagged(text[start : start + 8])[0].word
    return 1 < len(first) < len(name)


def _tagged_as_name(text: str, start: int, name: str) -> bool:
    """Does jieba, reading on from `start`, take `name` (a surname and a given name) for a name: the whole tagged as
    one (曾志明), or the surname cut off (谢 | 红梅, 曾 | 建军) before a given name that is no everyday word?"""
    return _words_read_as_name(list(_tagged(text[start : start + 8])), name)


def _words_read_as_name(words: list, name: str, *, strict: bool = False) -> bool:
    """Do jieba's `words`, from where `name` starts, take it for a name: the whole tagged as one, or the surname cut
    off before a given name that is no everyday word, tagged a name where the surname is a preposition (向 | 城管,
    向 | 物业 are no names, 向 | 玉兰 is) or where `strict`, else a name or a noun?"""
    if words[0].word == name:
        return words[0].flag in _GIVEN_NAME_FLAGS
    given_flags = _GIVEN_NAME_FLAGS if strict or words[0].flag == "p" else _GIVEN_NAME_AFTER_SURNAME_FLAGS
    return (words[0].word == name[0] and len(words) > 1 and words[1].word == name[1:] and words[1].flag in given_flags
            and _tagger().tokenizer.FREQ.get(name[1:], 0) < _COMMON_GIVEN_NAME)


def _tagged_full_name(text: str, start: int) -> re.Match | None:
    """A three-character name at `start` that jieba reads as one, whatever follows it (邻居谢美玲家天天吵)."""
    match = _FULL_NAME.match(text, start)
    return match if match and _tagged_as_name(text, start, match.group(1)) else None


def _cut_as_a_name(text: str, start: int, name: str) -> bool:
    """Does jieba cut a three-character `name` at `start` as a name's parts: whole (马建国), the surname off (曾 | 国华,
    谢 | 建军), or a proper noun or a family's word and the last character (江海 | 波, 万蛟 | 腾, 文家 | 富)? Not an
    everyday word and a verb (校长时算 | 走)."""
    words = _tagged(text[start : start + 8])
    first = words[0].word
    return (first == name or len(words) > 1 and (first, words[1].word) == (name[0], name[1:])
            or len(words) > 1 and first == name[:2] and len(words[1].word) == 1
            and (words[0].flag in _PROPER_NOUN_FLAGS or first[1] == "家"))


# (not 村, 县 or 市, which start the body a person is named beside as often: 负责人刘稳村干部…, 干部黄良高县政府…)
# (an estate's or its property company's name after 业主: 全体业主林美水郡, 业主文兴物业; not 公司: 包工头李星高公司拖欠)
_PLACE_AFTER_NAME = re.compile("(?:社区|街道|小区|居委会|[镇乡])(?![长政])|物业|郡|厂|花园|家园|名城|华府")


def _word_or_numbered(name: str) -> bool:
    """A surname that is also an everyday word (教师时明确说, 当时), a name that starts with a word the dictionary counts,
    a name's included (教师周转房: 周转), or a given name ending in a numeral (孩子王楼二: a toy shop's name)."""
    return (name[0] in _WORDLIKE_SURNAMES or _dictionary_entry(name[:2])[0] >= _PREFIX_NOT_NAME
            or name[-1] in "一二三四五六七八九十")


def _names_after_roles(text: str) -> set[str]:
    names: set[str] = set()
    tagger = None
    for role in _ROLE.finditer(text):
        said = _ROLE_SAYS_NAME.match(text, role.end()).end()  # 包工头叫张伟, as a caller says it
        if (full := _FULL_NAME_AFTER_ROLE.match(text, said)) and _is_name(*full.groups()) \
                and not _is_everyday_noun(full.group(2)) and not re.match(_END_OF_NAME_AFTER_ROLE, full.group(2)[1]) \
                and _cut_as_a_name(text, said, full.group(1)) and not _PLACE_AFTER_NAME.match(text, full.end()) \
                and not (re.fullmatch(_FULL_NAME_ONLY_ROLES, role.group()) and _word_or_numbered(full.group(1))):
            names.add(full.group(1))
            continue
        if not re.match(_NAME, text[said:]) or re.fullmatch(_FULL_NAME_ONLY_ROLES, role.group()):
            continue
        tagger = tagger or _tagger()
        words = list(_tagged(text[role.start() : said + 8]))
        offset = 0
        found: set[str] = set()
        for at, word in enumerate(words):
            if offset == said - role.start():
                found = _tagged_names(word, words[at + 1 : at + 2], tagger.tokenizer.FREQ)
                # a full name the dictionary counts as a name, more often than _tagged_names lets one be (医生张国庆: 170)
                if word.flag in _GIVEN_NAME_FLAGS and len(word.word) == 3 \
                        and tagger.tokenizer.FREQ.get(word.word, 0) < _COMMON_GIVEN_NAME \
                        and (full := re.fullmatch(_NAME, word.word)) and _is_name(*full.groups()) \
                        and not _is_everyday_noun(full.group(2)):  # 老板段时间非法冶炼: 一段时间, cut
                    found.add(word.word)
                break
            offset += len(word.word)
        # where the longest reading runs into a place's kind, all of them are a place's name (村民白兔潭镇…: 白兔, 白兔潭);
        # a title or a government is none (村民张德福镇长说, 书记易飞鹏镇政府)
        if not any(_PLACE_AFTER_NAME.match(text, said + len(name)) for name in found):
            names |= found
    return names


# …and before a title or 这个人 (a school-season agent's round and its re-tester's: 唐志勇老师要求每人交班费, 胡建平这个人一直
# 这样), a relative of theirs (刘志明他哥来吵: a rural land agent's round) or a business they run (刘建军开的养猪场: an
# environment agent's): a name jieba reads as one, where the title follows it straight (the surname alone, 王老师, is no
# one's name).
_NAME_BEFORE_TITLE = re.compile(f"(?=({_NAME})(?:老师|校长|园长|医生|护士|教练|班主任|这个人|这人|此人"
                                "|[他她](?:哥|姐|弟|妹|爸|妈|家|儿子|女儿|老婆|老公|媳妇|堂客)|开的))")


def _names_before_titles(text: str) -> set[str]:
    # a one-character given name that is a surname is the title's own surname more often (当时谢医生, 时罗校长)
    # (a name jieba's dictionary counts is a place's or a famous person's: 王府井开的店, 张家界开的)
    return {match.group(1) for match in _NAME_BEFORE_TITLE.finditer(text)
            if _is_name(match.group(2), match.group(3)) and match.group(3) not in _SURNAMES
            and _read_as_name_in_context(text, match.start(), match.group(2))
            and _tagger().tokenizer.FREQ.get(match.group(2), 0) < _FAMOUS}


def _read_as_name_in_context(text: str, start: int, name: str) -> bool:
    """Does jieba, reading from a few characters before `start`, start a word there (not 班主任 | 唐老师's 任唐, nor
    过程 | 中医生's 程中) and read `name` from it as a name (`_words_read_as_name`; a given name tagged a name after a
    surname that is an everyday word: 万 | 现任校长, 曾 | 宇航老师)?"""
    before = max(0, start - 6)
    words = list(_tagged(text[before : start + 8]))
    at = before
    while words and at < start:
        at += len(words.pop(0).word)
    return at == start and bool(words) and _words_read_as_name(words, name, strict=name[0] in _WORDLIKE_SURNAMES)


# A person the ticket accuses or reports, named right after what was done to the caller or by the caller (被刘建军打伤,
# 举报刘建军违规建房, 投诉欧阳娜娜开设的美容店, 同事刘建军骚扰她, 系刘建军的母亲), with no label: a name jieba reads as one,
# where what follows it is what the person did (a verb) or 的. After 在 a place follows as often (在金桥收费站, 在毛田组开会,
# 在黄尘飞扬的环境中): there only whose something is (在刘建军的工地干活). A name jieba's dictionary counts is a famous
# person's (在蔡锷的故居参观: 蔡锷 counts 49, 袁隆平 44, 刘德华 37; 王建国 12, 张建国 13).
# After 举报 / 投诉 where the person did it follows as often as what (举报李建国在湾头桥镇私自开采河砂); after 欠 / 打
# only what is owed or the blow (拖欠石红梅两万元工钱, 打了刘德明一拳, 打黄海波致其骨折): a verb or 的 follows things there
# as often (欠银行的钱, 打黄牛骗人).
# …and after the place or the body the person is of (荆竹村的刘建军违规建房, 湾头桥镇的王志强在河边采砂, 邻村的刘建军家的狗;
# a housing re-tester's 隔壁屋的陈满秀, 楼上的王小红), as after 举报. (At a sentence's start, 左转要到…, 熊公馆搞起来 read as
# names on the message board.)
_ACT = re.compile("被|(?P<reported>举报|投诉|控告|起诉|状告|(?P<of>(?:(?<=[村组镇乡区道院所局站厂店校司里办会处科队屋])"
                  "|(?<=楼上|楼下|隔壁|对门))的))|反映|同事|系|(?P<at>在)"
                  "|(?P<owed>欠|打了?)")
_FAMOUS = 20
_REPORTED_DID = ("在", "家", *_UNLAWFULLY)  # what follows a reported person's name: where, whose home, how it was done


def _names_after_acts(text: str) -> set[str]:
    names: set[str] = set()
    tagger = None
    for act in _ACT.finditer(text):
        if not re.match(_NAME, text[act.end() :]):
            continue
        tagger = tagger or _tagger()
        words = list(_tagged(text[act.end() : act.end() + 10]))
        candidates = _tagged_names(words[0], words[1:2], tagger.tokenizer.FREQ)
        # …a given name that is also a common word (举报陈 | 大军在河里非法采砂) where what the person did follows
        if act.group("reported") and len(words) > 2 and words[0].flag in _GIVEN_NAME_FLAGS and len(words[0].word) == 1 \
                and len(words[1].word) == 2 and words[1].flag in _GIVEN_NAME_AFTER_SURNAME_FLAGS \
                and words[2].word.startswith(_REPORTED_DID) and _is_name(words[0].word + words[1].word, words[1].word):
            candidates.add(words[0].word + words[1].word)
        # a surname that is also a word, cut off before a given name (投诉文 | 卫东, 拖欠石 | 红梅)
        if (full := _tagged_full_name(text, act.end())) and full.group(1)[0] in _WORDLIKE_SURNAMES \
                and _is_name(full.group(1), full.group(2)):
            candidates.add(full.group(1))
        for name in candidates:
            # …a full name only after 的 (林业局的林权办 is an office)
            if tagger.tokenizer.FREQ.get(name, 0) >= _FAMOUS or act.group("of") and len(name) < 3:
                continue
            after = next(iter(_tagged(text[act.end() + len(name) : act.end() + len(name) + 6])), None)
            if after is None:
                continue
            if act.group("owed"):
                if after.flag == "m" or after.word == "致":
                    names.add(name)
            # …a full name only before 在 (投诉金桥在施工 is a toll station's work), before 家 and before how it was
            # done (举报刘建军非法营运: a transport agent's round)
            # (after 的 also before a preposition or an adverb: 西岩村的蒋文斌把排水沟填了, 村委会的王志强天天打牌; not a noun:
            # 工务局的杜路花施工方, a road; a verb's bound morpheme goes on a word, not a name: 反映金鹏御景苑工地, an estate)
            elif after.word == "的" or after.flag.startswith("v") and after.flag != "vg" and not act.group("at") \
                    or after.word.startswith(_REPORTED_DID) and act.group("reported") \
                    and len(name) >= 3 \
                    or act.group("of") and after.flag in ("p", "d", "c", "t"):
                names.add(name)
    return names


# jieba cuts some names in two: the surname alone (周/宇航, 王/秀英), or the full name's last character (陈亮/天), which
# masking the tagged part alone left readable. The tagged part stays a name as well: where a family shares it (周树仁,
# 周树枝, 周树强 of one village) it still covers the names no role introduced.
_GIVEN_NAME_FLAGS = ("nr", "nrfg")
_GIVEN_NAME_AFTER_SURNAME_FLAGS = ("nr", "nrfg", "n", "nz")  # 邓 | 利文 (n), 邓 | 建文 (nz)
# …where that word is rare: 志军 counts 258, 彩云 205; 常务 4,906 (副县长任常务副组长), 观点 5,306 (组长田观点)
_COMMON_GIVEN_NAME = 1000
_COMPOUND_SURNAME_WORDS = frozenset(_COMPOUND_SURNAMES.split("|"))
_THIRD_CHARACTER_FLAGS = ("q", "n", "ng", "nr", "nrfg", "a", "ag", "zg", "tg")
_NOT_A_THIRD_CHARACTER = "家们等俩"


def _tagged_names(word, following: list, freq: Mapping[str, int]) -> set[str]:
    after = following[0] if following else None
    candidates = []
    # 向/于/高 alone are as often a word (书记向蒋银月作出解释, 校长高荣誉): only a surname that is no word starts a name
    if after is not None and len(word.word) == 1 and word.word not in _WORDLIKE_SURNAMES \
            and after.flag in _GIVEN_NAME_AFTER_SURNAME_FLAGS and freq.get(after.word, 0) < _COMMON_GIVEN_NAME:
        candidates.append(word.word + after.word)
    elif after is not None and word.word in _COMPOUND_SURNAME_WORDS and not _is_everyday_noun(after.word):
        candidates.append(word.word + after.word)  # 欧阳 | 建国 (tagged a place): no word's start; 东方 | 大道 is a road
    if word.flag in _GIVEN_NAME_FLAGS:
        # …and the fourth after a compound surname (欧阳明 | 辉)
        given_length = len(word.word) - (2 if word.word[:2] in _COMPOUND_SURNAME_WORDS else 1)
        if after is not None and given_length == 1 and len(after.word) == 1 \
                and after.flag in _THIRD_CHARACTER_FLAGS and after.word not in _NOT_A_THIRD_CHARACTER:
            candidates.append(word.word + after.word)
        candidates.append(word.word)
    return {name for name in candidates if (found := re.fullmatch(_NAME, name)) and _is_name(*found.groups())
            and freq.get(name, 0) < _COMMON_WORD}


# A numbered list of signatories (署名业主有：1曹水秀、2张珍辉、3吴民建 … 31.刘…): items numbered one after another, each
# of two or three characters. Where nearly all of a run of three or more are names by their surname, every item is
# one (艾疸, 漆靖 bear surnames rarer than ours); a numbered list of documents (1户口簿、2身份证) holds none.
_NUMBERED_ITEM = re.compile(r"(?<![0-9０-９])([0-9０-９]{1,3})[.、．]?\s*([\u4e00-\u9fff]{2,3}?)"
                            r"(?=[、，,；;\s?？!！。]|[0-9０-９]|$)")
_LIST_GAP = 3  # characters between one item and the next number (、 or a space; ??? where an encoding lost a mark)
_NAMED_SHARE = 0.8


def _numbered_names(text: str) -> set[str]:
    names: set[str] = set()
    run: list[re.Match[str]] = []
    for item in [*_NUMBERED_ITEM.finditer(text), None]:
        if item is not None and run and int(item.group(1)) == int(run[-1].group(1)) + 1 \
                and item.start() - run[-1].end() <= _LIST_GAP:
            run.append(item)
            continue
        # 1.王家坪、2.李家湾, 1.王家 2.李家: villages or households, each named after a family
        named = sum(bool((match := re.fullmatch(_NAME, m.group(2))) and _is_name(*match.groups())
                         and not match.group(2).startswith("家")) for m in run)
        if len(run) >= 3 and named >= _NAMED_SHARE * len(run):
            names |= {m.group(2) for m in run}
        run = [item] if item is not None else []
    return names


# Where the writer lives (家住…, 住址：…): the village, estate or street stays, for the matter's place, and the number
# of the home is masked (5组12号, 3栋2单元502室, 春光路12号). A floor or a building alone (住在6楼, 16栋的业主) points at
# no one home, and 居住在地铁3号线… is a metro line.
# A statement's 住 after the writer's name (控告人：潘平安，住…) says the same; 住院, 住房, 住建局 say no such thing.
# An agent's question in a call's transcript too (坐席：请问您的地址是？市民：幸福小区三栋…), with the answer's speaker.
_HOME_LABEL = re.compile(r"(?:家住|住在|住址|现住|居住[在于]|我家在|我住|本人住|家庭住址|家庭地址|户籍地址|住所地"
                         # not 联系地址, 通讯地址 (an office's in its reply: 联系地址：…白沙路26号东成大厦2108室) nor a bare 地址 (the
                         # matter's, as often as the writer's: `_ADDRESS` reads only a flat there)
                         r"|居住地址|常住地址|收货地址|收件地址|收件人地址|收货人地址"
                         # where the writer's household is registered, and the writer's own address (a privacy round)
                         r"|户口在|户籍在|户口所在地|户籍所在地|户口地址|(?:我家|我的|家里|我屋)的?(?:住址|地址)"
                         # 屋 (屋里) is the 武冈 word for one's home: 我屋在水西门5组12号, 我屋住3栋2单元501
                         r"|我屋里?[在住]|屋里住"
                         # an agent's 家在…23号 / 我家是…18号, a neighbour's 他家在… (a night-shift agent's round)
                         r"|(?:^|(?<=[,，。\n:：他她]))家在|我家是"
                         r"|[您你]的?(?:家庭)?(?:住址|地址)(?:是|在哪里?)?[？?]?\s*(?:(?:市民|来电人)\s*[:：])?"
                         # …and the caller's in the agent's words (来电人地址：…, 来电地址：…, 来电人家在…)
                         r"|来电(?:人|者)?的?(?:家庭)?(?:住址|地址)|来电(?:人|者)家在"
                         # (a blind round: 其家中（都梁路188号2楼）, 其居住的碧桂园B座12楼1203, 其家位于…45号, 强拆其位于…16号的房屋)
                         r"|其(?:家中|家里|家门口|家)?(?:位于|居住的|居住在|住的)|其家(?:中|里|门口)|(?<=[（(])住(?![院房建宅户宿])"
                         # an agent's shorthand opens with it too (住辕门口3栋2单元501，楼上漏水), or says it of someone
                         # (狗主人住红旗路45号2楼)
                         # (…, or right after a phone number: 联系人王先生13807391234住邓家铺镇老街23号)
                         r"|(?:^|(?<=[,，\n人主\]0-9]))住(?![院房建宅户宿]))[在于]?[:：是为]?")
# A flat bought or rented, named before it (在都梁华府B区12-3买的房, 租的是房东在春天花园3-2-501的房子)
_BOUGHT_OR_RENTED = re.compile(r"在([^,，。;；!！?？\n]{1,40}?)(?:(?:买|购买|购|租|租住)的(?:房子?|住房|商品房)|的房子)")
# The writer introducing themself as a household (我是蓝色港湾小区3栋1304的住户, 本人是…5栋2801业主): only a number down to
# the flat is theirs; 我是福元西路199号万国城的业主 names the estate, the matter's place (我们是… is all its owners).
_RESIDENT = re.compile(r"(?:我是|本人是|本人系|本人为|我系|来电人系|来电人是|其系)([^,，。;；!！?？\n]{1,40}?)"
                       # 我是…3栋1304的，楼上漏水; 我是白竹村3组15号的刘翠兰 (a medical desk's round: both were kept)
                       f"(?:的?(?:业主|住户|租户|村民|居民)|的(?=[,，。;；!！?？\n]|$|{_COMPOUND_SURNAMES}|[{_SURNAMES}]))")
# A door number given as such (门牌号是3栋2单元1304) is the matter's place as often (公厕门牌12号): a flat's alone is a home.
_DOOR_NUMBER = re.compile(r"门牌号?(?:码)?[是为:：]?\s*([^,，。;；!！?？\n]{1,40})")
# …and a house right before the caller the agent's opening names (白竹村3组15号刘翠兰来电: a medical desk's round)
_HOUSE_OF_CALLER = re.compile(f"((?:{_HOME_PIECE}){{2,}})"
                              f"(?=(?:{_COMPOUND_SURNAMES}|[{_SURNAMES}])[\u4e00-\u9fff]{{1,2}}(?:先生|女士)?(?:来电|致电))")
# …and a village group's numbered house wherever it is written (a case's reply: 上门到荆竹村5组12号致歉, 到石塘村4组15号他家
# 当面说明: a quality officer's round)
_VILLAGE_HOUSE = re.compile("村((?:[0-9０-９一二三四五六七八九十]+组)[0-9０-９一二三四五六七八九十]+号)(?!线|公路)")
# …and so is an address given as such (地址：都梁路88号金海湾小区8-2-1101, a ticket's most common form of one), down to
# a flat's room number only (地址：市政府广场, …669号7楼 are the matter's place), never an office's or a shop's.
_ADDRESS = re.compile(r"(?<!联系)(?<!通讯)(?<!通信)(?<!办公)(?<!单位)(?<!公司)(?<!店铺)(?<!门面)(?<!经营)(?<!注册)"
                      r"(?:详细)?地址[是为:：]?\s*([^,，。;；!！?？\n]{1,40})")
_ROOM = re.compile(r"[0-9０-９]{3,4}[室房户号]?$")
# …not an office's, a counter's or a shop's (地址：城管局二楼201办公室, 政务服务中心3楼302窗口: a re-tester's round)
_NOT_A_HOME_BEFORE = re.compile("局|中心|医院|政府|公司|大厦|广场|商场|市场|学校|银行|法院|派出所|办事处|委员会|营业厅")
_NOT_A_HOME_AFTER = re.compile("办公室|窗口|诊室|门面|门店|店|商铺|会议室|病房|教室|[(（]?公司")
_FLAT = re.compile(r"[0-9０-９]|[室房号户]$")
_HOME_REACH = 40
# Numbers in digits or in words (三组十二号), a part of them 第…; never a date (10月1号) or a road's number (12号公路), and a
# hospital bed (住院部5楼12床) is no home.
_HOUSE_SUFFIX = "(?:号楼|号院|号栋|组|号(?!线|公路)|栋|幢|单元|楼|室|层|户(?!型)|房间|房|床)"
_HOUSE_PART = (f"(?:(?<![月年])第?(?:[A-Za-z]?[0-9０-９]+(?:[-－][0-9０-９]+)*{_HOUSE_SUFFIX}?|[A-Za-z][栋幢座]"
               f"|[一二三四五六七八九十百零〇两]+{_HOUSE_SUFFIX}))")
_DATE = re.compile("(?:19|20)[0-9]{2}[-－]")  # 2020-05-01, in a home's clause (住在这里2020-05-01起…)
_HOUSE_NUMBER = re.compile(f"{_HOUSE_PART}(?:\\s*{_HOUSE_PART})*(?![0-9０-９]|户型)")  # 5栋03户型: a flat's type


def _house_numbers(text: str) -> list[tuple[int, int]]:
    clauses = [(label.end(), re.split(r"[,，。;；!！?？\n]", text[label.end() : label.end() + _HOME_REACH])[0], "home")
               for label in _HOME_LABEL.finditer(text)]
    clauses += [(found.start(1), found.group(1), "home") for found in _BOUGHT_OR_RENTED.finditer(text)]
    clauses += [(found.start(1), found.group(1), "flat") for pattern in (_RESIDENT, _DOOR_NUMBER, _HOUSE_OF_CALLER,
                                                                       _VILLAGE_HOUSE)
                for found in pattern.finditer(text)]
    clauses += [(found.start(1), found.group(1), "address") for found in _ADDRESS.finditer(text)]
    found = []
    for start, clause, kind in clauses:
        for match in _HOUSE_NUMBER.finditer(clause):
            parts = re.findall(_HOUSE_PART, match.group())
            suffixed = [part for part in parts if not part[-1].isdigit()]
            if any(part.endswith("床") for part in parts):
                break
            if kind == "address":
                home = _an_address_home(parts, bool(suffixed)) and not (
                    _NOT_A_HOME_BEFORE.search(clause, 0, match.start()) or _NOT_A_HOME_AFTER.match(clause, match.end()))
            elif kind == "flat":
                # a village's house is a number alone (我是白竹村15号的刘翠兰), and so is a street's house the household
                # ends in (我是迎春亭街道红旗路32号的住户: a supervisor's round), not one an estate's name follows
                home = (len(parts) >= 2 and suffixed and _FLAT.search(parts[-1])
                        or len(parts) == 1 and parts[0].endswith("号") and (
                            clause[: match.start()].endswith("村")
                            or match.end() == len(clause) and parts[0][0].isdigit()))  # 泰山一号 is an estate
            else:
                # 3-2-501: building, entrance and flat, as agents shorten them; 12-3 in an estate's zone (都梁花园B区12-3)
                dashes = len(re.findall("[-－]", parts[0]))
                home = (len(parts) >= 2 and suffixed) or (len(parts) == 1 and (parts[0].endswith("号") or (
                    (dashes >= 2 or dashes == 1 and clause[: match.start()].endswith("区"))
                    and not _DATE.match(parts[0]))))
            if home:
                found.append((start + match.start(), start + match.end()))
                if len(parts) > 1:
                    break  # the flat; a street's number alone is followed by the estate's (…路128号金色家园3栋…1502室)
    return found


def _an_address_home(parts: list[str], suffixed: bool) -> bool:
    """Whether the parts of a number after 地址 are a home's: a flat's room (3栋2单元1304室), building-entrance-flat as
    agents shorten them (8-2-1101), or a house of a village group (白石村3组15号)."""
    if len(parts) == 1:
        return len(re.findall("[-－]", parts[0])) >= 2 and not _DATE.match(parts[0])
    return suffixed and (_ROOM.search(parts[-1]) is not None
                         or any(part.endswith("组") for part in parts[:-1]) and parts[-1].endswith("号"))


# A name given with the record (an author 文坪, 向阳) or introduced once may start a place the text names (文坪镇, 司马冲镇,
# 向阳路, 高桥村): masked there, it hid the ticket's township from routing and the place from the reader. The place is
# one of the deployment's, or a word jieba reads on from the name as a place; a place's kind as a word of its own
# after a name is no place (郭钢 | 社区, 刘稳 | 村干部, 朱仁修 | 县城 were people named on the board).
_PLACE_ENDINGS_OF_WORDS = "路街巷村镇乡"


def _runs_into_place(text: str, start: int, end: int) -> bool:
    if any(len(word) > end - start and text.startswith(word, start) for word in deployment_area().place_words):
        return True
    word = next(iter(_tagged(text[start : end + 6])))
    return len(word.word) > end - start and (word.flag == "ns" or word.word[-1] in _PLACE_ENDINGS_OF_WORDS)


# What a record's author column holds when the author chose to stay unnamed: no one to mask.
_NOBODY = frozenset("匿名 匿名用户 网友 市民 游客 用户 未知 无 不详".split())


def _known_names(people: Iterable[str]) -> set[str]:
    return {p for p in (person.strip() for person in people) if len(p) >= 2 and p not in _NOBODY}


def find_pii(text: str, people: Iterable[str] = ()) -> list[PiiSpan]:
    """Every piece of personal data in `text`, in reading order, non-overlapping. `people`: the names or account
    names the text's record gives for the person it is from (a case file's 留言用户 or 来电人 column), masked as names
    wherever they occur (an official reply opens with 网友“…”您好)."""
    taken: list[PiiSpan] = []
    # the taken spans' starts and ends in text order: an overlap is looked up, not searched for (a name repeated
    # 10,000 times in one text made the search take seconds)
    starts: list[int] = []
    ends: list[int] = []

    def take(kind: PiiKind, start: int, end: int) -> None:
        at = bisect.bisect_right(starts, start)
        if (at and ends[at - 1] > start) or (at < len(starts) and starts[at] < end):
            return
        starts.insert(at, start)
        ends.insert(at, end)
        taken.append(PiiSpan(kind, start, end, text[start:end]))

    # placeholders of an earlier masking are read past, by the number and the name detectors alike
    unmasked = _without_placeholders_as_labels(text)
    scanned = _as_scanned(unmasked)
    for kind, pattern, valid in _DETECTORS:
        for match in pattern.finditer(scanned):
            before = scanned[max(0, match.start() - _LABEL_REACH) : match.start()]
            if valid is None or valid(_digits(match.group()), before):
                take(kind, *match.span())
    for span in [span for span in taken if span.kind in _PHONE_KINDS]:
        end = span.end
        while (match := _NEXT_PHONE.match(scanned, end)) and not (
                match.lastgroup == "spaced" and _DATE_8.fullmatch(_digits(match.group("spaced")))):
            take(_NEXT_PHONE_KINDS[match.lastgroup], *match.span(match.lastgroup))
            end = match.end()
    for start, end in _house_numbers(scanned):
        take("house_number", start, end)
    # 其中[姓名]任组长 read again took [姓名] for the label 姓名
    names = (_labelled_names(unmasked) | _numbered_names(unmasked) | _names_after_roles(unmasked)
             | _names_before_titles(unmasked) | _grouped_names(unmasked) | _names_after_acts(unmasked)
             | _known_names(people))
    for span in taken:
        if span.kind in _PHONE_KINDS:
            match = _NAME_BEFORE_NUMBER.search(text, max(0, span.start - 12), span.start)
            if match and _is_name(match.group(1), match.group(2)):
                names.add(match.group(1))
    names |= _names_joined_to(unmasked, names)
    # Longest first, so that 黄国建 is masked whole where 黄国 was also introduced somewhere.
    for name in sorted(names, key=len, reverse=True):
        for match in re.finditer(re.escape(name), text):
            if not _runs_into_place(text, *match.span()):
                take("name", *match.span())
    return sorted(taken, key=lambda span: span.start)


def mask_together(texts: Sequence[str], people: Iterable[str] = ()) -> list[MaskedText]:
    """The parts of one record (a ticket's title and body, a case's reply) masked alike: a name that one part
    introduces is masked in every part (控告…陷害潘平安 as the title, 我叫潘平安 in the body)."""
    people = list(people)
    found = [find_pii(text, people) for text in texts]
    named = {span.value for spans in found for span in spans if span.kind == "name"}
    # a part is searched again only where another part's name occurs in it
    return [_replaced(text, find_pii(text, [*people, *named])
                      if any(name in text for name in named - {s.value for s in spans}) else spans)
            for text, spans in zip(texts, found)]


# What a web or WeChat channel puts into a message that says nothing of the matter: its attachments ([图片], [视频]) and
# its emoticons, typed out as their names ([流泪], [捂脸]: 7 on the board). Two messages sharing only these shared a
# good part of their characters: [图片][图片] alone was listed as an earlier ticket's repeat at 0.33.
_CHANNEL_MARKS = re.compile(
    r"\[(?:图片|视频|语音|表情|动画表情|文件|链接|位置|定位|微笑|撇嘴|色|发呆|得意|流泪|害羞|闭嘴|睡|大哭|尴尬|发怒|调皮|呲牙|惊讶|难过|酷"
    r"|冷汗|抓狂|吐|偷笑|愉快|白眼|傲慢|困|惊恐|流汗|憨笑|悠闲|奋斗|咒骂|疑问|嘘|晕|衰|骷髅|敲打|再见|擦汗|抠鼻|鼓掌|坏笑|哈欠|鄙视|委屈"
    r"|快哭了|阴险|亲亲|可怜|玫瑰|凋谢|爱心|心碎|强|弱|握手|胜利|抱拳|拳头|OK|捂脸|奸笑|机智|皱眉|耶|吃瓜|加油|汗|天啊|旺柴|打脸|裂开"
    r"|苦涩|叹气|翻白眼|让我看看|破涕为笑|合十|发抖|红包|泪|怒|哭|赞|心)\]")


def without_placeholders(text: str, by: str = " ") -> str:
    """A masked text with its placeholders ([手机号] …) and a channel's marks (`_CHANNEL_MARKS`) replaced by `by` (a
    space): what it says about the matter, which none of them does (every masked ticket shares their characters)."""
    for placeholder in PII_TOKENS.values():
        text = text.replace(placeholder, by)
    return _CHANNEL_MARKS.sub(by, text) if "[" in text else text


_PLACEHOLDER = re.compile("|".join(map(re.escape, PII_TOKENS.values())))


def opening(text: str, most: int) -> str:
    """The first `most` characters of a masked text, ending before a placeholder they would cut in two: an excerpt
    ending …身份证号[身份证号 read as a number left half masked (a privacy officer's round)."""
    for found in _PLACEHOLDER.finditer(text, 0, most + max(map(len, PII_TOKENS.values()))):
        if found.start() < most < found.end():
            return text[: found.start()]
    return text[:most]
_LABELS = (_PHONE_LABEL, _ID_LABEL, _ID_TAIL_LABEL, _CARD_LABEL, _ACCOUNT_LABEL, _PLATE_LABEL, _QQ_LABEL, _WECHAT_LABEL,
           _TRAVEL_DOCUMENT_LABEL)


_CLAUSE_END = re.compile(r"$|[\s,，。.；;、！!？?)）(（\]】【]|\[")


def without_personal_data(text: str) -> str:
    """What a masked text says of the matter, for a model to read: `without_placeholders`, and the label that
    introduced a contact (电话：[手机号]，…; QQ号[QQ号]。) gone with it. Nearly every hotline ticket gives a number, and its
    label alone moved the route (电话…，反映路灯不亮 went to the police at 0.26, 反映路灯不亮 to the city management
    bureau). A number the matter goes on after (手机号[手机号]被停机了, 骚扰电话[手机号]天天打来) keeps its label: the
    word is the matter there."""
    pieces, cursor = [], 0
    for found in _PLACEHOLDER.finditer(text):
        before = text[cursor : found.start()]
        reach = max(0, len(before) - _LABEL_REACH)
        label = next((m for pattern in _LABELS if (m := pattern.search(before, reach))), None)
        contact = label is not None and _CLAUSE_END.match(text, found.end())
        pieces.append(re.sub("联系$", "", before[: label.start()]) if contact else before)  # 联系电话
        cursor = found.end()
    pieces.append(text[cursor:])
    return without_placeholders("".join(pieces), by="")


def mask_pii(text: str, people: Iterable[str] = ()) -> MaskedText:
    """`text` with each piece of personal data replaced by its token ([手机号], [身份证号], ...); the spans keep
    the offsets and values in the original text. `people`: as for `find_pii`."""
    if not isinstance(text, str):
        raise TypeError(f"mask_pii() expects str, got {type(text).__name__}")
    return _replaced(text, find_pii(text, people))


def _replaced(text: str, spans: list[PiiSpan]) -> MaskedText:
    pieces: list[str] = []
    cursor = 0
    for span in spans:
        pieces.append(text[cursor : span.start])
        pieces.append(PII_TOKENS[span.kind])
        cursor = span.end
    pieces.append(text[cursor:])
    return MaskedText("".join(pieces), spans)
