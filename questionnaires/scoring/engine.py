"""``score_assessment``: a compiled template and a vendor's answers in, a scored result out.

The result is plain JSON-ready data in which every number carries a sentence saying how it
was reached, so the workspace, the API and the PDF report can show the reasoning without
recomputing it. Floats are kept exact until the result is assembled and rounded to two
decimals only there, so rounding never compounds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from questionnaires.scoring import rules
from questionnaires.scoring.flags import raised_flags
from questionnaires.scoring.plan import ScoringPlan, compile_scoring
from questionnaires.scoring.questions import Tally, score_questions
from questionnaires.scoring.text import num, plural, shown, shown_and_written

if TYPE_CHECKING:
    from questionnaires.conditions import CompiledTemplate


def score_assessment(
    template: CompiledTemplate | ScoringPlan,
    answers: Mapping[str, object],
    *,
    evidence: Mapping[str, int] | None = None,
    neutrality: Mapping[str, Any] | None = None,
    failed_controls: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Score one vendor's answers to a template.

    ``evidence`` maps question keys to the number of evidence files attached;
    ``neutrality`` is the ownership verdict (``{"status", "findings"}``) or None when no
    ownership data exists; ``failed_controls`` names questions forced to score 0 (a
    stress-test scenario's "this control failed"). The result is deterministic: the same
    input gives byte-identical ``json.dumps(result, sort_keys=True)``.
    """
    plan = compile_scoring(template)
    # One visibility pass serves the questions and the flags alike.
    context = plan.template.context(answers)
    questions, tallies = score_questions(plan, context.hidden, answers, evidence or {}, failed_controls)
    sections, section_reasons, base, base_reason = _sections(plan, tallies)
    flags, flag_points, flag_reason = raised_flags(plan, context)
    verdict = _neutrality(neutrality)
    overall = shown(max(0.0, base - flag_points - verdict["penalty"]))
    tier, tier_reason = _tier(plan.thresholds, overall, flags, verdict["status"])
    return {
        "engine_version": rules.ENGINE_VERSION,
        "overall": overall,
        "tier": tier,
        "sections": sections,
        "questions": questions,
        "flags": flags,
        "neutrality": verdict,
        "explanation": {
            "overall": _overall_reason(base, flag_points, len(flags), verdict, overall),
            "base": base_reason,
            "flags": flag_reason,
            "neutrality": verdict["reason"],
            "tier": tier_reason,
            "sections": section_reasons,
        },
    }


def _sections(plan: ScoringPlan, tallies: list[Tally]) -> tuple[list[dict[str, Any]], dict[str, str], float, str]:
    """Each section's result and explanation, then the base: the weighted mean of the
    sections that have a score and a weight, and how it was reached."""
    results = []
    reasons = {}
    parts = []
    weighted = weights = 0.0
    for section, rows, tally in zip(plan.sections, plan.rows, tallies, strict=True):
        score = tally.score()
        rounded, written = (None, "") if score is None else shown_and_written(score)
        results.append(
            {
                "key": section.key,
                "title": section.title,
                "score": rounded,
                "weight": section.weight,
                "answered": tally.answered,
                "scored_questions": tally.scored,
            }
        )
        reasons[section.key] = _section_reason(section.title, section.weight, tally, written, len(rows))
        if score is not None and section.weight:
            weighted += score * section.weight
            weights += section.weight
            parts.append(f"'{section.title}' {written} x {num(section.weight)}")
    base, explained = _base(parts, weighted, weights)
    return results, reasons, base, explained


def _base(parts: list[str], weighted: float, weights: float) -> tuple[float, str]:
    """The weighted mean of the counted sections (``parts`` describe them), or the base
    for a template where nothing took part."""
    if not parts:
        nothing = "No section has a score (no question carries one or took part), so the base is"
        return rules.BASE_WITHOUT_SCORES, f"{nothing} {num(rules.BASE_WITHOUT_SCORES)}"
    base = weighted / weights
    return base, f"Weighted mean of {plural(len(parts), 'section score')}: {', '.join(parts)} = {num(base)}"


def _section_reason(title: str, weight: float, tally: Tally, written: str, total: int) -> str:
    if not written:
        why = "every question is hidden" if tally.hidden == total else "no question took part"
        return f"Section '{title}': {why}, so it has no score and does not count towards the overall"
    notes = []
    if tally.unanswered:
        notes.append(f"{plural(tally.unanswered, 'required question')} unanswered, scored 0")
    if tally.failed:
        notes.append(f"{plural(tally.failed, 'control')} marked failed, scored 0")
    detail = f" ({'; '.join(notes)})" if notes else ""
    counted = "; weight 0, so it does not count towards the overall" if weight == 0 else f"; weight {num(weight)}"
    mean = f"weighted mean of {plural(tally.scored, 'scored question')}{detail}"
    return f"Section '{title}': {mean} x 100 = {written}{counted}"


def _neutrality(neutrality: Mapping[str, Any] | None) -> dict[str, Any]:
    if neutrality is None:
        return {
            "status": None,
            "penalty": 0.0,
            "reason": "No ownership data given: neutrality not assessed, no penalty",
        }
    status = neutrality.get("status")
    if status not in rules.NEUTRALITY_PENALTIES:
        raise ValueError(f"neutrality status {status!r} is not one of {', '.join(rules.NEUTRALITY_PENALTIES)}")
    penalty = rules.NEUTRALITY_PENALTIES[status]
    reason = f"Neutrality status '{status}': {num(penalty)} points off"
    floor = rules.NEUTRALITY_TIER_FLOOR.get(status)
    if floor:
        reason += f", and at least {floor} risk"
    findings = [str(finding.get("reason")) for finding in neutrality.get("findings") or [] if finding.get("reason")]
    if findings:
        reason += f". Findings: {'; '.join(findings)}"
    return {"status": status, "penalty": penalty, "reason": reason}


def _tier(
    thresholds: Mapping[str, float], overall: float, flags: list[dict[str, Any]], status: str | None
) -> tuple[str, str]:
    """The tier of the (rounded) overall, then forced up by flags and neutrality."""
    tier = rules.tier_for(overall, thresholds)
    reason = _threshold_reason(overall, tier, thresholds)
    causes = [
        (
            rules.FLAG_TIER_FLOOR[flag["severity"]],
            f"the {flag['severity']} flag '{flag['title']}' on {flag['question']}",
        )
        for flag in flags
        if flag["severity"] in rules.FLAG_TIER_FLOOR
    ]
    if status in rules.NEUTRALITY_TIER_FLOOR:
        causes.append((rules.NEUTRALITY_TIER_FLOOR[status], f"the neutrality status '{status}'"))
    forced = tier
    for floor, _ in causes:
        forced = rules.worse_tier(forced, floor)
    if forced != tier:
        cause = next(text for floor, text in causes if floor == forced)
        reason += f"; forced to {forced} risk by {cause}"
    return forced, reason


def _threshold_reason(overall: float, tier: str, thresholds: Mapping[str, float]) -> str:
    if tier == "critical":
        return f"Overall {num(overall)} is below the high-risk threshold {num(thresholds['high'])}: critical risk"
    above = {"low": None, "medium": "low", "high": "medium"}[tier]
    below = f"below the {above}-risk threshold {num(thresholds[above])} but " if above else ""
    return f"Overall {num(overall)} is {below}at least the {tier}-risk threshold {num(thresholds[tier])}: {tier} risk"


def _overall_reason(
    base: float, flag_points: float, flag_count: int, verdict: Mapping[str, Any], overall: float
) -> str:
    reason = f"Base {num(base)}"
    if flag_count:
        reason += f" minus {num(flag_points)} points for {plural(flag_count, 'raised flag')}"
    if verdict["penalty"]:
        reason += f" minus {num(verdict['penalty'])} points for neutrality ('{verdict['status']}')"
    if base - flag_points - verdict["penalty"] < 0:
        return f"{reason}, floored at 0 = {num(overall)}"
    return f"{reason} = {num(overall)}"
