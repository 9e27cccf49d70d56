"""How answers, evidence and flags read in a report: plain data in, plain strings out.

Pure functions over rows already loaded, so the appendix of a 2,000-question report costs
no query per question. Nothing here produces markup: the template escapes every string.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from questionnaires.authoring.display import answer_text
from questionnaires.scoring.text import num

SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
NOT_ANSWERED = "Not answered"


def answer_words(question: Mapping[str, Any], value: Any) -> str:
    """The answer to a question row (a dict of `kind` and `options`) as the report says it."""
    return answer_text(value, kind=question["kind"], options=question.get("options")) \
        or NOT_ANSWERED


def file_size(size: int) -> str:
    """Bytes in the unit a person reads (12.3 KB); the exact file is pinned by its hash."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def severity_rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def appendix(sections: Sequence[Mapping[str, Any]], questions: Iterable[Mapping[str, Any]],
             visible: Mapping[str, bool], answers: Mapping[str, Mapping[str, Any]],
             evidence: Mapping[int, list[dict]], scores: Mapping[str, Mapping[str, Any]]
             ) -> list[dict]:
    """Every visible question by section, numbered as the vendor saw it (2.5 = the fifth
    question of the second section), with its answer, comment, evidence and references.

    `info` items are left out (there is nothing to answer); hidden questions too, since
    they took no part in the score.
    """
    by_section: dict[int, list[Mapping[str, Any]]] = {section["id"]: [] for section in sections}
    for question in questions:
        by_section[question["section_id"]].append(question)
    out = []
    for s_index, section in enumerate(sections, start=1):
        items = []
        for q_index, question in enumerate(by_section[section["id"]], start=1):
            if question["kind"] == "info" or not visible.get(question["key"], False):
                continue
            answer = answers.get(question["key"], {})
            score = scores.get(question["key"], {}).get("score")
            items.append({
                "number": f"{s_index}.{q_index}",
                "key": question["key"],
                "text": question["text"],
                "answer": answer_words(question, answer.get("value")),
                "comment": answer.get("comment", ""),
                "evidence": evidence.get(question["id"], []),
                "refs": ", ".join(question.get("refs") or []),
                "score": None if score is None else num(score * 100),
            })
        if items:
            out.append({"number": s_index, "title": section["title"], "questions": items})
    return out


def findings(flags: Iterable[Mapping[str, Any]], questions: Mapping[str, Mapping[str, Any]],
             answers: Mapping[str, Mapping[str, Any]], section_titles: Mapping[int, str]
             ) -> list[dict]:
    """Every raised flag, worst first (document order within a severity), with the question
    it sits on, what the vendor answered and said, and what to do about it."""
    ranked = []
    for position, flag in enumerate(flags):
        question = questions.get(flag["question"], {})
        answer = answers.get(flag["question"], {})
        ranked.append(((severity_rank(flag["severity"]), position), {
            "severity": flag["severity"],
            "title": flag["title"],
            "question_key": flag["question"],
            "question": question.get("text", flag["question"]),
            "section": section_titles.get(question.get("section_id"), ""),
            "answer": answer_words(question, flag.get("answer")) if question
            else str(flag.get("answer")),
            "comment": answer.get("comment", ""),
            "recommendation": flag.get("recommendation") or "",
            "refs": ", ".join(question.get("refs") or []),
            "penalty": num(flag.get("penalty") or 0),
        }))
    ranked.sort(key=lambda pair: pair[0])
    return [item for _, item in ranked]
