"""Which apps are on for a person, and where: read once per request (one query) and asked by the
navigation, by each post's actions and by each group's panel."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q

from tidings.core.audience import groups_of, insider_of
from tidings.extensions import registry
from tidings.extensions.manifest import Place
from tidings.extensions.models import Bot, Delivery, ExternalApp, Installation, Webhook
from tidings.orgs.models import Organisation


@dataclass
class Reach:
    """The apps on for one person: installed for themselves, for an organisation they work in
    (as an employee), or for a group they are a member of."""

    personal: set[str] = field(default_factory=set)
    organisations: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    groups: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    # What each app was given, over the installs that reach the person.
    scopes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    external: dict[str, registry.App] | None = None

    def everywhere(self) -> set[str]:
        keys = set(self.personal)
        for found in (*self.organisations.values(), *self.groups.values()):
            keys |= found
        return keys

    def on_for_post(self, post: Any) -> set[str]:
        """An app's post action shows where the app is on: in a group, the group's and its
        organisation's apps; inside an organisation, its apps; elsewhere, all of the person's."""
        if post.group_id:
            return (
                self.personal
                | self.groups.get(post.group_id, set())
                | self.organisations.get(post.organisation_id, set())
            )
        if post.audience == "org":
            return self.personal | self.organisations.get(post.organisation_id, set())
        return self.everywhere()

    def on_for_group(self, group: Any) -> set[str]:
        return self.groups.get(group.id, set()) | self.organisations.get(group.organisation_id, set())

    def places(self, kind: str, keys: set[str]) -> list[tuple[registry.App, Place]]:
        from tidings.extensions import external

        if self.external is None:  # the person's external apps, read once per page
            self.external = external.apps_for(self.everywhere())
        apps = {**registry.apps(), **self.external}
        return [(apps[k], p) for k in sorted(keys) if k in apps for p in apps[k].manifest.places_of(kind)]


def reach(person: Any) -> Reach:
    found = Reach()
    if not getattr(person, "is_authenticated", False):
        return found
    from tidings.groups.models import Group

    # A company-wide install is on in each of the company's groups the person is in, a guest's
    # cross-company group included, as `on_for_group` says; and everywhere for its employees.
    my_groups = dict(Group.objects.filter(id__in=groups_of(person.id)).values_list("id", "organisation_id"))
    insider = Exists(insider_of(person.id).filter(organisation_id=OuterRef("organisation_id")))
    company = Q(group__isnull=True, account__isnull=True) & (
        Q(organisation_id__in=insider_of(person.id)) | Q(organisation_id__in=set(my_groups.values()))
    )
    rows = (
        Installation.objects.filter(Q(account_id=person.id) | company | Q(group_id__in=list(my_groups)))
        .annotate(insider=insider)
        .values_list("app", "organisation_id", "group_id", "account_id", "scopes", "insider")
    )
    for app, organisation_id, group_id, account_id, given, is_insider in rows:
        found.scopes[app].update(given.split())
        if account_id:
            found.personal.add(app)
        elif group_id:
            found.groups[group_id].add(app)
        else:
            if is_insider:
                found.organisations[organisation_id].add(app)
            for group, group_organisation in my_groups.items():
                if group_organisation == organisation_id:
                    found.groups[group].add(app)
    return found


def installations(organisation: Organisation) -> list[Installation]:
    return list(
        Installation.objects.filter(organisation=organisation)
        .select_related("group", "installed_by")
        .order_by("app", "group__name")
    )


def personal_installations(person: Any) -> list[Installation]:
    return list(Installation.objects.filter(account_id=person.id).order_by("app"))


def webhooks(organisation: Organisation) -> list[Webhook]:
    return list(Webhook.objects.filter(organisation=organisation).order_by("-id"))


def external_apps(organisation: Organisation) -> list[ExternalApp]:
    return list(
        ExternalApp.objects.filter(organisation=organisation).select_related("client").order_by("key")
    )


def bots(organisation: Organisation) -> list[Bot]:
    return list(
        Bot.objects.filter(organisation=organisation).select_related("account", "group").order_by("-id")
    )


def delivery_log(webhook: Webhook, *, limit: int = 50) -> list[Delivery]:
    return list(webhook.deliveries.order_by("-id")[:limit])


def on_for_group(key: str, group: Any) -> bool:
    """Whether an app is on for a group: installed for it, or for its whole organisation."""
    return Installation.objects.filter(
        Q(group_id=group.id)
        | Q(organisation_id=group.organisation_id, group__isnull=True, account__isnull=True),
        app=key,
    ).exists()


def groups_with(person: Any, key: str) -> list[Any]:
    """The person's groups (as an active member) that an app is on for."""
    from tidings.groups.models import Group

    on = Installation.objects.filter(app=key)
    return list(
        Group.objects.filter(id__in=groups_of(person.id))
        .filter(
            Q(id__in=on.filter(group__isnull=False).values("group_id"))
            | Q(
                organisation_id__in=on.filter(group__isnull=True, account__isnull=True).values(
                    "organisation_id"
                )
            )
        )
        .select_related("organisation")
        .order_by("name")
    )


def member_group(person: Any, key: str, group_id: Any) -> Any:
    """A group the person is an active member of and the app is on for; NotFound otherwise."""
    from tidings.core.errors import NotFound
    from tidings.groups.models import Group

    try:
        gid = int(group_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    group = Group.objects.filter(id=gid, id__in=groups_of(person.id)).select_related("organisation").first()
    if group is None or not on_for_group(key, group):
        raise NotFound()
    return group


def member_group_or_none(person: Any, key: str, group_id: Any) -> Any:
    from tidings.core.errors import NotFound

    try:
        return member_group(person, key, group_id)
    except NotFound:
        return None


def in_member_group(objects: Any, person: Any, key: str, object_id: Any) -> Any:
    """One of an app's objects that live in a group (a task, a project): found only when the
    person is an active member of its group and the app is on for that group; NotFound alike
    for missing and forbidden."""
    from tidings.core.errors import NotFound

    try:
        wanted = int(object_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    found = (
        objects.filter(id=wanted, group_id__in=groups_of(person.id))
        .select_related("group__organisation")
        .first()
    )
    if found is None or not on_for_group(key, found.group):
        raise NotFound()
    return found
