"""Dependency declarations: manifests and import statements → (name, ecosystem, line).

Manifests: requirements*.txt / *.in, pyproject.toml ([project] dependencies and optional
dependencies, [dependency-groups], Poetry), setup.cfg, Pipfile, package.json. Imports:
top-level Python ``import``/``from`` statements and JavaScript bare ``import``/``require``
specifiers. Parsing is tolerant: a manifest that does not parse yields nothing here (the
file's own tooling reports that); it never stops the scan.
"""

from __future__ import annotations

import json
import os
import re

from blastshield.scan.lazyre import lazy
from blastshield.values import FrozenValue

TYPE_CHECKING = False  # typing is for mypy only; it honours this name
if TYPE_CHECKING:
    from typing import Any

PYPI, NPM = "pypi", "npm"


class DepRef(FrozenValue):
    __slots__ = ("ecosystem", "line", "name", "via")
    name: str
    ecosystem: str  # "pypi" | "npm"
    line: int
    via: str  # "manifest" | "import"

    def __init__(self, name: str, ecosystem: str, line: int, via: str) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "ecosystem", ecosystem)
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "via", via)


_REQ_NAME = lazy(
    r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(?:[<>=!~;@ (]|$)")
_PY_IMPORT = lazy(r"^[ \t]*(?:from[ \t]+([A-Za-z_]\w*)[\w.]*[ \t]+import\b|import[ \t]+([^#\n]+))",
                        re.MULTILINE)
_JS_SPEC = lazy(
    r"""(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(["'])([^"'\n]{1,214})\1""")


def manifest_kind(path: str) -> str:
    """Which manifest parser applies to ``path`` ("" for none)."""
    name = os.path.basename(path)
    lowered = name.lower()
    if lowered.startswith("requirements") and lowered.endswith((".txt", ".in")):
        return "requirements"
    in_folder = os.path.basename(os.path.dirname(path)).lower() == "requirements"
    if in_folder and lowered.endswith((".txt", ".in")):
        return "requirements"
    return {"pyproject.toml": "pyproject", "setup.cfg": "setupcfg", "Pipfile": "pipfile",
            "package.json": "packagejson"}.get(name, "")


def _line_of(text: str, name: str) -> int:
    """The first line that names ``name`` as a whole word (1 if none does)."""
    pattern = re.compile(r"(?<![A-Za-z0-9_.@/-])" + re.escape(name) + r"(?![A-Za-z0-9_-])", re.IGNORECASE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _requirement_name(spec: str) -> str | None:
    spec = spec.strip()
    if not spec or spec.startswith(("-", "#", ".", "/", "git+", "http:", "https:", "file:")):
        return None
    match = _REQ_NAME.match(spec)
    return match.group(1) if match else None


def parse_requirements(text: str) -> list[DepRef]:
    refs: list[DepRef] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].split("\t#", 1)[0]
        name = _requirement_name(line)
        if name:
            refs.append(DepRef(name, PYPI, number, "manifest"))
    return refs


def _specs_to_refs(text: str, specs: list[Any]) -> list[DepRef]:
    refs = []
    for spec in specs:
        name = _requirement_name(spec) if isinstance(spec, str) else None
        if name:
            refs.append(DepRef(name, PYPI, _line_of(text, name), "manifest"))
    return refs


def _table(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _keys_to_refs(text: str, table: Any, ecosystem: str, skip: frozenset[str] = frozenset()) -> list[DepRef]:
    if not isinstance(table, dict):
        return []
    return [DepRef(name, ecosystem, _line_of(text, name), "manifest")
            for name in table if isinstance(name, str) and name.lower() not in skip]


def parse_pyproject(text: str) -> list[DepRef]:
    import tomllib

    data = tomllib.loads(text)
    specs: list[Any] = list(_table(data, "project", "dependencies") or [])
    for group in (_table(data, "project", "optional-dependencies") or {}).values():
        specs += group if isinstance(group, list) else []
    for group in (_table(data, "dependency-groups") or {}).values():
        specs += group if isinstance(group, list) else []
    refs = _specs_to_refs(text, specs)
    poetry = _table(data, "tool", "poetry") or {}
    skip = frozenset({"python"})
    refs += _keys_to_refs(text, _table(poetry, "dependencies"), PYPI, skip)
    refs += _keys_to_refs(text, _table(poetry, "dev-dependencies"), PYPI, skip)
    for group in (_table(poetry, "group") or {}).values():
        refs += _keys_to_refs(text, _table(group, "dependencies"), PYPI, skip)
    return refs


def parse_setup_cfg(text: str) -> list[DepRef]:
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    specs: list[Any] = []
    if parser.has_option("options", "install_requires"):
        specs += parser.get("options", "install_requires").splitlines()
    if parser.has_section("options.extras_require"):
        for _, value in parser.items("options.extras_require"):
            specs += value.splitlines()
    return _specs_to_refs(text, specs)


def parse_pipfile(text: str) -> list[DepRef]:
    import tomllib

    data = tomllib.loads(text)
    return (_keys_to_refs(text, data.get("packages"), PYPI)
            + _keys_to_refs(text, data.get("dev-packages"), PYPI))


def parse_package_json(text: str) -> list[DepRef]:
    data = json.loads(text)
    refs: list[DepRef] = []
    if not isinstance(data, dict):
        return refs
    for section in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
        table = data.get(section)
        if not isinstance(table, dict):
            continue
        for name, version in table.items():
            if not isinstance(name, str):
                continue
            if isinstance(version, str) and version.startswith(("file:", "link:", "workspace:", "portal:")):
                continue  # a local package, not a registry name
            target = name
            if isinstance(version, str) and version.startswith("npm:"):  # alias: the real name is inside
                rest = version[4:]
                at = rest.find("@", 1)
                target = rest[:at] if at > 0 else rest
            refs.append(DepRef(target, NPM, _line_of(text, name), "manifest"))
    return refs


def parse_manifest(path: str, text: str) -> list[DepRef]:
    """Dependencies a manifest declares; [] when it is not a manifest or does not parse."""
    kind = manifest_kind(path)
    parsers = {"requirements": parse_requirements, "pyproject": parse_pyproject,
               "setupcfg": parse_setup_cfg, "pipfile": parse_pipfile, "packagejson": parse_package_json}
    if kind not in parsers:
        return []
    try:
        return parsers[kind](text)
    except (ValueError, TypeError, AttributeError, LookupError):
        return []  # tomllib/json errors are ValueErrors
    except Exception as exc:  # configparser.Error and its kin
        if type(exc).__module__ == "configparser":
            return []
        raise


def python_imports(text: str) -> list[DepRef]:
    """Top-level names of absolute imports (``import a.b, c as d`` → a, c; ``from e.f import g`` → e)."""
    refs: list[DepRef] = []
    for match in _PY_IMPORT.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if match.group(1):
            refs.append(DepRef(match.group(1), PYPI, line, "import"))
            continue
        for part in match.group(2).split(";")[0].split(","):
            head = part.strip().strip("()\\").split(" as ")[0].strip().split(".")[0]
            if head.isidentifier():
                refs.append(DepRef(head, PYPI, line, "import"))
    return refs


def js_imports(text: str) -> list[DepRef]:
    """npm package names of bare specifiers (``lodash/merge`` → lodash, ``@a/b/c`` → @a/b)."""
    refs: list[DepRef] = []
    for match in _JS_SPEC.finditer(text):
        spec = match.group(2)
        if spec.startswith((".", "/", "~", "#", "node:", "@/", "http:", "https:", "data:", "virtual:")) \
                or ":" in spec or " " in spec:
            continue
        parts = spec.split("/")
        name = "/".join(parts[:2]) if spec.startswith("@") else parts[0]
        if spec.startswith("@") and len(parts) < 2:
            continue
        refs.append(DepRef(name, NPM, text.count("\n", 0, match.start()) + 1, "import"))
    return refs
