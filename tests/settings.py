"""Settings for the test run: the real settings module, pointed at a throw-away data directory,
with background tasks run in process (the browser tests run a real worker instead)."""

import os
import tempfile

# Each test process (pytest-xdist runs two) has its own data directory and Redis prefix.
os.environ["TIDINGS_DATA_DIR"] = tempfile.mkdtemp(prefix="tidings-test-")
os.environ["TIDINGS_TASKS_IMMEDIATE"] = "1"
# Each test counts trends afresh; one test turns the cache on to see it work.
os.environ["TIDINGS_TRENDS_CACHE_SECONDS"] = "0"
os.environ["TIDINGS_REDIS_PREFIX"] = f"tidings-test-{os.getpid()}:"

from tidings.settings import *  # noqa: F403

# Argon2 is deliberately slow; the tests make hundreds of accounts. One test checks that the
# real settings store Argon2 hashes (tests/accounts/test_accounts_services.py).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The live-event watcher's thread cannot see rows of a test's transaction; streams poll instead
# (tests/core/test_pubsub.py turns it on to test it).
STREAM_WATCHER = False
