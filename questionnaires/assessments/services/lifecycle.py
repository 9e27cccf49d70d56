"""Assessments: issuing, invitation links, answering, submitting, and status changes."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from questionnaires.assessments.models import (
    Answer,
    AnswerRevision,
    Assessment,
    Evidence,
    Invitation,
)
from questionnaires.assessments.services.answers import COMMENT_LIMIT, validate_value
from questionnaires.assessments.services.snapshot import answer_snapshot
from questionnaires.audit.services import answers_stream, audit_record, chain_head
from questionnaires.authoring.models import Question, Template
from questionnaires.authoring.services.templates import compiled_template, template_questions
from questionnaires.core.errors import Conflict, DomainError, TooMany
from questionnaires.core.members import assessment_link, members_notify
from questionnaires.core.models import Organization
from questionnaires.core.names import person_name_problem, plain_address_problem
from questionnaires.core.notifications import email_later
from questionnaires.ownership.models import Vendor
from questionnaires.scoring.services.outbox import scoring_enqueue

S = Assessment.Status
# Every legal move; anything else answers 409.
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SENT, S.CANCELLED},
    S.SENT: {S.IN_PROGRESS, S.SUBMITTED, S.CANCELLED},
    S.IN_PROGRESS: {S.SUBMITTED, S.CANCELLED},
    S.SUBMITTED: {S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED, S.APPROVED_WITH_CONDITIONS,
                  S.REJECTED, S.CANCELLED},
    S.IN_REVIEW: {S.CHANGES_REQUESTED, S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.REJECTED,
                  S.CANCELLED},
    S.CHANGES_REQUESTED: {S.SUBMITTED, S.CANCELLED},
    S.APPROVED: set(),
    S.APPROVED_WITH_CONDITIONS: set(),
    S.REJECTED: set(),
    S.CANCELLED: set(),
}
INVITE_EXPIRY_AFTER_DUE = datetime.timedelta(days=30)


def assessment_transition(*, assessment: Assessment, to: str) -> None:
    """Move to `to` or raise Conflict; the caller saves inside its transaction."""
    if to not in TRANSITIONS[assessment.status]:
        raise Conflict(f"an assessment that is {assessment.status} cannot become {to}")
    assessment.status = to


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_url(token: str) -> str:
    return f"{settings.SITE_URL}/invite/{token}"


@dataclass
class IssuedInvitation:
    invitation: Invitation
    token: str

    @property
    def url(self) -> str:
        return invite_url(self.token)


def invitation_create(*, assessment: Assessment, email: str, name: str = "", by=None,
                      invited_by: Invitation | None = None, revoke_others: bool = False,
                      send: bool = True) -> IssuedInvitation:
    """A new link (256 random bits; only its SHA-256 is kept), emailed after commit."""
    now = timezone.now()
    if revoke_others:
        assessment.invitations.filter(revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    due = datetime.datetime.combine(assessment.due_date, datetime.time.max,
                                    tzinfo=datetime.UTC)
    invitation = Invitation.objects.create(
        assessment=assessment, token_hash=token_hash(token), email=email, name=name,
        expires_at=due + INVITE_EXPIRY_AFTER_DUE, invited_by=invited_by,
        created_by=by if by is not None and by.is_authenticated else None)
    issued = IssuedInvitation(invitation, token)
    if send and invited_by is not None:
        # Sent from our address on a respondent's say-so: it quotes nothing they typed (no
        # name), only facts the buyer set and the inviter's address (core.names).
        email_later(to=[email], template="emails/colleague_invitation",
                    context={"assessment_id": str(assessment.pk), "url": issued.url,
                             "buyer": assessment.organization.name,
                             "questionnaire": assessment.template.name,
                             "due_date": assessment.due_date.isoformat(),
                             "invited_by": invited_by.email})
    elif send:
        email_later(to=[email], template="emails/invitation",
                    context={"assessment_id": str(assessment.pk), "url": issued.url,
                             "name": name, "buyer": assessment.organization.name,
                             "questionnaire": assessment.template.name,
                             "due_date": assessment.due_date.isoformat(),
                             "invited_by": invited_by.email if invited_by else ""})
    audit_record(organization=assessment.organization, action="invitation.created", actor=by,
                 actor_label=invited_by.email if invited_by else "",
                 obj=assessment, data={"email": email, "revoked_others": revoke_others})
    return issued


@transaction.atomic
def assessment_issue(*, organization: Organization, vendor: Vendor, template: Template,
                     due_date: datetime.date, respondents: list[tuple[str, str]], by=None,
                     previous: Assessment | None = None) -> tuple[Assessment, list[IssuedInvitation]]:
    """Issue a published template version to a vendor; invitations are emailed after commit."""
    if vendor.organization_id != organization.pk:
        raise DomainError("unknown vendor", field="vendor")
    if template.organization_id not in (None, organization.pk):
        raise DomainError("unknown template", field="template")
    if template.status != Template.Status.PUBLISHED:
        raise DomainError("only a published template version can be issued", field="template")
    if due_date < timezone.localdate():
        raise DomainError("the due date is in the past", field="due_date")
    if not respondents:
        raise DomainError("name at least one respondent", field="respondent_email")
    assessment = Assessment.objects.create(
        organization=organization, vendor=vendor, template=template, due_date=due_date,
        created_by=by if by is not None and by.is_authenticated else None,
        status=S.SENT, sent_at=timezone.now(), previous=previous)
    audit_record(organization=organization, action="assessment.issued", actor=by,
                 obj=assessment, data={"vendor": vendor.name, "template": template.name,
                                       "version": template.version,
                                       "due_date": due_date.isoformat()})
    issued = [invitation_create(assessment=assessment, email=email, name=name, by=by)
              for email, name in respondents]
    if previous is not None:
        _carry_over_answers(assessment, previous)
    return assessment, issued


def _carry_over_answers(assessment: Assessment, previous: Assessment) -> None:
    """Reassessment: the vendor confirms or changes last cycle's answers."""
    by_key = {q.key: q for q in assessment.template.questions.all()}
    carried = []
    for answer in previous.answers.select_related("question"):
        question = by_key.get(answer.question.key)
        if question is not None and question.kind == answer.question.kind:
            carried.append(Answer(assessment=assessment, question=question, value=answer.value,
                                  comment=answer.comment, answered_by="carried over"))
    Answer.objects.bulk_create(carried)


def invitation_resolve(token: str) -> Invitation | None:
    """The live invitation for a token, or None: unknown, expired and revoked all look alike."""
    if not token or len(token) > 128:
        return None
    return _live(_first(_invitations().filter(token_hash=token_hash(token))))


def invitation_by_id(invitation_id) -> Invitation | None:
    """The live invitation a portal session was opened with, or None (revoked, expired or
    cancelled since): a session is only ever as good as the link it came from."""
    try:
        return _live(_first(_invitations().filter(pk=invitation_id)))
    except (ValueError, ValidationError):
        return None


def _invitations():
    # Every portal request and API call of a vendor starts here: the template and the
    # organisation come along (each save needs them); the vendor is read where a page
    # shows its name.
    return Invitation.objects.select_related("assessment", "assessment__template",
                                             "assessment__organization")


def _first(invitations):
    """The one row of a lookup on a unique column, without the ORDER BY of .first()."""
    return next(iter(invitations.order_by()[:1]), None)


def _live(invitation: Invitation | None) -> Invitation | None:
    if invitation is None or invitation.revoked_at is not None:
        return None
    if invitation.expires_at <= timezone.now():
        return None
    if invitation.assessment.status == S.CANCELLED:
        return None
    return invitation


def current_answers(assessment: Assessment) -> dict[str, Answer]:
    return {a.question.key: a for a in assessment.answers.select_related("question")}


def answer_values(answers: dict[str, Answer]) -> dict[str, object]:
    return {key: answer.value for key, answer in answers.items()}


@dataclass
class SaveResult:
    answer: Answer
    progress: float
    shown: list[str]
    hidden: list[str]


def editable_keys(assessment: Assessment) -> set[str] | None:
    """The question keys the vendor may change now; None means all of them."""
    return _editable_keys(assessment)


def _editable_keys(assessment: Assessment) -> set[str] | None:
    """None: every question is open. A clarification round reopens only the chosen ones."""
    if assessment.status == S.CHANGES_REQUESTED and assessment.reopened_keys:
        return set(assessment.reopened_keys)
    return None


@transaction.atomic
def answer_save(*, assessment: Assessment, question_key: str, value, comment: str | None,
                version: int | None, by: str) -> SaveResult:
    """Save one answer if `version` is the one the caller last saw (0 or None: new).

    A stale version is a Conflict and changes nothing: two colleagues editing the same answer
    get a clear message instead of a silent overwrite.

    This is the hot path of the product (every autosave of every vendor), so it is kept to
    about ten statements. Every write of an assessment's answers happens here, under the
    assessment's row lock, so the answers read after taking it cannot change underneath."""
    assessment = _locked(assessment)
    if not assessment.is_open_for_vendor:
        raise Conflict(f"the questionnaire is {assessment.status} and can no longer change")
    question = template_questions(assessment.template).get(question_key)
    if question is None:
        raise DomainError(f"no question {question_key!r} in this questionnaire",
                          field="question")
    editable = _editable_keys(assessment)
    if editable is not None and question_key not in editable:
        raise Conflict("only the questions the reviewer reopened can change in this round")
    if comment is not None and len(comment) > COMMENT_LIMIT:
        raise DomainError(f"at most {COMMENT_LIMIT} characters", field="comment")
    if comment and "\x00" in comment:
        raise DomainError("a comment may not contain NUL characters", field="comment")
    stored = validate_value(question, value)
    if question.kind == "file" and stored:
        owned = set(Evidence.objects.filter(assessment=assessment, question=question,
                                            pk__in=_uuids(stored)).values_list("pk", flat=True))
        if len(owned) != len(set(stored)):
            raise DomainError("unknown evidence id for this question", field="value")
    compiled = compiled_template(assessment.template)
    keys = {q.pk: key for key, q in template_questions(assessment.template).items()}
    before = {keys[qid]: value for qid, value in Answer.objects.filter(assessment=assessment)
              .order_by().values_list("question_id", "value") if qid in keys}
    answer = (Answer.objects.filter(assessment=assessment, question=question).order_by()
              .first()) if question_key in before else None
    if answer is None:
        if version not in (None, 0):
            raise Conflict("this answer was removed or never saved; reload the questionnaire")
        try:
            with transaction.atomic():
                answer = Answer.objects.create(assessment=assessment, question=question,
                                               value=stored, comment=comment or "",
                                               answered_by=by)
        except IntegrityError:
            raise Conflict("someone else saved this answer first; reload to see it")
    else:
        if version != answer.version:
            raise Conflict(f"this answer changed since you loaded it (now version "
                           f"{answer.version}, you had {version}); reload to see it")
        AnswerRevision.objects.create(answer=answer, version=answer.version, value=answer.value,
                                      comment=answer.comment, answered_by=answer.answered_by,
                                      round=assessment.round)
        answer.value = stored
        if comment is not None:
            answer.comment = comment
        answer.version += 1
        answer.answered_by = by
        answer.save(update_fields=["value", "comment", "version", "answered_by", "updated_at"])
    after = {**before, question_key: stored}
    shown, hidden = compiled.changed_visibility(before, after)
    assessment.progress = compiled.progress(after)
    if assessment.status == S.SENT:
        assessment.status = S.IN_PROGRESS
    assessment.save(update_fields=["progress", "status", "updated_at"])
    audit_record(organization=assessment.organization, action="answer.saved", actor_label=by,
                 obj=assessment, data={"question": question_key, "version": answer.version},
                 stream=answers_stream(assessment))
    return SaveResult(answer, assessment.progress, shown, hidden)


def _locked(assessment: Assessment) -> Assessment:
    """The assessment again, its row locked for this transaction (of the assessment only:
    never the template or organisation rows that every other vendor's save reads). The
    template and organisation already loaded with it are reused, not fetched again."""
    locked = Assessment.objects.select_for_update(of=("self",)).get(pk=assessment.pk)
    for name in ("template", "organization"):
        field = Assessment._meta.get_field(name)
        if field.is_cached(assessment) and (getattr(assessment, field.attname)
                                            == getattr(locked, field.attname)):
            field.set_cached_value(locked, field.get_cached_value(assessment))
    return locked


def _uuids(values: list[str]) -> list[str]:
    import uuid

    out = []
    for value in values:
        try:
            out.append(str(uuid.UUID(value)))
        except (ValueError, AttributeError):
            raise DomainError(f"{value!r} is not an evidence id", field="value")
    return out


@transaction.atomic
def assessment_submit(*, assessment: Assessment, by: str) -> Assessment:
    """Submit, record the scoring job (outbox) in the same transaction, dispatch on commit."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not assessment.is_open_for_vendor:
        raise Conflict(f"the questionnaire is {assessment.status} and cannot be submitted")
    compiled = compiled_template(assessment.template)
    snapshot = answer_snapshot(assessment=assessment, compiled=compiled)
    missing = compiled.missing_required(snapshot.values)
    if missing:
        texts = dict(assessment.template.questions.filter(key__in=missing)
                     .values_list("key", "text"))
        raise DomainError(f"{len(missing)} required question(s) still unanswered",
                          details=[{"field": key, "message": f"required: {texts.get(key, key)}"}
                                   for key in missing])
    digest = snapshot.digest
    assessment_transition(assessment=assessment, to=S.SUBMITTED)
    assessment.submitted_at = timezone.now()
    assessment.answers_digest = digest
    assessment.progress = 1.0
    assessment.reopened_keys = []
    assessment.save(update_fields=["status", "submitted_at", "answers_digest", "progress",
                                   "reopened_keys", "updated_at"])
    submitted = {"digest": digest, "round": assessment.round}
    head = chain_head(organization_id=assessment.organization_id,
                      stream=answers_stream(assessment))
    if head is not None:  # anchor the answers' chain: it cannot be cut short unnoticed
        submitted["answers_chain"] = {"stream": answers_stream(assessment), **head}
    audit_record(organization=assessment.organization, action="assessment.submitted",
                 actor_label=by, obj=assessment, data=submitted)
    scoring_enqueue(assessment=assessment, digest=digest)
    assessment_submitted_notify(assessment=assessment)
    return assessment


def assessment_submitted_notify(*, assessment: Assessment) -> list[str]:
    """Tell the buyer's members a vendor submitted (those who want it); for
    assessment_submit to call inside its transaction."""
    return members_notify(
        organization=assessment.organization, kind="assessment_submitted",
        template="emails/workspace_submitted",
        context={"assessment_id": str(assessment.pk), "vendor": assessment.vendor.name,
                 "questionnaire": assessment.template.name, "round": assessment.round,
                 "url": assessment_link(assessment.pk)})


def question_by_key(assessment: Assessment, key: str) -> Question:
    question = assessment.template.questions.filter(key=key).first()
    if question is None:
        raise DomainError(f"no question {key!r} in this questionnaire", field="question")
    return question


# --- Re-issuing, colleagues, cancelling (issue "Issuing and the vendor portal") -----------------
# A respondent may bring in colleagues, but an invitation link must not become a way to send
# unlimited email from our domain: this many colleague invitations per assessment at most.
MAX_COLLEAGUE_INVITATIONS = 20


@transaction.atomic
def invitation_reissue(*, assessment: Assessment, by=None, email: str = "",
                       name: str = "") -> IssuedInvitation:
    """A new link for the assessment; every older one (colleagues' too) stops working.

    Without an email the newest respondent the buyer invited gets it again."""
    assessment = Assessment.objects.select_for_update(of=("self",)).select_related(
        "organization", "template").get(pk=assessment.pk)
    if not assessment.is_open_for_vendor:
        raise Conflict(f"the questionnaire is {assessment.status}; a new link would open nothing")
    if not email:
        primary = (assessment.invitations.filter(invited_by__isnull=True)
                   .order_by("-created_at").first())
        if primary is None:
            raise DomainError("name the respondent to send the new link to",
                              field="respondent_email")
        email, name = primary.email, name or primary.name
    return invitation_create(assessment=assessment, email=email, name=name, by=by,
                             revoke_others=True)


@transaction.atomic
def colleague_invite(*, invitation: Invitation, email: str, name: str = "") -> Invitation:
    """A respondent asks a colleague to help: a new link of their own, emailed to them.

    The new invitation records who invited whom, so every answer can be traced to a
    person the buyer can ask about it. The email leaves from our address on the
    respondent's say-so, so the name must be one short line, the address a plain one, and
    one invitation may bring in at most COLLEAGUE_INVITES_PER_DAY colleagues a day."""
    email, name = email.strip(), name.strip()
    if problem := person_name_problem(name):
        raise DomainError(problem, field="name")
    if problem := plain_address_problem(email):
        raise DomainError(problem, field="email")
    assessment = Assessment.objects.select_for_update(of=("self",)).select_related(
        "organization", "template").get(pk=invitation.assessment_id)
    if not assessment.is_open_for_vendor:
        raise Conflict(f"the questionnaire is {assessment.status}; nobody can help answer it now")
    if email.lower() == invitation.email.lower():
        raise DomainError("that is your own address", field="email")
    per_day = settings.COLLEAGUE_INVITES_PER_DAY
    since = timezone.now() - datetime.timedelta(days=1)
    if Invitation.objects.filter(invited_by=invitation, created_at__gte=since).count() >= per_day:
        raise TooMany(f"at most {per_day} colleagues can be invited with one link in a day; "
                      "try again tomorrow", field="email")
    if assessment.invitations.filter(invited_by__isnull=False).count() >= MAX_COLLEAGUE_INVITATIONS:
        raise DomainError(f"at most {MAX_COLLEAGUE_INVITATIONS} colleagues can be invited; ask "
                          f"{assessment.organization.name} to send more links", field="email")
    if assessment.invitations.filter(email__iexact=email, revoked_at__isnull=True,
                                     expires_at__gt=timezone.now()).exists():
        raise Conflict(f"{email} already has a link to this questionnaire")
    return invitation_create(assessment=assessment, email=email, name=name,
                             invited_by=invitation).invitation


@transaction.atomic
def assessment_cancel(*, assessment: Assessment, by=None, reason: str = "") -> Assessment:
    """Cancel an assessment; its links stop working at once (invitation_resolve refuses a
    cancelled assessment), and whatever was answered is kept for the record."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    assessment_transition(assessment=assessment, to=S.CANCELLED)
    assessment.save(update_fields=["status", "updated_at"])
    assessment.invitations.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(organization=assessment.organization, action="assessment.cancelled", actor=by,
                 obj=assessment, data={"reason": reason[:1000]})
    return assessment
