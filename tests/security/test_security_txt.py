"""Where to report a vulnerability: /.well-known/security.txt (RFC 9116), when the operator has
named a contact, and nothing when not."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_the_operators_security_contact_is_published_as_rfc_9116_asks(settings):
    settings.SECURITY_CONTACT = "mailto:security@demo.example"
    settings.SITE_URL = "https://tidings.demo.example"

    response = Client().get("/.well-known/security.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = dict(line.split(": ", 1) for line in response.content.decode().splitlines())
    assert fields["Contact"] == "mailto:security@demo.example"
    assert fields["Canonical"] == "https://tidings.demo.example/.well-known/security.txt"
    expires = dt.datetime.fromisoformat(fields["Expires"].replace("Z", "+00:00"))
    assert fields["Expires"].endswith("Z") and expires > timezone.now() + dt.timedelta(days=300)


def test_without_a_contact_there_is_no_security_txt(settings):
    settings.SECURITY_CONTACT = ""

    assert Client().get("/.well-known/security.txt").status_code == 404
