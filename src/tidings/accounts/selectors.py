"""Reads of accounts. Profiles are public; what they posted is filtered by the audience module."""

from __future__ import annotations

from django.db.models import Q

from tidings.accounts.models import Account
from tidings.core.errors import NotFound
from tidings.core.handles import handle_key
from tidings.core.text import fold


def account_by_handle(handle: str) -> Account:
    account = Account.objects.filter(handle_key=handle_key(handle), is_active=True).first()
    if account is None:
        raise NotFound()
    return account


def accounts_by_handles(handles: list[str]) -> dict[str, Account]:
    """Active accounts for these handles, keyed by folded handle, in one query."""
    keys = {handle_key(h) for h in handles}
    if not keys:
        return {}
    return {a.handle_key: a for a in Account.objects.filter(handle_key__in=keys, is_active=True)}


def search_accounts(query: str, *, limit: int) -> list[Account]:
    """People whose handle or name holds the words, folded (case, width, 繁/简). The full
    search of issue 5 will rank these; for now the handle's folded prefix comes first."""
    key = fold(query)[:60]
    if not key:
        return []
    rows = Account.objects.filter(is_active=True).select_related("organisation")
    exact = list(rows.filter(handle_key=key)[:1])
    rest = list(
        rows.filter(Q(handle_key__startswith=key) | Q(display_name__icontains=query[:60]))
        .exclude(id__in=[a.id for a in exact])
        .order_by("-followers_count", "id")[: limit - len(exact)]
    )
    return exact + rest
