"""Reviewing a submitted assessment: comments, clarification rounds, decisions, conditions.

A decision is one Review row and one status change, made under a row lock on the
assessment so two reviewers deciding at once cannot both succeed: the second meets a
status that no longer allows its move (TRANSITIONS) and gets a Conflict (409).

Clarification reopens only the chosen questions (Assessment.reopened_keys) for one more
round; earlier values stay in AnswerRevision with the round they belonged to. The vendor's
people are told by an email without a link: they use the link they already hold, which is
kept alive long enough to answer.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from questionnaires.assessments.models import (
    Assessment,
    Comment,
    Evidence,
    RemediationItem,
    Review,
)
from questionnaires.assessments.services.answers import COMMENT_LIMIT
from questionnaires.assessments.services.lifecycle import (
    INVITE_EXPIRY_AFTER_DUE,
    assessment_transition,
)
from questionnaires.audit.services import audit_record
from questionnaires.core.errors import Conflict, DomainError
from questionnaires.core.members import assessment_link, members_notify
from questionnaires.core.notifications import email_later

S = Assessment.Status
D = Review.Decision
OUTCOME = {D.APPROVE: S.APPROVED, D.APPROVE_WITH_CONDITIONS: S.APPROVED_WITH_CONDITIONS,
           D.REJECT: S.REJECTED, D.REQUEST_CHANGES: S.CHANGES_REQUESTED}
NOTE_LIMIT = 10_000
MAX_CONDITIONS = 50
# However old the invitation, the vendor gets at least this long to answer a clarification.
CLARIFY_WINDOW = datetime.timedelta(days=30)


@dataclass(frozen=True)
class Condition:
    text: str
    due_date: datetime.date


def _locked(assessment: Assessment) -> Assessment:
    return (Assessment.objects.select_for_update(of=("self",))
            .select_related("organization", "vendor", "template").get(pk=assessment.pk))


def _clean_note(note: str | None) -> str:
    note = (note or "").strip()
    if not note:
        raise DomainError("write a note saying why: every decision keeps one", field="note")
    if len(note) > NOTE_LIMIT:
        raise DomainError(f"at most {NOTE_LIMIT} characters", field="note")
    return note


def _clean_questions(assessment: Assessment, questions: Sequence[str]) -> list[str]:
    if not questions:
        raise DomainError("choose at least one question for the vendor to clarify",
                          field="questions")
    answerable = list(assessment.template.questions.exclude(kind="info")
                      .order_by("position").values_list("key", flat=True))
    for index, key in enumerate(questions):
        if key not in answerable:
            raise DomainError(f"no question {key!r} in this questionnaire",
                              field=f"questions[{index}]")
    chosen = set(questions)
    return [key for key in answerable if key in chosen]  # the questionnaire's order


def _clean_conditions(conditions: Sequence[Condition]) -> list[Condition]:
    if not conditions:
        raise DomainError("an approval with conditions needs at least one condition",
                          field="conditions")
    if len(conditions) > MAX_CONDITIONS:
        raise DomainError(f"at most {MAX_CONDITIONS} conditions", field="conditions")
    today = timezone.localdate()
    for index, condition in enumerate(conditions):
        if not condition.text.strip():
            raise DomainError("say what the vendor must do", field=f"conditions[{index}].text")
        if len(condition.text) > NOTE_LIMIT:
            raise DomainError(f"at most {NOTE_LIMIT} characters",
                              field=f"conditions[{index}].text")
        if condition.due_date < today:
            raise DomainError("the due date is in the past",
                              field=f"conditions[{index}].due_date")
    return [Condition(c.text.strip(), c.due_date) for c in conditions]


def _keep_links_alive(assessment: Assessment, until: datetime.datetime) -> list[str]:
    """The vendor's links (those not revoked) valid until at least `until`; their emails."""
    links = assessment.invitations.filter(revoked_at__isnull=True)
    links.filter(expires_at__lt=until).update(expires_at=until)
    return sorted({email.lower() for email in links.values_list("email", flat=True)})


def _context(assessment: Assessment, review: Review, by) -> dict:
    return {"assessment_id": str(assessment.pk), "vendor": assessment.vendor.name,
            "buyer": assessment.organization.name, "questionnaire": assessment.template.name,
            "decision": review.decision, "status": assessment.status, "note": review.note,
            "outcome": S(assessment.status).label.lower(),
            "round": assessment.round,
            "reviewer": by.get_username() if by is not None else ""}


@transaction.atomic
def review_request_changes(*, assessment: Assessment, by, note: str,
                           questions: Sequence[str]) -> Review:
    """Reopen `questions` for the vendor in a new round; everything else stays locked."""
    assessment = _locked(assessment)
    note = _clean_note(note)
    keys = _clean_questions(assessment, questions)
    assessment_transition(assessment=assessment, to=S.CHANGES_REQUESTED)
    assessment.round += 1
    assessment.reopened_keys = keys
    assessment.save(update_fields=["status", "round", "reopened_keys", "updated_at"])
    review = Review.objects.create(assessment=assessment, reviewer=by, note=note,
                                   decision=D.REQUEST_CHANGES, questions=keys)
    audit_record(organization=assessment.organization, action="assessment.changes_requested",
                 actor=by, obj=assessment, data={"review": str(review.pk), "questions": keys,
                                                 "round": assessment.round})
    texts = dict(assessment.template.questions.filter(key__in=keys).values_list("key", "text"))
    recipients = _keep_links_alive(assessment, timezone.now() + CLARIFY_WINDOW)
    email_later(to=recipients, template="emails/workspace_clarification",
                context={**_context(assessment, review, by),
                         "questions": [{"key": k, "text": texts[k][:500]} for k in keys]})
    _tell_colleagues(assessment, review, by)
    return review


@transaction.atomic
def review_decide(*, assessment: Assessment, by, decision: str, note: str,
                  conditions: Sequence[Condition] = ()) -> Review:
    """Approve, approve with conditions (each becomes a RemediationItem the vendor
    answers by its due date) or reject."""
    if decision not in (D.APPROVE, D.APPROVE_WITH_CONDITIONS, D.REJECT):
        raise DomainError(f"expected one of {', '.join(D.values)}", field="decision")
    assessment = _locked(assessment)
    note = _clean_note(note)
    conditions = _clean_conditions(conditions) if decision == D.APPROVE_WITH_CONDITIONS else []
    assessment_transition(assessment=assessment, to=OUTCOME[decision])
    assessment.decided_at = timezone.now()
    assessment.save(update_fields=["status", "decided_at", "updated_at"])
    review = Review.objects.create(assessment=assessment, reviewer=by, decision=decision,
                                   note=note)
    items = RemediationItem.objects.bulk_create(
        [RemediationItem(assessment=assessment, review=review, text=c.text, due_date=c.due_date)
         for c in conditions])
    audit_record(organization=assessment.organization, action=f"assessment.{OUTCOME[decision]}",
                 actor=by, obj=assessment,
                 data={"review": str(review.pk), "conditions": [
                     {"id": str(i.pk), "text": i.text[:200], "due_date": i.due_date.isoformat()}
                     for i in items]})
    if items:
        last_due = max(i.due_date for i in items)
        until = datetime.datetime.combine(last_due, datetime.time.max, tzinfo=datetime.UTC)
        recipients = _keep_links_alive(assessment, until + INVITE_EXPIRY_AFTER_DUE)
        email_later(to=recipients, template="emails/workspace_conditions",
                    context={**_context(assessment, review, by),
                             "conditions": [{"text": i.text, "due_date": i.due_date.isoformat()}
                                            for i in items]})
    _tell_colleagues(assessment, review, by)
    return review


def review_submit(*, assessment: Assessment, by, decision: str, note: str,
                  questions: Sequence[str] = (),
                  conditions: Sequence[Condition] = ()) -> Review:
    """One entry for the API and the review page: any decision, by its name.

    Questions ticked or conditions written for another decision are refused rather than
    dropped: a reviewer who ticked questions and then chose "approve" most likely meant
    something else."""
    if questions and decision != D.REQUEST_CHANGES:
        raise DomainError("questions are reopened only by a request for clarification "
                          "(request_changes)", field="questions")
    if conditions and decision != D.APPROVE_WITH_CONDITIONS:
        raise DomainError("conditions go with an approval with conditions "
                          "(approve_with_conditions)", field="conditions")
    if decision == D.REQUEST_CHANGES:
        return review_request_changes(assessment=assessment, by=by, note=note,
                                      questions=questions)
    return review_decide(assessment=assessment, by=by, decision=decision, note=note,
                         conditions=conditions)


def _tell_colleagues(assessment: Assessment, review: Review, by) -> None:
    members_notify(organization=assessment.organization, kind="assessment_decided",
                   template="emails/workspace_decision",
                   context={**_context(assessment, review, by),
                            "url": assessment_link(assessment.pk)}, exclude=by)


@transaction.atomic
def review_start(*, assessment: Assessment, by) -> Assessment:
    """Tell colleagues someone is reviewing: submitted -> in_review."""
    assessment = _locked(assessment)
    assessment_transition(assessment=assessment, to=S.IN_REVIEW)
    assessment.save(update_fields=["status", "updated_at"])
    audit_record(organization=assessment.organization, action="assessment.in_review",
                 actor=by, obj=assessment)
    return assessment


# --- Comments ---------------------------------------------------------------------------------
@transaction.atomic
def comment_add(*, assessment: Assessment, question_key: str, body: str, internal: bool,
                by) -> Comment:
    """A note on one answer: internal to the buyer, or visible to the vendor in the portal."""
    body = (body or "").strip()
    if not body:
        raise DomainError("write the comment", field="body")
    if len(body) > COMMENT_LIMIT:
        raise DomainError(f"at most {COMMENT_LIMIT} characters", field="body")
    question = assessment.template.questions.filter(key=question_key).first()
    if question is None:
        raise DomainError(f"no question {question_key!r} in this questionnaire",
                          field="question")
    comment = Comment.objects.create(assessment=assessment, question=question, author=by,
                                     author_label=by.get_username(), body=body,
                                     internal=internal)
    audit_record(organization=assessment.organization, action="comment.added", actor=by,
                 obj=assessment, data={"comment": str(comment.pk), "question": question_key,
                                       "internal": internal})
    return comment


# --- Evidence expiry --------------------------------------------------------------------------
@transaction.atomic
def evidence_set_expiry(*, evidence: Evidence, expires_on: datetime.date | None, by) -> Evidence:
    """When a certificate or report stops being valid; None: it does not expire."""
    evidence.expires_on = expires_on
    evidence.save(update_fields=["expires_on"])
    audit_record(organization=evidence.assessment.organization, action="evidence.expiry_set",
                 actor=by, obj=evidence,
                 data={"expires_on": expires_on.isoformat() if expires_on else None,
                       "name": evidence.name})
    return evidence


# --- Conditions of an approval ----------------------------------------------------------------
@transaction.atomic
def remediation_respond(*, item: RemediationItem, response: str, by: str) -> RemediationItem:
    """The vendor's answer to one condition (for the portal; `by` is the respondent's email).

    It can be changed until the buyer closes the item; 409 once closed or when the
    assessment is no longer approved with conditions."""
    item = (RemediationItem.objects.select_for_update(of=("self",))
            .select_related("assessment__organization", "assessment__vendor").get(pk=item.pk))
    if item.assessment.status != S.APPROVED_WITH_CONDITIONS:
        raise Conflict(f"the assessment is {item.assessment.status}; its conditions are closed")
    if item.status == RemediationItem.Status.CLOSED:
        raise Conflict("the buyer closed this condition; it can no longer change")
    response = (response or "").strip()
    if not response:
        raise DomainError("write what was done", field="response")
    if len(response) > NOTE_LIMIT:
        raise DomainError(f"at most {NOTE_LIMIT} characters", field="response")
    item.vendor_response, item.status = response, RemediationItem.Status.ANSWERED
    item.responded_at = timezone.now()
    item.save(update_fields=["vendor_response", "status", "responded_at"])
    organization = item.assessment.organization
    audit_record(organization=organization, action="remediation.answered", actor_label=by,
                 obj=item, data={"assessment": str(item.assessment_id)})
    members_notify(organization=organization, kind="remediation_answered",
                   template="emails/workspace_remediation_answered",
                   context={"vendor": item.assessment.vendor.name, "condition": item.text[:500],
                            "response": response[:2000], "by": by,
                            "assessment_id": str(item.assessment_id),
                            "url": assessment_link(item.assessment_id)})
    return item


@transaction.atomic
def remediation_close(*, item: RemediationItem, by) -> RemediationItem:
    """The buyer accepts the vendor's answer (or waives the condition): closed for good."""
    item = (RemediationItem.objects.select_for_update(of=("self",))
            .select_related("assessment__organization").get(pk=item.pk))
    if item.status == RemediationItem.Status.CLOSED:
        raise Conflict("this condition is already closed")
    before, item.status = item.status, RemediationItem.Status.CLOSED
    item.save(update_fields=["status"])
    audit_record(organization=item.assessment.organization, action="remediation.closed",
                 actor=by, obj=item, data={"assessment": str(item.assessment_id),
                                           "was": before})
    return item


def vendor_visible_comments(assessment: Assessment):
    """What the portal shows the vendor: comments not marked internal, oldest first."""
    return (Comment.objects.filter(assessment=assessment, internal=False)
            .select_related("question").order_by("created_at"))
