"""The interface speaks the reader's language: Traditional or Simplified Chinese or English, from the
browser's Accept-Language or, once signed in, the account's own choice; and the catalogues are whole."""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tidings.accounts.models import Account

pytestmark = pytest.mark.django_db

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
CATALOGUES = ["zh_Hant", "zh_Hans"]
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


@pytest.mark.parametrize(
    ("accept_language", "expected", "html_lang"),
    [
        ("zh-TW", "公開廣場", "zh-Hant"),
        ("zh-CN", "公开广场", "zh-Hans"),
        ("en", "Public square", "en"),
    ],
)
def test_the_browser_language_is_followed(accept_language: str, expected: str, html_lang: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=accept_language).get("/")

    assert response.status_code == 200
    page = response.content.decode()
    assert expected in page
    assert f'<html lang="{html_lang}">' in page


def test_the_account_language_wins_over_the_browser(
    make_account: Callable[..., Account], client_for: Callable[[Account], Client]
) -> None:
    client = client_for(make_account(language="zh-hans"))

    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "公开广场" in page
    assert "Public square" not in page


def _parse_po(path: Path) -> list[dict[str, Any]]:
    """The entries of a .po file: msgid, msgid_plural, msgstr (msgstr[n] as a list) and flags."""
    entries: list[dict[str, Any]] = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry: dict[str, Any] = {"flags": set(), "msgstr": []}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                assert key is not None, f"{path}: a string without a keyword in {block!r}"
                if key == "msgstr":
                    entry["msgstr"][-1] += ast.literal_eval(line)
                else:
                    entry[key] += ast.literal_eval(line)
            else:
                keyword, _, value = line.partition(" ")
                key = "msgstr" if keyword.startswith("msgstr") else keyword
                if key == "msgstr":
                    entry["msgstr"].append(ast.literal_eval(value))
                else:
                    entry[key] = ast.literal_eval(value)
        entries.append(entry)
    return entries


@pytest.mark.parametrize("locale", CATALOGUES)
def test_every_message_is_translated_and_compiled(locale: str) -> None:
    po = LOCALE_DIR / locale / "LC_MESSAGES" / "django.po"
    entries = _parse_po(po)
    header, messages = entries[0], entries[1:]

    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"]
    assert "Plural-Forms: nplurals=1; plural=0;" in header["msgstr"][0]
    assert len(messages) > 100

    with (po.parent / "django.mo").open("rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)

    for entry in messages:
        msgid = entry["msgid"]
        assert "fuzzy" not in entry["flags"], f"{locale}: fuzzy {msgid!r}"
        assert entry["msgstr"] and all(entry["msgstr"]), f"{locale}: untranslated {msgid!r}"
        wanted = sorted(PLACEHOLDER.findall(msgid))
        for msgstr in entry["msgstr"]:
            assert sorted(PLACEHOLDER.findall(msgstr)) == wanted, f"{locale}: placeholders of {msgid!r}"
        # The committed .mo is the .po compiled: nothing added to the .po without recompiling.
        if "msgid_plural" in entry:
            assert compiled.ngettext(msgid, entry["msgid_plural"], 2) == entry["msgstr"][0], msgid
        elif "msgctxt" in entry:
            assert compiled.pgettext(entry["msgctxt"], msgid) == entry["msgstr"][0], f"{locale}: {msgid!r}"
        else:
            assert compiled.gettext(msgid) == entry["msgstr"][0], f"{locale}: .mo is stale for {msgid!r}"
