"""Fixtures for the red-team and false-denial suites.

The case tables (redteam_cases_*.py) and the harness (redteam_harness.py) are plain
modules next to this file; pytest's importlib mode does not put this folder on
sys.path, so it is added here, once.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from redteam_harness import Workspace, make_workspace  # noqa: E402


@pytest.fixture
def redteam(env: Any) -> Workspace:
    """The ``env`` fixture's isolated user, furnished with secrets, links and a project."""
    return make_workspace(env)
