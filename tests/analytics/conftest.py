from tests.ops.conftest import Team, team

__all__ = ["Team", "team"]
