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
    names = list(ranks)
    sample = [*names[:50], *names[::97], names[-1]]  # with the one-name-a-line test above, a sample suffices
    assert all(deps_names.rank(name, ecosystem) == ranks[name] for name in sample)


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


def _variants(name: str) -> set[str]:
    return {name, *(name[:i] + name[i + 1:] for i in range(len(name)))}


def _delete_index(ranks: dict[str, int]) -> dict[str, set[str]]:
    """Every popular name under itself and each of its single deletions (the former index)."""
    index: dict[str, set[str]] = {}
    for name in ranks:
        for variant in _variants(name):
            index.setdefault(variant, set()).add(name)
    return index


def _index_neighbours(key: str, index: dict[str, set[str]]) -> set[str]:
    """The neighbourhood as the symmetric-delete index found it: names of length L-1..L+1 whose
    variants (themselves and their single deletions) meet the key's."""
    found = {name for variant in _variants(key) for name in index.get(variant, ())}
    return {name for name in found if abs(len(name) - len(key)) <= 1}


def _queries(ranks: dict[str, int]) -> list[str]:
    """Deletions, insertions, substitutions, transpositions and double edits of popular names."""
    out: list[str] = []
    for n, name in enumerate(list(ranks)[::300]):
        i = n % max(1, len(name) - 1)
        out += [name[:i] + name[i + 1:], name[:i] + "x" + name[i:], name[:i] + "q" + name[i + 1:],
                name[:i] + name[i + 1:i + 2] + name[i:i + 1] + name[i + 2:], "z" + name[1:-1] + "k",
                name + "-ng"]
    return [q for q in out if q and q not in ranks]


@pytest.mark.parametrize("ecosystem", [PYPI, NPM])
def test_generated_neighbours_are_exactly_the_symmetric_delete_neighbourhood(ecosystem: str) -> None:
    ranks = deps_names.popular(ecosystem)
    queries = _queries(ranks)
    assert len(queries) > 250
    alphabet, index = deps_names._alphabet(ecosystem), _delete_index(ranks)
    differ = [q for q in queries if deps_names._neighbours(q, ranks, alphabet) != _index_neighbours(q, index)]
    assert differ == []
    assert any(deps_names._neighbours(q, ranks, alphabet) for q in queries)


def test_separator_squashing_matches_the_separator_pattern() -> None:
    for name in ("python-dateutil", "zope.interface", "typing_extensions", "a-_.b", "--x..", "plain"):
        assert deps_names._squash(name) == deps_names._SEPARATORS.sub("", name)


@pytest.mark.parametrize("ecosystem", [PYPI, NPM])
def test_the_separator_index_keeps_the_best_ranked_of_names_that_squash_alike(ecosystem: str) -> None:
    expected: dict[str, str] = {}
    for name in deps_names.popular(ecosystem):
        expected.setdefault(deps_names._SEPARATORS.sub("", name), name)
    assert deps_names._separator_index(ecosystem) == expected
