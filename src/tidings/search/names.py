"""The folded names that people, organisations and groups are found by."""

from __future__ import annotations

from typing import Any

from tidings.core.text import fold
from tidings.search.models import NameEntry


def key_of(kind: str, obj: Any) -> str:
    if kind == NameEntry.Kind.ACCOUNT:
        parts = [obj.handle, obj.display_name]
    elif kind == NameEntry.Kind.ORGANISATION:
        parts = [obj.slug, obj.name]
    else:
        parts = [obj.name]
    return fold(" ".join(parts))[:400]


def remember(kind: str, obj: Any) -> None:
    NameEntry.objects.bulk_create(
        [NameEntry(kind=kind, object_id=obj.id, key=key_of(kind, obj))],
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["key"],
    )


def rebuild() -> int:
    """All names again (`tidings search reindex`)."""
    from tidings.accounts.models import Account
    from tidings.groups.models import Group
    from tidings.orgs.models import Organisation

    NameEntry.objects.all().delete()
    count = 0
    for kind, model in (
        (NameEntry.Kind.ACCOUNT, Account),
        (NameEntry.Kind.ORGANISATION, Organisation),
        (NameEntry.Kind.GROUP, Group),
    ):
        batch = [NameEntry(kind=kind, object_id=o.id, key=key_of(kind, o)) for o in model.objects.iterator()]
        NameEntry.objects.bulk_create(batch, batch_size=1000)
        count += len(batch)
    return count
