"""Every change to a post's text queues it for the index, in the transaction that makes it;
every saved name of a person, organisation or group is kept findable."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tidings.accounts.models import Account
from tidings.groups.models import Group
from tidings.orgs.models import Organisation
from tidings.posts.models import Post
from tidings.search import index, names
from tidings.search.models import NameEntry


@receiver(post_save, sender=Post, dispatch_uid="search-post-saved")
def _saved(sender: Any, instance: Post, created: bool, update_fields: Any = None, **_: Any) -> None:
    if created or update_fields is None or "text" in update_fields:
        index.queue([instance.id])


@receiver(post_delete, sender=Post, dispatch_uid="search-post-deleted")
def _deleted(sender: Any, instance: Post, **_: Any) -> None:
    index.queue([instance.id])


NAMED_BY = {"handle", "display_name", "slug", "name"}


def _name_saved(kind: str) -> Any:
    def saved(sender: Any, instance: Any, update_fields: Any = None, **_: Any) -> None:
        if update_fields is None or NAMED_BY & set(update_fields):  # not on every login
            names.remember(kind, instance)

    return saved


post_save.connect(
    _name_saved(NameEntry.Kind.ACCOUNT), sender=Account, weak=False, dispatch_uid="search-account"
)
post_save.connect(
    _name_saved(NameEntry.Kind.ORGANISATION), sender=Organisation, weak=False, dispatch_uid="search-org"
)
post_save.connect(_name_saved(NameEntry.Kind.GROUP), sender=Group, weak=False, dispatch_uid="search-group")
