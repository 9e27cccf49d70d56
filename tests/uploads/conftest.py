"""The issuing and portal fixtures (a small questionnaire issued to LabelWorks, clients that
hold its invitation) for the tests of this folder."""

from tests.support.portal_fixtures import (  # noqa: F401 - fixtures, found by pytest by name
    _fresh_invite_limit,
    issued,
    other_issued,
    portal,
    private_storage,
    respond,
    template,
)
