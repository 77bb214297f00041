"""Loaded before Django's settings: points the test run at its own data directory."""

import os
import tempfile

os.environ.setdefault("TIDINGS_DATA_DIR", tempfile.mkdtemp(prefix="tidings-test-"))
os.environ["TIDINGS_TASKS_IMMEDIATE"] = "1"
os.environ.setdefault("TIDINGS_REDIS_PREFIX", f"tidings-test-{os.getpid()}:")
