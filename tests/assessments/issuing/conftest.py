"""The tests of issuing start from the portal's questionnaire issued to LabelWorks."""

from tests.support.portal_fixtures import *  # noqa: F403 - the fixtures, found by name
