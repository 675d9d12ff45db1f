"""Reporters: turn plain-data results (decisions, findings) into text, JSON, SARIF, HTML."""

from __future__ import annotations

import os

# Where rule pages are published; BLASTSHIELD_DOCS_URL overrides it (e.g. for a fork or a mirror).
DEFAULT_DOCS_URL = "https://github.com/blastshield/blastshield/blob/main/docs/rules/"


def rule_docs_url(rule_id: str) -> str:
    """The public URL of a rule's docs page (docs/rules/<ID>.md in the repository)."""
    base = os.environ.get("BLASTSHIELD_DOCS_URL") or DEFAULT_DOCS_URL
    return f"{base.rstrip('/')}/{rule_id}.md"
