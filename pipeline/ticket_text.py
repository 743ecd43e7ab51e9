"""The text of a ticket as the service stores, logs, routes and shows it: normalised and PII-masked."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from pipeline.canonical import canonical
from pipeline.normalize import normalize, strip_invisible, to_simplified
from pipeline.pii import find_pii, mask_pii, mask_together, without_personal_data


def masked_text(text: str, people: Iterable[str | None] = ()) -> str:
    """`people`: names the text's record gives for its author, masked wherever they occur (see `mask_pii`); None for
    a record that gives none."""
    return mask_pii(normalize(text), [normalize(person) for person in people if person]).text


def masked_parts(*parts: str | None, people: Iterable[str | None] = ()) -> list[str | None]:
    """The parts of one record (title, body, reply) each as `masked_text` gives it, except that a name one part
    introduces is masked in all of them; a part that is no text (None, a spreadsheet's NaN) is returned as it is."""
    return _masked_parts(parts, people, normalize)


def _masked_parts(parts: Sequence[str | None], people: Iterable[str | None], read: Callable[[str], str]) -> list:
    present = [read(part) for part in parts if isinstance(part, str)]
    masked = iter(m.text for m in mask_together(present, [read(person) for person in people if person]))
    return [next(masked) if isinstance(part, str) else part for part in parts]


def title_and_body(title: str | None, body: str | None) -> str:
    """Title and body each on its own line, so that no place name or keyword is read across the join; a missing or
    blank part (a spreadsheet's empty cell may arrive as NaN) is left out."""
    return "\n".join(p for p in (title, body) if isinstance(p, str) and p.strip())


def routing_text(title: str | None, body: str | None, people: Iterable[str | None] = ()) -> str:
    """`title_and_body` of the masked title and body: the text routing reads. `people`: as for `masked_parts`."""
    return title_and_body(*masked_parts(title, body, people=people))


# What a call's transcript (speech recognition, or an agent typing as the caller speaks) holds in every ticket alike:
# who speaks (坐席：…市民：…) and the fillers of speech. A similarity of character grams counted them as the matter,
# so that two unrelated calls were each other's repeat at 0.70 and a hotspot's keywords led with 坐席.
_AGENT = "坐席|话务员|接线员|客服"
_CALLER = "市民|来电人|来电者"
_SPEAKER = re.compile(f"(?:{_AGENT}|{_CALLER})\\s*[:：]")
_FILLER = re.compile(r"[嗯呃啊哦噢]+|喂+(?=[\s,，。!！?？]|[你您]好|$)|那个|就是说|然后|[你您]好[,，]?请讲")


def without_call_fillers(text: str) -> str:
    """`text` without a transcript's speaker labels and fillers (嗯, 啊, 那个, 就是说, 然后 …): what says the matter."""
    return _FILLER.sub("", _SPEAKER.sub(" ", text))


# What a web form or a letter holds in every message alike: the portal's header and note (【网友留言】, 留言渠道：…,
# 留言时间：…, 发帖人：…, 诉求类型：…, 本留言由网站自动转发…, 系统自动推送…) and the letter's greeting and closing (尊敬的领导您好,
# 各位领导好, 以上情况属实, 恳请领导在百忙之中给予关注, 望有关部门高度重视, 盼复, 谢谢). Four unrelated messages a portal
# wrapped alike were each other's repeats at 0.76–0.86 (a web channel's round; its re-tester's two other platforms' at
# 0.75–0.83).
_FORM_WHO = r"(?:留言|来信|信件|提交|发布|来件|发帖|回帖|诉求|投诉)"
_FORM_FIELD = r"(?:渠道|来源|编号|类型)"
_FORM_FIELD_VALUE = r"\s*[:：]\s*[^\s，,。]{0,40}(?=[\s，,。])"
_FORM_TIME = r"时间\s*[:：]\s*[0-9年月日时分秒:：\-/. ]{0,25}"
_SEPARATORS = r"[，,：:；;！!。.\s]*"
# The portal's own lines, which no text of the board's messages or replies holds (a news item a letter quotes has
# 来源： and 发布时间：, a letter's own heading may be 【建议开发旅游路线】), so the models read past them too (`model_text`)
# and read no training text otherwise.
_PORTAL_WHO = r"(?:留言|来信|信件|来件|发帖|回帖)"
_PORTAL_PARTS = (r"【(?:网友|网民|市民|群众)?(?:留言|来信|信件|来电|投诉|咨询|求助|建议|举报|诉求)(?:[类件]|信息|详情|内容)?】"
                 rf"|{_PORTAL_WHO}{_FORM_TIME}|{_PORTAL_WHO}{_FORM_FIELD}{_FORM_FIELD_VALUE}"
                 r"|[(（]?本(?:留言|信件|件|帖|诉求|消息)由[^，,。\s]{0,20}(?:转发|推送|生成|转办)[^)）\n]{0,20}[)）]?"
                 r"|[(（]?系统自动(?:推送|生成|转发)[^)）\n]{0,20}[)）]?")
# …and the label of the handle it names (发帖人：…), whose value is masked by the time the models read it
_PORTAL = re.compile(rf"{_SEPARATORS}(?:{_PORTAL_PARTS}|(?:发帖|回帖)人\s*[:：]){_SEPARATORS}")
_FORM = re.compile(rf"{_SEPARATORS}(?:{_PORTAL_PARTS}|【[^】\n]{{1,16}}】|联系(?:方式|电话)\s*[:：]?"
                   # a title that names no matter, which a form asks for (反映问题, 投诉, 咨询)
                   r"|(?:^|标题\s*[:：]\s*)(?:关于)?(?:反映|投诉|咨询|求助|建议|举报)(?:一个|一下)?(?:问题|情况|事项)?(?=\s)"
                   r"|标题\s*[:：]"
                   rf"|{_FORM_WHO}{_FORM_TIME}|(?:{_FORM_WHO}(?:{_FORM_FIELD}|人)|来源){_FORM_FIELD_VALUE}"
                   rf"|{_FORM_WHO}内容\s*[:：]"
                   r"|尊敬的[^，,：:。\n]{0,10}(?:领导|书记|市长|同志|部门|负责人)|各位领导们?好?|[您你]们?好"
                   r"|以上(?:情况|内容|所述|反映)?(?:情况)?(?:句句)?(?:属实|真实)"
                   r"|(?:恳请|请|望|希望)?[^，。！!\n]{0,6}百忙之中"
                   r"(?:[^，。！!\n]{0,10}(?:关注|重视|过问))?(?:[，,]\s*尽快(?:解决|处理))?"
                   r"|(?:恳请|望|希望)[^，。！!\n]{0,6}高度重视|切实为民办实事|[^，。！!\n]{0,6}为盼|盼复"
                   r"|请(?:有关|相关)部门[^，。！!\n]{0,6}(?:核实|调查)[^，。！!\n]{0,4}?(?:处理)?(?:并(?:反馈|回复)(?:结果)?)?"
                   r"|(?:万分)?(?:谢谢|感谢)(?:您|你们?|领导)?|此致|敬礼)" + _SEPARATORS)


# A ticket's number as a caller or an agent gives it (工单号WG-2026-900001, 原工单：20261120003, 留言编号是WG123, an
# agent's 催办：WG-2026-058001): letters, digits and dashes, a digit among them. A phone or an ID number is masked by
# the time the route reads this. A shop's order or a parcel's number is none (订单号230915-…, 淘宝订单编号, 快递单号…: a
# 12315 seat's round was told each was a ticket of ours not found).
_TICKET_NUMBER = re.compile(r"(?<!订)(?<!订单)(?<!快递)(?<![运邮])(?<!物流)"
                            r"(?:工单|单号|编号|受理号|流水号|催办)[号码]?[是为]?[:：\s]*"
                            r"((?=[A-Za-z0-9\-_]*[0-9])[A-Za-z0-9][A-Za-z0-9\-_]{3,63})(?![A-Za-z0-9\-_])")


# What every follow-up says alike, whatever its matter: 催办, how often and when it was called in, that it is still so
# (a housing agent's round: 已经打过三次了…开发商还是不交房。诉求：催办 was listed with a lift's and a garbage's 催办 at
# 0.35–0.40)
_FOLLOW_UP_WORDS = re.compile(
    r"催办|(?:请|帮忙)?催一下|(?:我|已经|之前|此前|上次|以前|前天|昨天|前几天|刚才)*也?(?:打过|打了)"
    r"(?:[一二两三几好多]+次(?:电话|12345|热线)?|(?:电话|12345|热线)(?:[一二两三几好多]+次)?)了?"
    r"|(?:已经|之前|此前|上次|以前)?(?:反映|投诉)过(?:[一二两三几好多]+次)?了?|到现在(?:还是|都)?|还是老样子"
    # …and the agent's template every typed ticket shares (来电人反映：…；诉求：…), which in a short follow-up outweighs
    # the matter
    r"|来电(?:人|者)?(?:反映|咨询|称|表示|投诉|举报|求助)?[:：]|(?:来电)?诉求[:：]")


def without_formalities(text: str) -> str:
    """`text` without a web form's header and note, a letter's greeting and closing (`_FORM`), a ticket number it
    gives (two follow-ups that shared only 工单号WG-2026-9000… were each other's repeats at 0.76) and what every
    follow-up says (`_FOLLOW_UP_WORDS`): what says the matter."""
    return _FOLLOW_UP_WORDS.sub(" ", _TICKET_NUMBER.sub(" ", _FORM.sub(" ", text)))


_TURN = re.compile(f"(?={_SPEAKER.pattern})")
_AGENT_TURN = re.compile(f"(?:{_AGENT})\\s*[:：]")
_CALLER_TURN = re.compile(f"(?:{_CALLER})\\s*[:：]")
# what a caller says before the matter: 喂，你好，听得到吗？
_GREETING = re.compile(r"[嗯呃啊哦噢喂对好的是谢]|[你您]好|听得[到见]|在吗|请问是|一二三四五|12345|热线|吗")


# Rules and cues are written with Chinese clause marks ([^，。！？]{0,10}: within one clause) while a routed text is
# normalised, its ，！？；： made ASCII: read with the ASCII ones, a pattern ran on across clauses (我要投诉,儿子在部队… was
# taken for a complaint about the army; 我上周打过电话,到现在没人回复 for a call made to someone, by its 到).
_CLAUSE_MARKS = str.maketrans(",!?;:", "，！？；：")


def chinese_clause_marks(text: str) -> str:
    """`text` with its clause marks in their Chinese form, as patterns written with them read it."""
    return text.translate(_CLAUSE_MARKS)


def caller_first(text: str) -> str:
    """A call's transcript with the caller's turns first, those that only greet left out, then the agent's, a turn
    a line: what the caller opens with is the matter (停电了…), where the transcript opens with the agent's greeting
    and the caller's 喂，你好，听得到吗. Any other text is returned as it is; so is what stands before the first turn
    (a title)."""
    before, *turns = _TURN.split(text)
    if not any(_AGENT_TURN.match(turn) for turn in turns):
        return text
    callers = [turn.strip() for turn in turns if not _AGENT_TURN.match(turn)
               and re.search("[\u4e00-\u9fff]", _GREETING.sub("", _CALLER_TURN.sub("", turn, count=1)))]
    return before + "\n".join([*callers, *(turn.strip() for turn in turns if _AGENT_TURN.match(turn))])


def _as_read(text: str) -> str:
    return to_simplified(strip_invisible(text))


def model_text(title: str | None, body: str | None, *, presegmented: bool = False,
               stopwords: frozenset[str] | None = None, people: Iterable[str | None] = ()) -> str:
    """What every model reads, in training and in service alike: `canonical` of the title and body without their
    personal data, so that a caller's number or name never becomes a word of a model's vocabulary (the TF-IDF half
    keeps every word seen in two tickets, and a caller who rings twice gives his number twice). The masked spans are
    left out, not read as their placeholder's word: the placeholder [手机号] was the word 手机号 of telecom complaints,
    and nearly every ticket gives a number (路灯不亮 went to the phone company once 电话138… was added, 停水两天了
    from 0.84 to review). Masked as written, not normalised (the recipe keeps full-width punctuation), but in Simplified
    characters and without invisible ones, as `canonical` reads it: the names are recognised by Simplified surnames
    and titles (我叫張建國 reached the models as 张建国), and a zero-width space inside a number hid it from the
    masking until `canonical` deleted it and joined the digits. Pre-segmented text is canonical already: it
    keeps its words, less what held personal data (see `_masked_words`)."""
    if presegmented:
        return _masked_words(canonical(title, body, presegmented=True), [_as_read(p) for p in people if p])
    title, body = (without_personal_data(_PORTAL.sub(" ", part)) if isinstance(part, str) else part
                   for part in _masked_parts((title, body), people, _as_read))
    return canonical(title, body, stopwords=stopwords)


_WORD = re.compile(r"\S+")


def _masked_words(segmented: str, people: list[str]) -> str:
    """Pre-segmented text masked as the prose it was cut from: its words joined again (a space kept only between two
    words of digits or letters, so that two numbers do not become one long one), each masked span left out, and what
    a span leaves of a word it cuts kept as a word (jieba had cut the name 黄南相 as 黄南 | 相同: 同). Masking the
    spaced text instead read every space as the end of a name (居民 曾多次 → 居民 [姓名]) and found 675 "names" in
    train_segmented.csv, 123 of them ordinary words."""
    words = _WORD.findall(segmented)
    joined, starts = "", []
    for i, word in enumerate(words):
        if i and _is_ascii_alnum(words[i - 1][-1]) and _is_ascii_alnum(word[0]):
            joined += " "
        starts.append(len(joined))
        joined += word
    spans = find_pii(joined, people)
    if not spans:
        return segmented
    masked = {k for span in spans for k in range(span.start, span.end)}
    out: list[str] = []
    for word, start in zip(words, starts):
        piece = ""
        for k in range(start, start + len(word)):
            if k not in masked:
                piece += joined[k]
                continue
            out.append(piece)  # what came before the span stays a word of its own, as what comes after it
            piece = ""
        out.append(piece)
    return "".join(f"{word} " for word in out if word)


def _is_ascii_alnum(character: str) -> bool:
    return character.isascii() and character.isalnum()


# Where citizens write to the hotline: its web pages, mini-program and mailboxes (not 村里, 物业: someone else's).
_OUR_CHANNELS = (r"(?:网上|网站|小程序|微信|公众号|留言板|平台|[Aa][Pp][Pp]|湘易办|市长信箱|书记信箱|信箱"
                 r"|12345[^，。！？；\n]{0,4})")


# A caller who says the matter was reported to this line before (催办, 重复来电): a call to the hotline (12345,
# 市长热线, 热线) or a call "to report" it, a report "before" or "again", a ticket number. Not a call or report to
# someone else (打供水站电话没人接, 多次拨打交警大队的电话, 已经反映到村里, 多次向物业反映): that is no ticket of ours.
_OUR_HOTLINES = "12345|市长热线|市民热线|便民热线|政务热线"
_HOTLINES = f"{_OUR_HOTLINES}|服务热线"
_REPORTED_BEFORE = re.compile(
    r"(?:打过|打了|拨打过|拨过|拨打了|多次拨打|多次致电|几次拨打|再次拨打|再次致电|又打)[^，。！？；\n]{0,6}?"
    f"(?:{_HOTLINES})"
    # …the hotline named first (12345的市长热线打了都没用, which a run across clauses had read: a board's message); not
    # a company's 服务热线 (站牌的服务热线电话打过去)
    rf"|(?:{_OUR_HOTLINES})[^，。！？；\n]{{0,6}}?(?:打了|打过)(?![过回]?[来去])"
    # 我上个星期打12345反映过了 (an integrator's round)
    rf"|打(?:{_HOTLINES}|热线)[^，。！？；\n]{{0,2}}(?:反映|投诉|举报)过"
    r"|(?:打过|打了)(?:[一二两三几好多]+次)?电话(?:来)?(?:反映|投诉|举报)"
    # a day's number read from its first digit (\d+ tried from every digit of 20,000 took 5 s: a re-tester's round)
    # (上个礼拜我反映过…: a social desk's round)
    r"|(?:之前|此前|先前|上次|以前|前几天|前天|昨天|上周|上个?(?:月|星期|礼拜)|已经|曾经?|(?<!\d)\d{1,2}号|(?<!\d)\d{1,2}日"
    r"|刚才|刚刚|前面|[一两几半]个?(?:小时|钟头)前)(?:我们?|我家)?[就也]?(?:已经?)?(?:反映过|投诉过|举报过)"
    r"(?![^，。！？；\n]{0,4}(?:村里|村委|社区|物业|居委|派出所|单位|公司|学校|老板))"
    r"|(?:[再在]次|又一次|第[二三四五]次)(?:来电|致电|反映|反应|投诉|举报)"  # 在次: the input method's 再次
    # how a night's caller says it (a night agent's round): 刚才打过电话的, 我前面打过电话, 我刚才也打过, 这是我第二次打了,
    # 我又打来了, 催一下; not a call to someone else (刚才打过电话给物业), nor a body the hotline is asked to urge (仲裁委一直没开庭，
    # 请12345帮忙催一下: a wage-arrears agent's round; 打了120半天没来，帮忙催一下: an emergency line's)
    r"|(?:刚才|刚刚|前面|先前|[一两几半]个?(?:小时|钟头)前)(?:已经)?也?(?:打过|打了)(?:[一二两三几好多]+次)?(?:电话)?"
    r"(?![^，。！？；\n]{0,2}(?:给|到|找)|[0-9])"  # 刚才打了120: another line (12345 is the first branch's)
    # …and a night-shift agent's: 之前打过电话, 打了好几次热线了
    r"|(?:之前|此前|先前|以前|上次|上回|前几天|前天|昨天|上周|上个?(?:星期|礼拜|月))(?:已经)?也?(?:打过|打了)"
    r"(?:[一二两三几好多]+次)?电话(?![^，。！？；\n]{0,2}(?:给|到|找))"
    # …and a supervisor's round: 我8点多打过一次了, 上午打过电话 (not 早上打了一次疫苗, 下午打了电话给物业)
    # …and a night agent's: 我十点钟左右打过电话讲, 晚上打过电话
    # …and an emergency desk's: 我六点多就打电话了, 七点钟不到就打了电话, 昨晚就有人打了电话
    r"|(?:上午|早上|今早|中午|下午|晚上|夜里|半夜|昨晚|凌晨"
    r"|(?:(?<!\d)\d{1,2}|(?<![一二三四五六七八九十])[一二三四五六七八九十]{1,3})点(?:多|钟|半)?(?:左右|不到)?)(?:已经|就)?"
    r"(?:有人)?也?(?:(?:打过|打了)(?:[一二两三几好多]+次(?:电话)?(?=了|[，。！？；,!?;\n]|$)|电话)|打电话了)"
    r"(?![^，。！？；\n]{0,2}(?:给|到|找))"
    # …and a utilities desk's: 上次打电话讲文化路那个大坑，你们讲派给城管了
    # (…and a night agent's: 我晚上打电话讲我爸走丢了的, 昨天晚上十点多我打电话举报了; not 早上供电所打电话讲要停电)
    # (…not a relative's call the caller tells of: 我奶奶…，刚才打电话讲水已经进屋了: an emergency desk's round)
    r"|(?:之前|此前|先前|以前|上次|上回|前几天|前天|昨天|上周|上个?(?:星期|礼拜|月)|晚上|昨晚|夜里|半夜|(?<=我)(?:刚才|刚刚))"
    r"[0-9一二三四五六七八九十点钟多半左右晚上]{0,6}我?(?:已经)?也?打电话(?:来)?(?:讲|说|反映|举报)(?!给)"
    r"|(?:刚才|刚刚)我(?:已经)?也?打电话(?:来)?(?:讲|说|反映|举报)(?!给)"
    r"|(?:打过|打了)[一二两三几好多]+次(?:12345|热线)"
    r"|第[二三四五六七八九]次(?:打|来电|致电|反映|打电话)|又打(?:来|过来)了"
    # …nor a utility the caller could not get through to (打他们电话一直占线，麻烦你们催一下: an integrator's round; 冒人接,
    # a 武冈 caller's 没人接: another's), nor an office's slow papers (不动产登记中心办证太慢了…麻烦催一下: a quality inspector's)
    r"|(?:^|(?<=[。！？\n]))(?:(?!仲裁|法院|开庭|立案|办证|审核|审批|登记中心|救护车|消防车|警察|占线|打不通|打不进|(?:没|冇|冒|无)得?人接|不接"
    r"|(?<!\d)(?:110|119|120)(?!\d))"
    r"[^。！？\n])*催一下"
    # …the caller's own party to urge is no ticket of ours (请帮我催一下开发商: a city-management desk's round)
    r"(?![^，。！？；\n]{0,2}(?:开发商|物业|老板|公司|施工|工地|厂|他们|她们|他|她|对方|单位|村里|村委|社区|居委|学校|医院"
    r"|银行|商家|店|快递|保险|法院|仲裁))"
    # 我反映了三次了 (a shift leader's round), in a clause that names no one else it went to or who said it (向物业反映了三次了,
    # 物业讲了好几次了), and as a 武冈 caller says it (这几个事都讲了好多次了: a city-management liaison's round)
    r"|(?:^|(?<=[，。！？；,!?;\n]))(?:(?![向给找跟和到]|物业|老板|老师|村里)[^，。！？；,!?;\n]){0,8}(?:反映|投诉|举报|来电|讲)[了过]?"
    r"(?:[两三四五六七八九十几好多]+|(?<!\d)\d{1,3})次了"
    # …and as a transport agent's callers said it: 已经打过三次了, 打了好几次电话了 (not 120打了好几次了: no digit before)
    r"|(?:^|(?<=[，。！？；,!?;\n]))(?:(?![向给找跟和到\d])[^，。！？；,!?;\n]){0,8}(?:打过|打了)"
    r"(?:[两三四五六七八九十几好多]+|(?<!\d)\d{1,3})次(?:电话)?了"
    # (上次反映了到现在还是这样: an integrator's round)
    r"|(?:之前|此前|先前|上次|上回|前几天|前天|昨天|上周|上个?(?:星期|礼拜|月))(?:已经|就)?(?:打电话|来电)?(?:反映|投诉|举报)[了过]"
    r"(?![^，。！？；\n]{0,4}(?:村里|村委|社区|物业|居委|派出所|单位|公司|学校|老板))"
    # a unit's word on it quoted back, the matter back since (镇里讲整治好了，今天早上四点钟又开始喊了: a township's round)
    r"|(?:镇里|镇上|镇政府|乡里|乡政府|街道|城管|政府|部门|你们)(?:的人)?(?:讲|说|答复|回复)(?:已经)?"
    r"(?:整治|处理|修|搞|解决|整改|清理)(?:好|完)?了[^。！？\n]{0,24}(?:又|还是|照样|依旧)"
    # the hotline's own answer quoted back (12345你们上次回复说已经处理了: a dispatcher's round)
    r"|(?:12345|热线|你们)[^，。！？；\n]{0,4}(?:上次|之前|以前|前次)[^，。！？；\n]{0,2}(?:回复|答复|回访|说)"
    # a message written to the hotline's own channels before (a web channel's round: 我上周在小程序上反映过, 前天在网上留言,
    # 多次在12345网站留言, 已经留言三次了); a message that says it is being written there now (我在网上留言反映…) is none
    rf"|(?:之前|此前|先前|上次|以前|前几天|前天|昨天|上周|上个月|已经|曾经?|多次|几次|好几次)[^，。！？；\n]{{0,2}}"
    rf"(?:在|通过|用|给)[^，。！？；\n]{{0,4}}?{_OUR_CHANNELS}上?[^，。！？；\n]{{0,2}}(?:留言|反映|投诉|举报|写过?信)"
    r"|留言[了过]?(?:[两三四五六七八九十几好多]+|(?<!\d)\d{1,3})次了"
    # …and as its re-tester found them: 这是我第四次留言了, 再次留言, 三番五次留言, 我的留言编号是…, 我前面反映的那个事情
    r"|第[二三四五六七八九十]次(?:留言|写信)|再次(?:留言|写信)|三番五次[^，。！？；\n]{0,4}留言"
    r"|(?:留言|信件)编号"
    # 上次反映的还没处理, 上回反应的, 上个星期投诉的, 刚才反映的那个事 (a night-shift agent's round)
    r"|(?:前面|之前|此前|先前|上次|上回|前几天|刚才|刚刚|上个?(?:星期|礼拜|周|月))(?:已经)?(?:反映|反应|留言|投诉|举报)的"
    r"|催办|原工单|工单号|(?:之前|上次|以前|前面)的工单"
    # a report "many times" with no one else named in its clause (a statistician's round: 扰民问题已经反映多次，一直没有效果;
    # not 已经向社区反映多次, 多次反映到村里)
    r"|(?:^|(?<=[，。！？；,!?;\n]))(?:(?![向给找跟和到]|物业|老板|老师|村里)[^，。！？；,!?;\n]){0,40}"
    r"(?:(?:多次|屡次|反复|一再|好几次)(?:反映|投诉|举报)|(?:反映|投诉|举报)过?(?:多次|好几次|[两三四五六七八九十]次))"
    r"(?![^，。！？；,!?;\n]{0,2}(?:给|到|向))")


# A broken thing mended or its supply back (修好了, 已经来水了), unless the caller asks (修好了吗) or it broke again after
# (修好了但还是很大的味, 说修好了结果一会又停了); 就是电线杆还是歪的 is another matter beside it
_MENDED = (r"(?:(?:修|处理|搞|弄|抢修)(?:好|完)了|解决了|恢复(?:供水|供电|供气|正常)?了|来(?:水|电|气)了|不漏了|不冒了)"
           r"(?![吗没冇]|[^。！？\n]{0,12}(?:又|还是|还在|仍然|依然)在?(?:开始)?"
           r"(?:漏|爆|停|坏|冒|断|跳|有|没|冇|很|好大|一股|臭|那样|老样子))")
# A follow-up that says the matter is over, or nearly (…, 火灭了, 找到了): no emergency any more, whatever the ticket
# it follows up was.
_OVER = re.compile(rf"{_MENDED}|灭(了|掉了)|找到了|没事了|冇事了|(送|到)(了)?医院")


def says_it_is_over(text: str) -> bool:
    """Whether the ticket says the matter it reports is over (修好了, 已经来水了, 找到了)."""
    return _OVER.search(text) is not None


def says_it_is_mended(text: str) -> bool:
    """Whether `text` says a broken thing is mended or its supply back, and not broken again since (修好了, 来水了)."""
    return re.search(_MENDED, text) is not None


def says_reported_before(text: str) -> bool:
    """Whether the caller says this matter was reported to the hotline before (a follow-up, 催办)."""
    return _REPORTED_BEFORE.search(chinese_clause_marks(text)) is not None


def ticket_numbers(text: str) -> list[str]:
    """The ticket numbers `text` gives, in order."""
    return _TICKET_NUMBER.findall(text)
