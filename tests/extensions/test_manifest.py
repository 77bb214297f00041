"""An app's manifest: what is unknown or malformed is refused with the reason."""

from __future__ import annotations

import pytest

from tidings.core.errors import Invalid
from tidings.extensions import registry
from tidings.extensions.manifest import from_dict

GOOD = {
    "key": "standup",
    "name": {"en": "Stand-up", "zh-hant": "站會"},
    "description": "A daily stand-up for teams.",
    "icon": "🧍",
    "scopes": ["read:statuses", "write:statuses"],
    "places": [{"kind": "group_panel", "label": "Stand-up", "path": "today/"}],
    "targets": ["group"],
}


def test_a_well_formed_manifest_is_read_with_its_places_and_permissions():
    manifest = from_dict(GOOD)
    assert manifest.key == "standup"
    assert [p.kind for p in manifest.places] == ["group_panel"]
    assert manifest.scopes == ("read:statuses", "write:statuses")
    assert manifest.title == "Stand-up"  # English unless the reader's language is given


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            {"scopes": ["read:statuses", "admin:everything"]},
            "permission that does not exist: admin:everything",
        ),
        ({"places": [{"kind": "popup", "label": "x"}]}, "unknown place: popup"),
        ({"places": [{"kind": "nav", "label": "x", "path": "/etc/passwd"}]}, "relative"),
        ({"places": [{"kind": "nav", "label": "x", "path": "../admin/"}]}, "relative"),
        ({"key": "Bad Key"}, "small letters"),
        ({"name": ""}, "needs a name"),
        ({"icon": "<script>"}, "icon"),
        ({"targets": ["everyone"]}, "installed for"),
        ({"places": "nav"}, "well-formed"),
    ],
)
def test_a_manifest_with_an_unknown_or_malformed_part_is_refused_with_the_reason(change, reason):
    with pytest.raises(Invalid) as refused:
        from_dict({**GOOD, **change})
    assert reason in str(refused.value)


def test_the_sample_app_installed_with_pip_is_found_through_its_entry_point():
    app = registry.get("cite")
    assert app is not None and app.urls == "tidings_cite.urls"
    assert [p.kind for p in app.manifest.places] == ["post_action"]
    assert registry.broken() == ()
