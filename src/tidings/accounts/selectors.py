"""Reads of accounts. Profiles are public; what they posted is filtered by the audience module."""

from __future__ import annotations

from tidings.accounts.models import Account
from tidings.core.errors import NotFound
from tidings.core.handles import handle_key


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
