"""The verifiable draw shared by prize quizzes and lotteries.

1. When the activity is made, the server draws a secret seed (32 random bytes, as 64 hex digits)
   and publishes `commitment = sha256(seed)`; the seed itself is shown to nobody.
2. When entries close, the entrants are stored (`Entrant` rows: who, and whether the filters let
   them in), the winners are drawn, and the seed is revealed.
3. Anyone checks that sha256(seed) is the commitment published before the close, then ranks the
   eligible entrants by sha256("<seed>:<account id>") in hex, smallest first (ties by id), and
   takes as many as there are prizes. That is `winners` below, and the activity's page prints it
   as a few lines of Python to run.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable


def new_seed() -> str:
    return secrets.token_hex(32)


def commitment(seed: str) -> str:
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def ticket(seed: str, account_id: int) -> str:
    return hashlib.sha256(f"{seed}:{account_id}".encode("ascii")).hexdigest()


def winners(seed: str, eligible: Iterable[int], prizes: int) -> list[int]:
    ranked = sorted(set(eligible), key=lambda account_id: (ticket(seed, account_id), account_id))
    return ranked[:prizes]


# Printed on the activity's page: save its draw.json beside it and run it with any Python 3.
RECOMPUTE = """import hashlib, json
draw = json.load(open("draw.json"))
seed = draw["seed"]
assert hashlib.sha256(seed.encode()).hexdigest() == draw["commitment"]
ticket = lambda i: (hashlib.sha256(f"{seed}:{i}".encode()).hexdigest(), i)
print(sorted(draw["eligible"], key=ticket)[: draw["prizes"]] == draw["winners"])"""
