"""manage.py create_organization NAME --kind buyer|vendor --admin USERNAME --email EMAIL"""

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from questionnaires.core.errors import DomainError
from questionnaires.core.organizations import organization_create


class Command(BaseCommand):
    help = ("Create an organisation and its first admin. The password comes from "
            "DILIGENCE_PASSWORD, or is prompted for.")

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--kind", choices=["buyer", "vendor"], required=True)
        parser.add_argument("--admin", required=True, help="the admin's username")
        parser.add_argument("--email", required=True, help="the admin's email")

    def handle(self, *args, name, kind, admin, email, **options):
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"--email: {email!r} is not an email address") from None
        password = os.environ.get("DILIGENCE_PASSWORD") or self._prompt()
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError("password: " + " ".join(exc.messages)) from None
        try:
            organization, _ = organization_create(name=name, kind=kind, admin_username=admin,
                                                  admin_email=email, password=password)
        except DomainError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from None
        self.stdout.write(f"Created {kind} organisation {organization.name} "
                          f"({organization.id}) with admin {admin}.")

    def _prompt(self) -> str:
        if not os.isatty(0):
            raise CommandError("set DILIGENCE_PASSWORD or run interactively to be prompted")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("the passwords did not match")
        return first
