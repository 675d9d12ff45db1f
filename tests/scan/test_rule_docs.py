"""Every registered rule has a unique, well-formed id, complete metadata and a docs page."""

from __future__ import annotations

import re
from pathlib import Path

from blastshield.scan.registry import all_rules

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules"
RULE_ID = re.compile(r"^BS-[A-Z]+-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$")


def test_rule_ids_are_unique_and_well_formed():
    rules = all_rules()  # declare() refuses a duplicate id, so loading them all proves uniqueness
    assert rules, "no rules registered"
    for rule_id, spec in rules.items():
        assert spec.id == rule_id
        assert RULE_ID.match(rule_id), f"{rule_id}: ids look like BS-PY-078 or BS-SECRET-TOKEN"
        assert spec.cwe > 0, rule_id
        assert spec.title.strip() and spec.fix.strip(), rule_id
        assert spec.language in ("python", "javascript", "any"), rule_id
    lowered = [rule_id.lower() for rule_id in rules]
    assert len(lowered) == len(set(lowered)), "ids must differ by more than case"


def test_every_rule_has_a_docs_page():
    missing = sorted(rule_id for rule_id in all_rules() if not (DOCS / f"{rule_id}.md").is_file())
    assert not missing, f"rules without docs/rules/<ID>.md: {missing}"


def test_docs_pages_name_their_rule():
    for rule_id in all_rules():
        page = DOCS / f"{rule_id}.md"
        if not page.is_file():
            continue  # reported by test_every_rule_has_a_docs_page
        text = page.read_text(encoding="utf-8")
        assert rule_id in text, f"{page.name}: the page should name its rule"
        assert len(text.split()) >= 30, f"{page.name}: say what, why it matters and how to fix it"


def test_no_orphan_docs_pages():
    rules = all_rules()
    orphans = sorted(p.stem for p in DOCS.glob("BS-*.md") if p.stem not in rules)
    assert not orphans, f"docs pages for rules that do not exist: {orphans}"
