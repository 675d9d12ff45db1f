"""Uploads stored without any check of what they are (CWE-434).

A web handler that reads an uploaded file (Flask/Werkzeug ``request.files``, Django
``request.FILES``, a FastAPI ``UploadFile`` parameter) and stores it — ``.save()``, a file
opened for writing, a helper named save/store/write/upload — while nothing in the handler
looks at the file's extension or content type. The check may be weak (an ``endswith``
on the name); any check at all is taken as intent, so this rule reports only uploads that
are stored blindly.
"""

from __future__ import annotations

import ast
import re

from blastshield.scan.finding import Finding
from blastshield.scan.lazyre import lazy
from blastshield.scan.python.names import FileIndex, call_name, const_str, dotted, last
from blastshield.scan.python.sources import REQUEST_NAMES
from blastshield.scan.registry import finding
from blastshield.scan.rules import python_patterns as R

Func = ast.FunctionDef | ast.AsyncFunctionDef
UPLOAD_TYPES = frozenset({"UploadFile", "FileStorage", "UploadedFile", "InMemoryUploadedFile"})
STORE_CALL = lazy(r"(^|_)(save|store|write|upload|put_object|upload_fileobj|copyfileobj)", re.I)
CHECK_NAME = lazy(r"endswith|splitext|suffix|extension|(^|_)ext($|_)|content_?type|mimetype|mime|"
                        r"allowed|imghdr|magic|file_?type|guess_type|valid|verify|is_image|what$|(^|_)safe($|_)|"
                        r"(^|_)type($|_)", re.I)
TYPE_CONSTANT = lazy(r"^\.?(pdf|jpe?g|png|gif|bmp|svg|webp|tiff?|txt|csv|docx?|xlsx?|pptx?|zip|"
                           r"json|xml|mp[34]|wav|html?)$|^(image|application|text|audio|video)/", re.I)


def _reads_upload(fn: Func) -> bool:
    for p in [*fn.args.args, *fn.args.kwonlyargs]:
        if p.annotation is not None and last(dotted(p.annotation) or "") in UPLOAD_TYPES:
            return True
    for node in ast.walk(fn):
        if isinstance(node, ast.Attribute) and node.attr in ("files", "FILES"):
            base = dotted(node.value) or ""
            if last(base) in REQUEST_NAMES or base.endswith("request"):
                return True
    return False


def _checks_type(fn: Func) -> bool:
    for node in ast.walk(fn):
        text = None
        if isinstance(node, ast.Name):
            text = node.id
        elif isinstance(node, ast.Attribute):
            text = node.attr
        if text and CHECK_NAME.search(text):
            return True
        if isinstance(node, ast.Compare) and any(_type_test_part(c) for c in ast.walk(node)):
            return True  # 'jpg' in name, ext != '.pdf', name[-4:] == '.jpg'
    return False


def _type_test_part(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return bool(TYPE_CONSTANT.match((const_str(node) or "").strip()))
    return isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice) and isinstance(
        node.slice.lower, ast.UnaryOp)


def _store(fn: Func, aliases: dict[str, str]) -> ast.Call | None:
    for node in ast.walk(fn):
        if not isinstance(node, ast.Call):
            continue
        name = call_name(node, aliases)
        method = last(name) if name else (node.func.attr if isinstance(node.func, ast.Attribute) else "")
        if method == "open" or name in ("open", "io.open"):
            mode = node.args[1] if len(node.args) > 1 else next(
                (k.value for k in node.keywords if k.arg == "mode"), None)
            if any(c in (const_str(mode) or "") for c in "wax"):
                return node
        elif method and STORE_CALL.search(method) and node.args:
            return node
    return None


def upload_findings(index: FileIndex, path: str) -> list[Finding]:
    out: list[Finding] = []
    if not any(a.attr in ("files", "FILES") for a in index.nodes(ast.Attribute)) and not any(
            a.annotation is not None for a in index.nodes(ast.arg)):
        return out  # nothing in the file reads an upload
    for fn in index.functions():
        if not _reads_upload(fn):
            continue
        store = _store(fn, index.aliases)
        if store is None or _checks_type(fn):
            continue
        out.append(finding(R.UNRESTRICTED_UPLOAD, path, store.lineno,
                           f"an uploaded file is stored by {fn.name}() without any check of its extension or "
                           "content type — an attacker can upload a script or an HTML page"))
    return out
