"""Everything a report shows, read from the database into one plain dict.

A fixed number of queries whatever the size of the questionnaire (pinned by a test): the
report row with its assessment, vendor, buyer, template and score run in one, then one each
for sections, questions, answers, evidence, the decision, its conditions, the audit trail
and the ownership graph. The template only formats what is here; it runs no query.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import nh3
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from questionnaires.assessments.models import Evidence, RemediationItem, Review
from questionnaires.assessments.services.snapshot import snapshot_of
from questionnaires.audit.models import AuditEvent
from questionnaires.authoring.models import Question
from questionnaires.authoring.services.templates import compiled_template
from questionnaires.charts.scores import scenarios_svg, section_scores_svg
from questionnaires.ownership.models import Entity
from questionnaires.reports import answers as answer_format
from questionnaires.reports.models import Report
from questionnaires.reports.ownership import STATUS_LABELS, neutrality_part, svg_data_uri
from questionnaires.scoring.models import ScoreRun
from questionnaires.scoring.rules import merged_thresholds
from questionnaires.scoring.text import num, signed

CHART_ROWS = 24  # bars per chart: taller pictures would not fit a page (images never split)
TOP_FLAGS = 5  # flags named in the executive summary; the findings chapter lists them all
AUDIT_LIMIT = 300  # events listed; a longer trail is summarised and lives in the workspace
DECISION_LABELS = {"approve": "Approved", "approve_with_conditions": "Approved with conditions",
                   "reject": "Rejected", "request_changes": "Changes requested"}
AUDIT_LABELS = {"assessment.issued": "Questionnaire issued",
                "invitation.created": "Invitation link sent",
                "assessment.reminded": "Reminder sent",
                "evidence.uploaded": "Evidence uploaded",
                "assessment.submitted": "Answers submitted",
                "assessment.scored": "Answers scored",
                "assessment.cancelled": "Assessment cancelled"}
# Actions that happen once per save or page view: counted, not listed one by one.
QUIET_ACTIONS = {"answer.saved": "answer save", "invitation.opened": "visit to the portal"}
# Formatting a questionnaire author may use in a description (VSAQ files carry some); no
# attribute survives, so no URL can reach the renderer through it.
RICH_TAGS = {"b", "strong", "i", "em", "u", "br", "p", "ul", "ol", "li", "code"}


def rich_text(value: str) -> SafeString:
    """Author-written text that may hold simple formatting, cleaned by nh3."""
    cleaned = nh3.clean(value, tags=RICH_TAGS, attributes={}, url_schemes=set(), link_rel=None)
    return mark_safe(cleaned)  # noqa: S308 - nh3 kept only the tags above, no attribute


def report_context(report: Report) -> dict[str, Any]:
    """The report's content as plain data (strings, numbers, dates, lists, dicts)."""
    report = (Report.objects.select_related(
        "assessment__vendor__organization", "assessment__organization", "assessment__template",
        "score_run", "requested_by").get(pk=report.pk))
    assessment, run = report.assessment, report.score_run
    if run is None:
        raise ValueError(f"report {report.pk} has no score run to report on")
    template, vendor = assessment.template, assessment.vendor
    buyer = assessment.organization.name
    thresholds = merged_thresholds({"tiers": template.tiers})
    issued = timezone.localtime(report.created_at)

    sections, questions, answers, evidence, evidence_keys = _answered(assessment)
    by_key = {question["key"]: question for question in questions}
    compiled = compiled_template(template)
    # Recomputed from what the appendix shows, so the report can say whether it is exactly
    # what was scored (answers may change later in a clarification round).
    snapshot = snapshot_of(compiled, answers=((key, row["value"], row["comment"])
                                              for key, row in answers.items()),
                           evidence=evidence_keys)
    visible = compiled.visibility(snapshot.values)
    effective, shown_digest = snapshot.effective, snapshot.digest
    result = run.result
    section_titles = {section["id"]: section["title"] for section in sections}
    flags = answer_format.findings(result.get("flags", []), by_key, answers, section_titles)
    scenarios = _scenarios(run)
    review = _review(assessment)

    entity_id = (Entity.objects.filter(vendor=vendor).values_list("pk", flat=True).first())
    neutrality = neutrality_part(vendor=vendor, answers=effective,
                                 vendor_entity_id=None if entity_id is None else str(entity_id),
                                 on=issued.date(), scored_status=run.neutrality_status)
    return {
        "title": f"Due diligence report: {vendor.name}",
        "marking": f"CONFIDENTIAL - {buyer} internal",
        "report": {"id": str(report.pk), "issued": issued,
                   "requested_by": _person(report.requested_by) if report.requested_by_id
                   else ""},
        "buyer": buyer,
        "vendor": {"name": vendor.name, "country": vendor.country,
                   "criticality": vendor.criticality, "website": vendor.website,
                   "services": ", ".join(vendor.services or [])},
        "questionnaire": {"name": template.name, "version": template.version,
                          "key": template.key,
                          "description": rich_text(template.description)},
        "assessment": {"id": str(assessment.pk), "status": assessment.get_status_display(),
                       "sent_at": assessment.sent_at, "due_date": assessment.due_date,
                       "submitted_at": assessment.submitted_at,
                       "decided_at": assessment.decided_at, "round": assessment.round},
        "score": _score(run, thresholds),
        "sections": [{**section, "score": None if section["score"] is None
                      else num(section["score"]), "weight": num(section["weight"]),
                      "reason": sentence(result.get("explanation", {}).get("sections", {})
                                         .get(section["key"], ""))}
                     for section in result.get("sections", [])],
        "section_charts": [svg_data_uri(section_scores_svg(part, thresholds))
                           for part in _chunks(result.get("sections", []), CHART_ROWS)],
        "flags": flags,
        "top_flags": flags[:TOP_FLAGS],
        "flag_counts": _flag_counts(flags),
        "scenarios": scenarios,
        "worst_scenario": min(scenarios, key=lambda s: s["delta_value"]) if scenarios else None,
        "scenario_charts": [svg_data_uri(scenarios_svg(
            {"overall": run.overall, "tier": run.tier}, part, thresholds))
            for part in _chunks(run.scenarios or [], CHART_ROWS)],
        "review": review,
        "neutrality": neutrality,
        "appendix": answer_format.appendix(sections, questions, visible, answers, evidence,
                                           result.get("questions", {})),
        "audit": _audit(assessment),
        "integrity": {"answers_digest": assessment.answers_digest, "score_digest": run.digest,
                      "shown_digest": shown_digest,
                      "answers_changed": shown_digest != run.digest,
                      "engine_version": run.engine_version, "report_id": str(report.pk),
                      "score_run_id": str(run.pk)},
    }


def _chunks(items: list, size: int) -> list[list]:
    return [items[start:start + size] for start in range(0, len(items), size)]


def sentence(text: str) -> str:
    """The engine's explanations are clauses; some already end with a full stop."""
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?")) else f"{text}."


def _answered(assessment) -> tuple[list[dict], list[dict], dict[str, dict], dict[int, list[dict]],
                                   list[tuple[str, str]]]:
    """(sections, questions, answers by key, evidence by question id, (key, sha256) of each
    evidence file): the questionnaire and everything the vendor gave, in 4 queries."""
    template = assessment.template
    sections = list(template.sections.order_by("position").values("id", "title"))
    questions = list(Question.objects.filter(template=template).order_by("position").values(
        "id", "key", "section_id", "text", "kind", "options", "refs"))
    key_of = {question["id"]: question["key"] for question in questions}
    answers = {key_of[row["question_id"]]: row for row in assessment.answers.values(
        "question_id", "value", "comment")}
    evidence: dict[int, list[dict]] = {}
    hashes: list[tuple[str, str]] = []
    for row in Evidence.objects.filter(assessment=assessment).order_by("created_at").values(
            "question_id", "name", "size", "sha256"):
        evidence.setdefault(row["question_id"], []).append(
            {"name": row["name"], "size": answer_format.file_size(row["size"]),
             "sha256": row["sha256"]})
        hashes.append((key_of[row["question_id"]], row["sha256"]))
    return sections, questions, answers, evidence, hashes


def _score(run: ScoreRun, thresholds: Mapping[str, float]) -> dict[str, Any]:
    explanation = run.result.get("explanation", {})
    return {"overall": num(run.overall), "tier": run.tier, "scored_at": run.created_at,
            "engine_version": run.engine_version,
            "thresholds": {tier: num(value) for tier, value in thresholds.items()},
            **{f"{part}_reason": sentence(explanation.get(part, ""))
               for part in ("overall", "base", "flags", "neutrality", "tier")}}


def _scenarios(run: ScoreRun) -> list[dict[str, Any]]:
    return [{"key": scenario["key"], "title": scenario["title"],
             "stresses": ", ".join(s.replace("_", " ") for s in scenario.get("stresses", [])),
             "overall": num(scenario["overall"]), "tier": scenario["tier"],
             "delta": signed(scenario["delta"]), "delta_value": scenario["delta"],
             "neutrality": STATUS_LABELS.get(scenario.get("neutrality") or "", "Not assessed"),
             "broken": [{**broken, "before": "-" if broken.get("before") is None
                         else num(broken["before"] * 100),
                         "after": num(broken["after"] * 100)}
                        for broken in scenario.get("broken", [])],
             "explanation": scenario.get("explanation", [])}
            for scenario in run.scenarios or []]


def _flag_counts(flags: list[dict]) -> str:
    counts: dict[str, int] = {}
    for flag in flags:
        counts[flag["severity"]] = counts.get(flag["severity"], 0) + 1
    return ", ".join(f"{counts[s]} {s}" for s in answer_format.SEVERITY_ORDER if s in counts)


def _review(assessment) -> dict[str, Any] | None:
    """The latest decision and the conditions attached to it (2 queries)."""
    review = (Review.objects.filter(assessment=assessment).select_related("reviewer")
              .order_by("-created_at").first())
    if review is None:
        return None
    conditions = RemediationItem.objects.filter(review=review).order_by("due_date", "created_at")
    return {"decision": review.decision,
            "label": DECISION_LABELS.get(review.decision, review.decision),
            "note": review.note, "by": _person(review.reviewer) if review.reviewer else "",
            "at": review.created_at,
            "conditions": [{"text": item.text, "due_date": item.due_date,
                            "status": item.get_status_display()} for item in conditions]}


def _audit(assessment) -> dict[str, Any]:
    """What happened to the assessment, in order, from the hash-chained trail (2 queries)."""
    trail = AuditEvent.objects.filter(organization_id=assessment.organization_id,
                                      object_type="Assessment", object_id=str(assessment.pk))
    counted = [{"what": QUIET_ACTIONS[row["action"]], "count": row["count"],
                "first": row["first"], "last": row["last"]}
               for row in trail.filter(action__in=QUIET_ACTIONS).values("action")
               .annotate(count=Count("id"), first=Min("created_at"), last=Max("created_at"))
               .order_by("action")]
    rows = list(trail.exclude(action__in=QUIET_ACTIONS).order_by("created_at", "id").values(
        "seq", "action", "actor_label", "created_at", "data")[:AUDIT_LIMIT + 1])
    events = [{"seq": row["seq"], "what": AUDIT_LABELS.get(row["action"]) or _pretty(row["action"]),
               "action": row["action"], "by": row["actor_label"], "at": row["created_at"],
               "details": _details(row["data"])}
              for row in rows[:AUDIT_LIMIT]]
    return {"events": events, "truncated": len(rows) > AUDIT_LIMIT, "counted": counted}


def _pretty(action: str) -> str:
    """`invitation.reminded` -> "Invitation reminded", for actions without a label yet."""
    return action.replace(".", " ").replace("_", " ").capitalize()


def _details(data: Mapping[str, Any]) -> str:
    """The event's data in one line; digests shortened, nothing nested spelled out."""
    parts = []
    for key, value in sorted((data or {}).items()):
        if isinstance(value, (dict, list)):
            continue
        text = str(value)
        parts.append(f"{key.replace('_', ' ')}: {text[:16] + '...' if len(text) > 40 else text}")
    return "; ".join(parts)


def _person(user) -> str:
    return user.get_full_name() or user.get_username()
