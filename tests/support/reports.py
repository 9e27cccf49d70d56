"""A known, scored assessment to report on, built through the real services.

Shared by the report tests (through fixtures in tests/reports/conftest.py), the
cross-tenant tests, and by bench/bench_reports.py, which loads this file by path so that it times reports of the same
shape the tests check, only bigger.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from tests.support import builders
from tests.support.builders import NO_IS_GOOD, RESPONDENT

# What a hostile vendor might type: markup, a local file, a remote stylesheet and a CSS
# url(). The report must show it as text and fetch nothing. PORT is filled in by the test.
HOSTILE = ('<script>alert(1)</script><img src="file:///etc/passwd">'
           '<link rel=stylesheet href="http://127.0.0.1:PORT/x.css"> '
           'body{background:url(http://127.0.0.1:PORT/y)}')
ACCENTED = "Séparation logique par client, gérée par l'équipe de Zürich (Ñandú, Łódź, Øresund)"


def known_spec() -> dict[str, Any]:
    """Three sections, flags of several severities, a number question with bands, a
    question hidden by an answer, a file question: everything a report has to show."""
    return {
        "format": "diligence/v1",
        "key": "report-test",
        "name": "Neutrality and security check",
        "description": "A short questionnaire for the <b>report</b> tests.",
        # Gentler than the defaults, so the scenarios' changes are not all floored at 0.
        "flag_penalties": {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 5},
        "sections": [
            {"key": "ownership", "title": "Ownership and control", "questions": [
                {"key": "own_model_builder_equity", "kind": "yes_no", "required": True,
                 "text": "Does any model builder hold equity in your company?",
                 "weight": 3, "options": NO_IS_GOOD,
                 "flags": [{"when": 'own_model_builder_equity == "yes"', "severity": "critical",
                            "title": "A model builder holds equity",
                            "recommendation": "Ask for the cap table and the investor's "
                                              "information rights."}],
                 "refs": ["ISO27001:2022 A.5.19", "NIST-CSF-2.0 GV.SC-06"]},
                {"key": "own_stake_percent", "kind": "number", "required": True,
                 "text": "What percentage of your equity do model builders hold in total?",
                 "show_if": 'own_model_builder_equity == "yes"', "min": 0, "max": 100,
                 "bands": [{"min": 0, "max": 5, "score": 1.0}, {"min": 5, "max": 25, "score": 0.5},
                           {"min": 25, "max": None, "score": 0.0}],
                 "flags": [{"when": "own_stake_percent >= 25", "severity": "high",
                            "title": "Model builders hold a quarter or more",
                            "recommendation": "Treat the vendor as under a competitor's "
                                              "influence until the stake is reduced."}]},
                {"key": "own_board_seat_competitor", "kind": "yes_no", "required": True,
                 "text": "Does any model builder hold a board or observer seat?",
                 "options": NO_IS_GOOD},
                {"key": "own_board_seat_detail", "kind": "short_text",
                 "text": "Which company holds the seat?", "weight": 0,
                 "show_if": 'own_board_seat_competitor == "yes"'},
            ]},
            {"key": "segregation", "title": "Customer data segregation", "questions": [
                {"key": "seg_isolation", "kind": "single_choice", "required": True,
                 "text": "How is each customer's data kept apart?",
                 "options": [{"key": "per_customer", "label": "A separate environment per customer",
                              "score": 1.0},
                             {"key": "logical", "label": "Logical separation in shared systems",
                              "score": 0.5},
                             {"key": "none", "label": "Not separated", "score": 0.0}],
                 "flags": [{"when": 'seg_isolation != "per_customer"', "severity": "medium",
                            "title": "Customer data shares systems",
                            "recommendation": "Ask for per-customer encryption keys."}],
                 "refs": ["ISO27001:2022 A.8.12"]},
                {"key": "seg_notes", "kind": "long_text", "weight": 0,
                 "text": "Describe how annotators are assigned to customers."},
            ]},
            {"key": "security", "title": "Security", "weight": 2, "questions": [
                {"key": "sec_encryption_at_rest", "kind": "yes_no", "required": True,
                 "text": "Is customer data encrypted at rest?"},
                {"key": "sec_mfa_enforced", "kind": "yes_no", "required": True,
                 "text": "Is multi-factor authentication enforced for all staff?"},
                {"key": "sec_notify_hours", "kind": "number", "required": True,
                 "text": "Within how many hours do you notify customers of a breach?",
                 "bands": [{"min": 0, "max": 24, "score": 1.0}, {"min": 24, "max": 72, "score": 0.5},
                           {"min": 72, "max": None, "score": 0.0}],
                 "flags": [{"when": "sec_notify_hours > 72", "severity": "high",
                            "title": "Breach notification slower than 72 hours",
                            "recommendation": "Require notification within 24 hours in the "
                                              "contract."}],
                 "refs": ["SOC2 CC7.3"]},
                {"key": "sec_soc2_report", "kind": "file", "evidence": "optional", "weight": 0,
                 "text": "Upload your latest SOC 2 Type II report."},
            ]},
        ],
    }


def known_answers(port: int = 9) -> dict[str, tuple[Any, str]]:
    """key -> (value, comment)."""
    return {
        "own_model_builder_equity": ("yes", "A venture arm of a lab invested in 2024."),
        "own_stake_percent": (8, ""),
        "own_board_seat_competitor": ("no", ""),
        "seg_isolation": ("logical", ACCENTED),
        "seg_notes": (HOSTILE.replace("PORT", str(port)), HOSTILE.replace("PORT", str(port))),
        "sec_encryption_at_rest": ("yes", ""),
        "sec_mfa_enforced": ("yes", ""),
        "sec_notify_hours": (96, "Our policy says four days."),
    }


SECTION_SIZE = 25  # questions per section in generated templates, as in the library
LIBRARY_KEYS = ("own_model_builder_equity", "own_board_seat_competitor",
                "sec_encryption_at_rest", "sec_mfa_enforced")  # keys the scenarios touch


def generated_spec(count: int) -> dict[str, Any]:
    """A template of `count` questions of every scored kind, with flags and references,
    in sections of SECTION_SIZE; the first questions carry keys the library scenarios
    stress, so the stress-test chapter has something to show."""
    sections = []
    for s_index in range(0, count, SECTION_SIZE):
        questions = []
        for index in range(s_index, min(count, s_index + SECTION_SIZE)):
            key = LIBRARY_KEYS[index] if index < len(LIBRARY_KEYS) else f"q{index:04d}"
            question: dict[str, Any] = {
                "key": key, "required": index % 3 != 0,
                "text": f"Question {index + 1}: does the vendor keep control number {index + 1} "
                        "in place for every customer, with evidence a reviewer can check?",
                "refs": ["ISO27001:2022 A.5.19", "NIST-CSF-2.0 GV.SC-06"] if index % 4 == 0 else []}
            kind = ("yes_no", "single_choice", "number", "yes_no", "long_text")[index % 5]
            question["kind"] = kind
            if kind == "yes_no":
                question["flags"] = [{"when": f'{key} == "no"', "severity": "high" if index % 2 else "medium",
                                      "title": f"Control {index + 1} is missing",
                                      "recommendation": "Ask for a remediation plan with dates."}]
            elif kind == "single_choice":
                question["options"] = [{"key": "full", "label": "Fully in place", "score": 1.0},
                                       {"key": "partial", "label": "Partly in place", "score": 0.5},
                                       {"key": "missing", "label": "Not in place", "score": 0.0}]
            elif kind == "number":
                question["bands"] = [{"min": 0, "max": 24, "score": 1.0},
                                     {"min": 24, "max": None, "score": 0.3}]
            else:
                question["weight"] = 0
            questions.append(question)
        number = s_index // SECTION_SIZE + 1
        sections.append({"key": f"s{number:03d}", "title": f"Control area {number}",
                         "questions": questions})
    return {"format": "diligence/v1", "key": f"generated-{count}", "name": f"Generated {count}",
            "sections": sections}


def generated_answers(spec: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    """Plausible answers: mostly good, some gaps that raise flags, comments on a third."""
    answers = {}
    index = 0
    for section in spec["sections"]:
        for question in section["questions"]:
            kind = question["kind"]
            if kind == "yes_no":
                value: Any = "no" if index % 7 == 0 else "yes"
            elif kind == "single_choice":
                value = ("full", "partial", "missing")[index % 3]
            elif kind == "number":
                value = (index * 7) % 48
            else:
                value = ("We assign annotators to one customer at a time; access is reviewed "
                         "monthly and revoked within a day of a move. ") * 3
            comment = (f"Comment on question {index + 1}: the control is documented in policy "
                       "SEC-12 and was last audited in March." if index % 3 == 0 else "")
            answers[question["key"]] = (value, comment)
            index += 1
    return answers


@dataclass
class Built:
    assessment: Any
    score_run: Any
    evidence: Any


def issue_answer_score(*, organization, vendor, spec: dict[str, Any],
                       answers: dict[str, tuple[Any, str]], by=None,
                       evidence_for: str | None = None, score: bool = True,
                       bulk: bool = False) -> Built:
    """Issue `spec` to `vendor`, answer it, submit it and (unless `score` is False) score
    it in this process with the real services.

    `bulk` writes the answer rows in one go instead of through `answer_save` (which
    re-reads every answer on each save): for the large templates of the benchmark."""
    from questionnaires.assessments.models import Answer
    from questionnaires.authoring.models import Question

    template = builders.template_from(spec, organization)
    assessment = builders.issue(organization=organization, vendor=vendor, template=template,
                                by=by).assessment
    evidence = None
    if evidence_for is not None:
        evidence = builders.evidence(
            assessment, key=evidence_for, name="soc2-type-ii-2025.pdf", stored_as="soc2.pdf",
            content=b"%PDF-1.4\n% SOC 2 Type II report of LabelWorks\n")
        answers = {**answers, evidence_for: ([str(evidence.pk)], "")}
    if bulk:
        questions = dict(Question.objects.filter(template=template).values_list("key", "pk"))
        Answer.objects.bulk_create([Answer(assessment=assessment, question_id=questions[key],
                                           value=value, comment=comment, answered_by=RESPONDENT)
                                    for key, (value, comment) in answers.items()], batch_size=500)
    else:
        builders.answer(assessment, {key: value for key, (value, _) in answers.items()},
                        comments={key: comment for key, (_, comment) in answers.items()})
    assessment = builders.submit(assessment)
    run = builders.score(assessment) if score else None
    return Built(assessment, run, evidence)


def competitor_stake(*, organization, vendor, percent: float = 8, board_seats: int = 0):
    """A declared competitor holding `percent` of the vendor (at risk at the default
    thresholds), and the neutrality event that recorded the change."""
    from questionnaires.ownership.models import Competitor, Entity, NeutralityEvent, Stake
    from questionnaires.ownership.services.neutrality import vendor_entity

    Competitor.objects.create(organization=organization, name="Orbital Dynamics",
                              aliases=["Orbital"])
    holder = Entity.objects.create(organization=organization, name="Orbital Dynamics")
    stake = Stake.objects.create(organization=organization, holder=holder,
                                 subject=vendor_entity(vendor), percent=percent,
                                 voting_percent=percent, board_seats=board_seats,
                                 acquired_on=datetime.date(2024, 3, 1),
                                 source="Press release, 2024-03-01")
    NeutralityEvent.objects.create(
        organization=organization, vendor=vendor, from_status="neutral", to_status="at_risk",
        stake=stake, findings=[{"reason": f"Orbital Dynamics acquired {percent}% of the vendor."}])
    return stake
