"""Accounts across organisations: an invitation always makes a new account, so one
organisation's history never takes another's names, and it answers the same whether or
not the address or the username is known elsewhere."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages

from questionnaires.audit.models import AuditEvent
from questionnaires.core.members import member_invite
from questionnaires.core.models import Membership

pytestmark = pytest.mark.django_db


def invite(client, **form):
    return client.post("/settings/members/invite/", {"role": "reviewer", **form})


def flash(response) -> str:
    """The one message the redirect carries (read once, as the next page would)."""
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    response.wsgi_request._messages.used = True
    return message


def test_a_removed_member_invited_by_another_organisation_gets_a_new_account(
        buyer_client, outsider_client, buyer, outsider):
    """Acme invites nina, she acts, Acme removes her; Orbital invites the same address
    under another username. Acme's record of nina, and what its trail, pages and next PDF
    name her, stay as they were."""
    assert invite(buyer_client, email="nina@shared.test", username="nina").status_code == 302
    nina = get_user_model().objects.get(username="nina")
    member = Membership.objects.get(user=nina)
    buyer_client.post(f"/settings/members/{member.pk}/role/", {"role": "compliance"})
    buyer_client.post(f"/settings/members/{member.pk}/remove/")

    response = invite(outsider_client, email="nina@shared.test", username="nina.orbital")

    assert response.status_code == 302
    theirs = Membership.objects.get(organization=outsider.organization,
                                    user__email="nina@shared.test").user
    assert theirs.pk != nina.pk and theirs.get_username() == "nina.orbital"
    nina.refresh_from_db()
    assert (nina.get_username(), nina.email, nina.is_active) == ("nina", "nina@shared.test",
                                                                 False)
    assert not nina.has_usable_password()
    acme_labels = set(AuditEvent.objects.filter(organization=buyer.organization,
                                                action__startswith="member.")
                      .values_list("data__username", flat=True))
    assert acme_labels == {"nina"}


def test_the_answer_is_the_same_for_an_address_known_elsewhere_and_an_unknown_one(
        buyer_client, outsider, sent_mail):
    with sent_mail() as outbox:
        known = invite(buyer_client, email=outsider.user.email)
        known_says = flash(known)
        buyer_client.get("/settings/members/")  # shows and so consumes the message
        unknown = invite(buyer_client, email="nobody-yet@acme.test")
        unknown_says = flash(unknown)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    users = {address: Membership.objects.get(organization__name="Acme Labs",
                                             user__email=address).user.get_username()
             for address in (outsider.user.email, "nobody-yet@acme.test")}
    for said, address in ((known_says, outsider.user.email),
                          (unknown_says, "nobody-yet@acme.test")):
        assert said == (f"Invited {address} as {users[address]}: they were emailed a link "
                        "to choose a password.")
    assert {address for m in outbox for address in m.to} == {outsider.user.email,
                                                               "nobody-yet@acme.test"}
    outsider.user.refresh_from_db()
    assert outsider.user.is_active and outsider.organization.name == "Orbital Dynamics"
    assert Membership.objects.get(pk=outsider.pk).user_id == outsider.user_id


def test_a_username_taken_in_another_organisation_gets_a_free_one_not_a_refusal(
        buyer_client, outsider, sent_mail):
    with sent_mail() as outbox:
        response = invite(buyer_client, email="m2@acme.test", username="mallory")
    assert response.status_code == 302
    user = Membership.objects.get(user__email="m2@acme.test").user
    assert user.pk != outsider.user_id
    assert re.fullmatch(r"mallory-[0-9a-f]{6}", user.get_username())
    # The invitee is told the username they sign in with.
    (message,) = [m for m in outbox if "m2@acme.test" in m.to]
    assert user.get_username() in message.body
    assert user.get_username() in flash(response)


def test_an_address_already_a_member_of_our_own_organisation_is_a_409(buyer_client,
                                                                      colleague):
    response = invite(buyer_client, email=colleague.user.email)
    assert response.status_code == 409
    assert "already a member of your organisation" in response.content.decode()
    assert Membership.objects.filter(user__email__iexact=colleague.user.email).count() == 1


def test_re_inviting_our_own_removed_member_makes_a_new_account_too(buyer, colleague):
    old = colleague.user
    from questionnaires.core.members import member_remove
    member_remove(membership=colleague, by=buyer.user)
    again = member_invite(organization=buyer.organization, email=old.email, role="reviewer",
                          by=buyer.user, username=old.get_username())
    assert again.user_id != old.pk
    assert again.user.get_username().startswith(old.get_username() + "-")
