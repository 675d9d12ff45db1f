"""The bundled popular-name lists: rank() reads the text directly, so the lists must keep the
format scripts/gen_popular_packages.py writes (header comments, then one name per line, no repeats)."""

from __future__ import annotations

import pytest

from blastshield.scan import deps_names
from blastshield.scan.deps_manifests import NPM, PYPI


@pytest.mark.parametrize("ecosystem", [PYPI, NPM])
def test_lists_hold_one_distinct_bare_name_per_line_after_the_header(ecosystem: str) -> None:
    text, header = deps_names._listing(ecosystem)
    lines = text[1:].split("\n")
    assert header >= 1 and all(line.startswith("#") for line in lines[:header])
    names = lines[header:]
    assert names[-1] == "", "the list ends with a newline"
    names = names[:-1]
    assert len(names) > 10_000
    assert all(name and name == name.strip() and not name.startswith("#") for name in names)
    assert len(set(names)) == len(names), "a name is listed twice"


@pytest.mark.parametrize("ecosystem", [PYPI, NPM])
def test_rank_from_the_text_equals_the_rank_table(ecosystem: str) -> None:
    ranks = deps_names.popular(ecosystem)
    assert min(ranks.values()) == 1 and max(ranks.values()) == len(ranks)
    assert all(deps_names.rank(name, ecosystem) == where for name, where in ranks.items())


@pytest.mark.parametrize("ecosystem", [PYPI, NPM])
def test_rank_is_none_for_names_not_listed_and_for_header_or_blank_text(ecosystem: str) -> None:
    text, header = deps_names._listing(ecosystem)
    first_comment = text[1:].split("\n")[0]
    for name in ("", " ", "\n", first_comment, first_comment.lower(), "surely-not-a-package-xyzzy",
                 "requests\nnumpy"):
        assert deps_names.rank(name, ecosystem) is None, name
    top = text[1:].split("\n")[header]
    assert deps_names.rank(top, ecosystem) == 1
    assert deps_names.rank(top.upper(), ecosystem) == 1  # names fold case as the registry does
