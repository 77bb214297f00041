"""Projects, a built-in app: a team (a group) keeps its projects here and shares typed updates:
status, problems and proposed solutions. A problem is marked solved by one of the proposals for
it, which is then linked; each week the worker posts a digest of what moved, what is stuck and
who proposed what."""

from django.utils.translation import gettext_lazy as _

from tidings.extensions.manifest import Manifest, Place
from tidings.extensions.registry import App

APP = App(
    manifest=Manifest(
        key="projects",
        name=_("Projects"),
        description=_(
            "Teams share status, problems and proposed solutions; a weekly digest says what moved."
        ),
        icon="🧭",
        scopes=("read:statuses", "write:statuses", "read:lists"),
        places=(
            Place(kind="group_panel", label=_("Projects")),
            Place(kind="feed_card", label=_("Project update card")),
        ),
        targets=("organisation", "group"),
    ),
    urls="tidings.extensions.projects.urls",
)
