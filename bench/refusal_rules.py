"""How often the 不予受理 rules (routing_rules.json `not_accepted`) fire on real messages, and how often the official
reply agrees; and how often the urgent words flag a message, with and without their context veto (`urgent_unless`).

Every message of the teddy2020c files was answered by a government unit, so a refusal rule that fires on many of
them is suspect. replies_raw.csv gives a weak check: an official reply that itself points to the rule's channel
(法院 / 诉讼 for litigation, 纪委 for 纪检监察 …) near its start agrees with the refusal; one that answers the matter
does not. The check is a proxy: a reply can mention 法院 for other reasons, and a unit sometimes answers a matter
that belonged elsewhere. The text is what `/v1/route` reads: normalised, PII-masked, title and body on two lines.

    python3 bench/refusal_rules.py                      # the demo pack's rules
    python3 bench/refusal_rules.py --show 5             # also 5 messages per rule, with the reply's opening
    python3 bench/refusal_rules.py --rules OTHER.json   # another rules file (e.g. an older version from git)
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FILES = ("dev_raw.csv", "hot_messages_raw.csv", "replies_raw.csv")
# Where a reply sends the citizen when the matter belongs to the rule's channel.
REPLY_POINTS_TO = {
    "litigation": "法院|诉讼|起诉|司法(途径|程序)|法律途径",
    "arbitration": "仲裁",
    "discipline-inspection": "纪委|监委|纪检|监察委",
    "administrative-reconsideration": "复议",
    "information-disclosure": "信息公开",
    "petition-under-way": "信访",
    "other-organs": "法院|检察院|人大|政协|部队|军队|驻军",
    "national-security": "国家安全|保密|12339",
    "already-closed": "已(经)?(办结|答复)|办结",
}
REPLY_OPENING = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared-data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--show", type=int, default=0, help="print this many fired messages per rule")
    parser.add_argument("--show-urgent", action="store_true", help="print every message the route flags urgent")
    parser.add_argument("--rules", type=Path, help="routing rules file (default: the demo pack's)")
    args = parser.parse_args()

    from knowledge_base.dispatch import RoutingRules, decide, first_refusal, load_rules, urgent_words_in
    from models.predictor import HeadPrediction
    from pipeline import routing_text

    rules = load_rules(args.rules)
    unvetoed = RoutingRules(version=rules.version, urgent_words=rules.urgent_words, hand_over=rules.hand_over)
    # what the route flags whatever the heads say: the urgent words and the rules that set urgent (fire, gas leak …)
    heads = {"topic": HeadPrediction("城乡建设", 0.99, review=False),
             "unit": HeadPrediction("住房和城乡建设", 0.99, review=False)}
    flagged_examples: list[str] = []
    urgent: dict[str, Counter] = defaultdict(Counter)
    vetoed_examples: list[str] = []
    ids = [r.id for r in rules.not_accepted]
    fired: dict[str, Counter] = {}
    agreed, reply_points = Counter(), Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    sizes = {}
    for name in FILES:
        frame = pd.read_csv(args.shared_data / "teddy2020c" / name, dtype=str)
        sizes[name], fired[name] = len(frame), Counter()
        for _, row in frame.iterrows():
            text = routing_text(row.get("留言主题"), row.get("留言详情"))
            words, kept = urgent_words_in(text, unvetoed), urgent_words_in(text, rules)
            routed = decide(heads, text, rules=rules)
            urgent[name].update(words=bool(words), flagged=bool(kept), routed=routed.urgent,
                                hand_over=bool(routed.hand_over))
            if words and not kept and args.show and len(vetoed_examples) < args.show:
                vetoed_examples.append(f"{'、'.join(words.values())} in {row['留言主题'][:30]}")
            if routed.urgent and args.show_urgent:
                said = "、".join(kept.values()) or routed.rule
                flagged_examples.append(f"{name} {row['留言编号']} {said} {'/'.join(routed.hand_over)}: "
                                        f"{row['留言主题'][:30]}")
            refusal = first_refusal(text, rules)
            hit = (refusal[0].id, refusal[1].group(0)) if refusal else None
            reply = re.sub(r"\s+", "", row.get("答复意见") or "")[:REPLY_OPENING]
            if name == "replies_raw.csv":
                reply_points.update(k for k, p in REPLY_POINTS_TO.items() if re.search(p, reply))
            if hit is None:
                continue
            fired[name][hit[0]] += 1
            if name == "replies_raw.csv":
                agreed[hit[0]] += bool(re.search(REPLY_POINTS_TO[hit[0]], reply))
                if args.show and len(examples[hit[0]]) < args.show:
                    examples[hit[0]].append(f"“{hit[1]}” in {row['留言主题'][:30]} → reply: {reply[:90]}")

    lines = ["| rule | " + " | ".join(f"{n} ({sizes[n]:,})" for n in FILES)
             + " | reply agrees | replies pointing there |", "|---|" + "---:|" * (len(FILES) + 2)]
    for rule in ids:
        lines.append(f"| {rule} | " + " | ".join(str(fired[n][rule]) for n in FILES)
                     + f" | {agreed[rule]} | {reply_points[rule]} |")
    totals = [sum(fired[n].values()) for n in FILES]
    lines.append("| **any** | " + " | ".join(f"**{t} ({t / sizes[n]:.1%})**" for t, n in zip(totals, FILES))
                 + f" | **{sum(agreed.values())}** | |")
    print("\n".join(lines))
    for rule, shown in examples.items():
        print(f"\n{rule}")
        for line in shown:
            print("  ", line)

    print("\n| urgent flag | " + " | ".join(f"{n} ({sizes[n]:,})" for n in FILES) + " |")
    print("|---|" + "---:|" * len(FILES))
    for key, label in (("words", "an urgent word occurs"), ("flagged", "flagged (context veto applied)"),
                       ("routed", "urgent as routed (words, or a rule: fire, gas leak …)"),
                       ("hand_over", "hand over to 120 / 110 / 119")):
        print(f"| {label} | " + " | ".join(f"{urgent[n][key]} ({urgent[n][key] / sizes[n]:.1%})" for n in FILES) + " |")
    for line in vetoed_examples:
        print("   vetoed:", line)
    for line in flagged_examples:
        print("   urgent:", line)


if __name__ == "__main__":
    main()
