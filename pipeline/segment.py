"""Word segmentation for search, deduplication and statistics, with the hotline's own vocabulary.

Place, department and policy names are added to a private jieba `Tokenizer`, so that 邓元泰镇, 住房公积金中心
or 公积金提取 stay whole. jieba's default dictionary is left as it is: `canonical` must cut exactly as the
published training data was cut.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import jieba

from pipeline.canonical import RESOURCES, cut_in_bounded_runs, read_stopwords
from pipeline.area import deployment_area
from pipeline.normalize import normalize
from pipeline.pii import without_personal_data
from pipeline.resources import read_dictionary

# with the deployment's place names (`pipeline.area`: the pack's places.txt, or the bundled dict_places.txt)
DICTIONARIES = ("dict_units.txt", "dict_policy.txt")
STOPWORDS_FILE = RESOURCES / "stopwords.txt"


def dictionary_files() -> list[Path]:
    """The dictionaries the tokenizer adds to jieba's own, the deployment's places first."""
    return [deployment_area().places, *(RESOURCES / name for name in DICTIONARIES)]


def _tokenizer() -> jieba.Tokenizer:
    return _tokenizer_with(tuple(dictionary_files()))


def word_count(word: str) -> int:
    """How often jieba's dictionary counts `word` (0 for no word of it): how common a word is in general Chinese."""
    return _tokenizer().FREQ.get(word, 0)


@lru_cache(maxsize=2)
def _tokenizer_with(files: tuple[Path, ...]) -> jieba.Tokenizer:
    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for path in files:
        for word, tag in read_dictionary(path):
            # No frequency: jieba then gives the word just enough weight to be cut as one piece.
            tokenizer.add_word(word, None, tag)
    return tokenizer


@lru_cache(maxsize=1)
def bundled_stopwords() -> frozenset[str]:
    """The project's own stopword list (function words and punctuation), independent of any dataset."""
    return read_stopwords(STOPWORDS_FILE) - {""}


def _is_blank_or_punctuation(token: str) -> bool:
    # Unicode categories P (punctuation), S (symbols), Z (separators), C (controls and format characters).
    return all(ch.isspace() or unicodedata.category(ch)[0] in "PSZC" for ch in token)


def _keep(tokens: Iterable[str], stopwords: bool) -> list[str]:
    stop = bundled_stopwords() if stopwords else frozenset()
    return [t for t in tokens if t not in stop and not _is_blank_or_punctuation(t)]


def segment(text: str, *, stopwords: bool = True) -> list[str]:
    """Words of `text` in order. Whitespace and punctuation tokens are always dropped; with `stopwords`,
    function words (the bundled list) too. The text is cut as given: call `normalize` first for raw input."""
    if not isinstance(text, str):
        raise TypeError(f"segment() expects str, got {type(text).__name__}")
    return _keep(cut_in_bounded_runs(_tokenizer().cut, text), stopwords)


def word_runs_into(text: str, start: int, end: int) -> bool:
    """Does the tokenizer read one word that begins before `start` and runs to `end` or past it, i.e. is
    `text[start:end]` the tail of a longer word (成都黄龙溪镇 is cut 黄龙溪 / 镇: 龙溪 is the tail of 黄龙溪)? A word
    that only crosses `start` is another matter (张伟大甸镇 is cut 张 / 伟大 / 甸镇). Only the few characters before
    `start` are cut."""
    at = max(0, start - 4)
    for word in _tokenizer().cut(text[at : end + 2]):
        if at < start and at + len(word) >= end:
            return True
        if at + len(word) > start:
            return False
        at += len(word)
    return False


# What a caller asks for without naming the matter (我要投诉，电话…; 请尽快处理; 领导您好，请相关部门解决这个问题). Among other
# words they stay search terms: leaving 反映, 领导, 相关, 部门 out of every query cost 2 of the first 30 board messages
# their reply (bench/RESULTS.md, ## Knowledge base).
REQUEST_WORDS = frozenset("我要 投诉 举报 反映 咨询 请问 处理 解决 问题 情况 要求 希望 请求 帮助 帮忙 查 查询 相关 部门 领导 "
                          "政府 有关 联系 电话 回复 答复 及时 马上 怎么 怎么办 如何 什么 为什么 事情 "
                          # 找谁, 请问一下怎么办理, 有个事情想反映一下, 帮帮忙, 有件事想反映, 要多少钱, 需要什么材料, 怎么申请,
                          # 多久能办好 (agents' rounds: three answers each)
                          "找 问 办理 有个 帮帮 帮帮忙 有件事 个事 事想 钱 多久 办好 材料 申请 "
                          # a contact only (来电，联系电话：…; 请回电，联系方式…): an integrator's round found such
                          # tickets listed as repeats of any ticket ending with a number, and as a hotspot's first word
                          "联系电话 联系方式 联系人 方式 来电 来电人 回电 回 人 市民 号码 电话号码 手机 手机号 机号码 手机号码 "
                          # a cry for help alone (救命, 快来人啊): a re-tester's round found each listed as a repeat of
                          # the others, and grouped as one hotspot; the line it is put through to says the rest
                          "救命 快 来 快来 来人 啊 呀".split())


# What a caller or an agent says to acknowledge or greet (好的, 收到, 明白了, 没有了, OK, hello): alone, the dense channel
# still found answers for each with confident cosines.
ACKNOWLEDGEMENTS = frozenset("好 好的 收到 明白 知道 了解 清楚 没有 没 可以 行 嗯 哦 噢 喂 对 是 是的 ok okay hello hi "
                             "晓得 哒 要得 谢谢你 谢谢你们 多谢 感谢".split())  # 晓得, 要得, 哒: how Hunan says it
# What an agent notes of a call that told no matter (来电人未说明诉求即挂断, 无声电话) and what a caller says to check the
# line (喂喂喂，听得到吗): a night agent's round found such calls routed to some unit with no word of why. 诉求 labels an
# agent's ticket (诉求：…), and was a hotspot's keyword in the same round, as 工单 and 反应 (反映 as typed) were in its
# re-test. Its re-tester found a silent line, a wrong number and a caller who only swore named a matter still (来电人接通后
# 不说话，随后挂断; 来电人称打错了; 来电人辱骂坐席后挂机); 骚扰电话 stays a matter, as callers complain of receiving them.
CALL_NOTES = frozenset("喂喂 听 得到 听到 听见 听得见 听不到 听不见 听不清 有人 无声 电话 说明 未说明 诉求 无 挂断 挂机 即 "
                       "工单 反应 接通 不 说话 随后 无人 一言 一言不发 声音 称 人称 表示 说 打 错 打错 拨错 误拨 抱歉 "
                       "骂人 辱骂 坐席 话务 话务员".split())
_SAYS_NOTHING = REQUEST_WORDS | ACKNOWLEDGEMENTS | CALL_NOTES


def names_a_matter(terms: Iterable[str]) -> bool:
    """Whether a text's search terms (`tokens_for_search`) say what it is about: not when there are none (你好, 谢谢,
    a masked number) or when they only ask (`REQUEST_WORDS`: 我要投诉，电话…) or acknowledge (`ACKNOWLEDGEMENTS`).
    Such a text gets no suggestion, is no ticket's repeat and goes to a human."""
    return not set(terms) <= _SAYS_NOTHING


# Texts longer than this always name something in practice: the longest that names nothing here is about 40 characters
# (领导您好，我要投诉，请相关部门尽快处理这个问题，谢谢). Not cutting longer ones keeps the check off the routing and
# repeat-loading paths, where jieba costs milliseconds a ticket (bench/RESULTS.md, ## Repeat appeals).
_LONGEST_EMPTY = 64


def text_names_a_matter(text: str) -> bool:
    """`names_a_matter` for a whole (masked) text."""
    return len(text) > _LONGEST_EMPTY or names_a_matter(tokens_for_search(text))


# Words that ask rather than name: a group of questions holds them in most of its tickets (有何, 请问 led the largest
# group's keywords on the board's messages), but they never say what a ticket is about.
QUESTION_WORDS = frozenset("请问 有何 何时 为何 为什么 是否 能否 可否 什么 怎么 怎样 如何 哪里 哪些 多少 有没有 能不能 "
                           "可不可以 是不是".split())
# Nor do they as search terms, nor a bare 没有 / 没 (没电 stays one word): 有没有人管一下，楼下烧烤店天天吵到半夜 got
# 有没有免费的职业技能培训？ first among /v1/route's suggestions, on 有没有 alone. 怎么办 stays: callers write it for
# 怎么办理 (营业执照怎么办). Neutral on the judged agents' questions and on the board's replies (bench/RESULTS.md).
_NOT_SEARCHED = QUESTION_WORDS | {"没有", "没", "事情"}


# How callers say an outage, as the term FAQ questions use: 没电了 shared no word with 家里停电了找谁？ and got no
# suggestion at all (an agent's round).
_OUTAGE_TERMS = {"没电": "停电", "断电": "停电", "没水": "停水", "断水": "停水", "没气": "停气", "断气": "停气",
                 "没网": "断网"}
# and a road of the villages as FAQ answers name it: 那条村道冲垮了一段 shared no word with 农村公路坑洼破损找谁维修？ and was
# offered 汽车年审 on 车子 (an agents' day shift round)
_VILLAGE_ROAD_TERMS = dict.fromkeys(("村道", "村路", "乡道", "组道", "通组路", "通村路"), "农村公路")
_AS_ANSWERS_SAY = _OUTAGE_TERMS | _VILLAGE_ROAD_TERMS


def tokens_for_search(text: str) -> list[str]:
    """Index and query terms for BM25: normalized text cut in jieba's search mode (a long word also yields
    the dictionary words inside it, so 住房公积金中心 is found by 公积金), stopwords dropped, ASCII lower-cased.
    PII placeholders are dropped too: a masked ticket's [手机号] must not match an FAQ entry about 手机; and so is the
    label that gave a contact (身份证号[身份证号]: a housing agent's 电梯年检过期 got 身份证丢了怎么补办 first). So are the
    names of the home city and the areas around it (武冈市, 邵阳, 湖南省) and of its townships: tickets name the city all
    the time, and as a term it matched whichever FAQ answers name a city department (武冈市二中门口堵车 → 退役军人优待政策,
    answered by 武冈市退役军人事务局), and the words that only ask (`QUESTION_WORDS`, 没有). An outage is one term however it is
    said (没电, 断电: 停电), and so is a village road (村道, 乡道: 农村公路)."""
    if not isinstance(text, str):
        raise TypeError(f"tokens_for_search() expects str, got {type(text).__name__}")
    tokens = _keep(cut_in_bounded_runs(_tokenizer().cut_for_search, normalize(without_personal_data(text))),
                   stopwords=True)
    area = deployment_area()
    home = area.home_area_words | _township_words(area.gazetteer)
    return [_AS_ANSWERS_SAY.get(t, t).lower() for t in tokens if t not in home and t not in _NOT_SEARCHED]


@lru_cache(maxsize=4)
def _township_words(gazetteer: Path) -> frozenset[str]:
    """The deployment's townships as words, short forms too (稠树塘镇, 稠树塘): like the city's name, a township says
    where a ticket is, not what it is about, and as a term it put a past case of the caller's township first whatever
    its matter (水西门街道停电了 → a car parked on 水西门街道's pedestrian street: a knowledge-base trainer's round)."""
    from pipeline.jurisdiction import read_gazetteer

    tokenizer = _tokenizer()
    # with the words search mode cuts from them (水西门街道: 水西, 西门), but not a common word of its own there (辕门口's
    # 门口, and 街道, said of any street), which jieba's dictionary counts a thousand times or more
    return frozenset(word for township in read_gazetteer(gazetteer).townships
                     for word in (township.name, *township.cores, *tokenizer.cut_for_search(township.name))
                     if len(word) >= 2 and (word in (township.name, *township.cores)
                                            or (tokenizer.FREQ.get(word) or 0) < 1000))
