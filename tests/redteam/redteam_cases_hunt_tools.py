"""Bypasses found by the session-4 red-team hunt, tools family: each expects ask or deny under
tests/redteam/policy.toml (see redteam_case.py for the shape of a case)."""

from __future__ import annotations

from redteam_case import ASK, AT_LEAST_ASK, DENY, Case, case  # noqa: F401

CASES: list[Case] = [
]
