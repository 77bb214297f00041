"""An organisation with an official account and its people (from the ops tests), and a private
group of it made by the manager (the organisation's admin is not in it)."""

from __future__ import annotations

import pytest

from tests.ops.conftest import Team, team
from tidings.groups import services as groups
from tidings.groups.models import Group

__all__ = ["Team", "team"]


@pytest.fixture
def group(team: Team) -> Group:
    team.org.members_may_create_groups = True
    team.org.save(update_fields=["members_may_create_groups"])
    return groups.create_group(team.org, actor=team.manager, name="產品組", kind="private")
