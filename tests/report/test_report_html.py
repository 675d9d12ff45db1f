"""`blastshield report --html`: one self-contained page, escaped, filterable, tested in real Chromium."""

from __future__ import annotations

import html
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from learn_testkit import bash, call, payload

from bs_testenv import Env

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
XSS_SESSION = '"><script>window.__xss=3</script>'
VULNERABLE = (
    "import sqlite3\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n"
    '@app.route("/orders")\ndef orders() -> str:\n    name = request.args.get("name", "")\n'
    '    conn = sqlite3.connect("shop.db")\n'
    "    rows = conn.execute(f\"SELECT id FROM orders WHERE name = '{name}'\").fetchall()\n"
    "    return str(len(rows))\n")


@pytest.fixture
def logged(env: Env) -> Env:
    (env.workspace / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    assert env.run("init", "--host", "claude-code").code == 0
    ws = env.workspace
    assert bash(env, 'echo "<script>window.__xss=1</script>"') == "allow"
    assert call(env, "Write", {"file_path": f"{ws}/src/<img src=x onerror=window.__xss=2>.py",
                               "content": "x = 1\n"}) == "allow"
    assert call(env, "mcp__evil__<img src=x onerror=window.__xss=4>", {}) == "ask"
    assert call(env, "Read", {"file_path": f"{env.home}/.aws/credentials"}) == "deny"
    assert bash(env, "git push origin main") == "ask"
    assert bash(env, "git status", session=XSS_SESSION) == "allow"
    target = ws / "src" / "orders.py"
    target.parent.mkdir(exist_ok=True)
    write = payload(env, "Write", {"file_path": str(target), "content": VULNERABLE},
                    tool_use_id="toolu_write1")
    assert env.hook("claude-code", write).json()["hookSpecificOutput"]["permissionDecision"] == "allow"
    target.write_text(VULNERABLE)
    response = {"type": "create", "filePath": str(target)}
    post = {**write, "hook_event_name": "PostToolUse", "tool_response": response}
    reply = env.hook("claude-code", post).json()
    assert reply["decision"] == "block" and "BS-PY-089" in reply["reason"]
    return env


def _report(env: Env) -> tuple[Path, str]:
    out = env.workspace.parent / "report.html"
    result = env.run("report", "--html", str(out))
    assert result.code == 0, result.stderr
    assert result.stdout.startswith(f"wrote {out}: 2 session(s), 7 actions, 1 finding(s); log verified")
    return out, out.read_text(encoding="utf-8")


def test_page_is_self_contained_and_escapes_agent_text(logged: Env) -> None:
    _, page = _report(logged)
    assert page.count("<script") == 1  # ours, allowed by hash in the CSP
    assert "window.__xss" not in page.split("<script>")[1]
    assert "<script>window.__xss" not in page and "<img src=x" not in page
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=window.__xss=2&gt;.py" in page
    assert 'data-session="&quot;&gt;&lt;script&gt;window.__xss=3&lt;/script&gt;"' in page
    tags = _tags(page)
    assert {name for name, _ in tags}.isdisjoint({"img", "link", "iframe", "object", "embed", "base", "form"})
    assert [name for name, _ in tags].count("script") == 1
    attributes = {attr for _, attrs in tags for attr in attrs}
    assert "src" not in attributes  # nothing loaded from anywhere
    assert not [a for a in attributes if a.startswith("on")]  # no event handler got through
    links = re.findall(r'<a href="(https?://[^"]+)"([^>]*)>', page)  # rule docs: followed only on a click
    assert links and all(url.startswith("https://") and 'rel="noopener noreferrer"' in rest
                         for url, rest in links)
    assert any(url.endswith("/BS-PY-089.md") for url, _ in links)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None
    policy = html.unescape(csp.group(1))
    assert "default-src 'none'" in policy and "script-src 'sha256-" in policy and "unsafe-eval" not in policy
    assert "Verified.</b> The hash chain is intact and every signed checkpoint verifies: 9 records" in page


def test_finding_is_linked_to_the_action_that_wrote_the_code(logged: Env) -> None:
    _, page = _report(logged)
    write_row = re.search(r'<tr class="action d-allow" id="a-(\d+)"[^>]*data-findings="1">(.*?)</tbody>',
                          page, re.S)
    assert write_row and "src/orders.py</summary>" in write_row.group(2)
    assert '">BS-PY-089</a> high ' in write_row.group(2)
    assert f'<a href="#a-{write_row.group(1)}">action #{write_row.group(1)}</a>' in page


def test_tampered_log_is_reported_and_exits_4(logged: Env) -> None:
    db = logged.workspace / ".blastshield" / "audit.db"
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("UPDATE records SET body = replace(body, 'git push origin main', 'git status')"
                     " WHERE seq = 5")
    finally:
        conn.close()
    out = logged.workspace.parent / "tampered.html"
    result = logged.run("report", "--html", str(out))
    assert result.code == 4
    assert "FAILED verification" in result.stdout
    assert "Verification FAILED</b> (first bad record 5)" in out.read_text()


def test_bad_output_path_is_one_line(logged: Env) -> None:
    result = logged.run("report", "--html", str(logged.workspace / "no" / "such" / "dir" / "r.html"))
    assert result.code == 2
    assert result.stderr.startswith("blastshield: error: --html ") and "cannot write" in result.stderr


@pytest.mark.skipif(not os.path.exists(CHROMIUM),
                    reason=f"{CHROMIUM} is not installed (Debian package chromium)")
def test_filters_search_and_links_in_headless_chromium(logged: Env, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    path, _ = _report(logged)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            dialogs: list[str] = []
            errors: list[str] = []
            requests: list[str] = []
            def on_dialog(dialog: Any) -> None:
                dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", on_dialog)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.as_uri())
            assert page.evaluate("window.__xss") is None and dialogs == [] and errors == []
            assert requests == [path.as_uri()]
            shown = page.locator("#shown")
            assert shown.text_content() == "7 of 7 actions shown"
            page.screenshot(path=str(tmp_path / "report.png"))
            page.screenshot(path=str(ARTIFACTS / "report-all.png"))

            page.click("button[data-filter=deny]")
            assert shown.text_content() == "1 of 7 actions shown"
            assert _visible(page) == [("deny", f"Read: {logged.home}/.aws/credentials")]
            page.screenshot(path=str(ARTIFACTS / "report-denied.png"))

            page.click("button[data-filter=ask]")
            assert sorted(s for _, s in _visible(page)) == ["Bash: git push origin main",
                                                            "mcp__evil__<img src=x onerror=window.__xss=4>"]
            page.click("button[data-filter=findings]")
            assert [s for _, s in _visible(page)] == [f"Write: {logged.workspace}/src/orders.py"]

            page.click("button[data-filter=all]")
            page.fill("#search", "credentials")
            assert shown.text_content() == "1 of 7 actions shown"
            page.fill("#search", "")
            page.select_option("#session", XSS_SESSION)
            assert _visible(page) == [("allow", "Bash: git status")]
            page.select_option("#session", "")
            assert shown.text_content() == "7 of 7 actions shown"

            page.click("#findings a[href^='#a-']")
            assert re.search(r"#a-\d+$", page.url)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 1366  # fits a laptop screen without scrolling sideways
            assert page.evaluate("window.__xss") is None and dialogs == [] and errors == []

            static = browser.new_page(java_script_enabled=False, viewport={"width": 1366, "height": 768})
            static.goto(path.as_uri())
            assert static.locator("tr.action:visible").count() == 7  # readable without JavaScript
            assert not static.locator("#controls").is_visible()
            static.screenshot(path=str(ARTIFACTS / "report-nojs.png"))
        finally:
            browser.close()


def _tags(page: str) -> list[tuple[str, list[str]]]:
    """Every start tag of the page with its attribute names, as a browser's tokenizer sees them."""
    from html.parser import HTMLParser

    found: list[tuple[str, list[str]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, [name for name, _ in attrs]))

    Collect().feed(page)
    return found


def _visible(page: Any) -> list[tuple[str, str]]:
    rows = page.locator("tr.action:visible")
    return [(rows.nth(i).get_attribute("data-decision"), rows.nth(i).locator("summary").text_content())
            for i in range(rows.count())]
