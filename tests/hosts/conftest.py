"""Fixtures for the host tests: the served workspace of the hook-server tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))

from hook_server_kit import package_copy, served  # noqa: F401 (fixtures, found by pytest by name)
