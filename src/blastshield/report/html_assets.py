"""The HTML report's inline style and script. No network, no CDN, nothing loaded from outside.

The script only filters rows that are already in the page (it never builds HTML from data),
and the page's Content-Security-Policy allows exactly this script by its hash: an injected
``<script>`` or ``onerror=`` attribute would not run even if escaping ever failed.
"""

from __future__ import annotations

import base64
import hashlib

CSS = """
:root { --allow:#1a7f37; --ask:#9a6700; --deny:#cf222e; --ink:#1f2328; --muted:#59636e; --line:#d1d9e0;
  --bg:#ffffff; --soft:#f6f8fa; --denybg:#ffebe9; --askbg:#fff8c5; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  background: var(--bg); margin: 0; }
header, main { max-width: 1400px; margin: 0 auto; padding: 0 16px; }
header { padding-top: 16px; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 24px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 12px 0 4px; }
.muted { color: var(--muted); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.summary { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0; }
.stat { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; background: var(--soft); }
.stat b { font-size: 16px; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-weight: 600; font-size: 12px;
  color: #fff; white-space: nowrap; }
.badge.allow { background: var(--allow); } .badge.ask { background: var(--ask); }
.badge.deny { background: var(--deny); } .badge.block { background: var(--deny); }
.badge.none { background: var(--muted); }
.verify-ok { border-left: 4px solid var(--allow); padding: 6px 10px; background: #dafbe1; }
.verify-bad { border-left: 4px solid var(--deny); padding: 6px 10px; background: var(--denybg); }
.timeline { border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
.lane { display: grid; grid-template-columns: 220px 1fr; align-items: center; gap: 8px; margin: 4px 0; }
.track { position: relative; height: 22px; background: var(--soft); border-radius: 4px; }
.span { position: absolute; top: 9px; height: 4px; background: var(--line); border-radius: 2px; }
.mark { position: absolute; top: 4px; width: 8px; height: 14px; margin-left: -4px; border-radius: 2px;
  background: var(--allow); opacity: .8; }
.mark.ask { background: var(--ask); opacity: 1; }
.mark.deny { background: var(--deny); opacity: 1; z-index: 2; }
.controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0; position: sticky;
  top: 0; background: var(--bg); padding: 6px 0; z-index: 5; }
.controls[hidden] { display: none; }
.controls button { border: 1px solid var(--line); background: var(--soft); border-radius: 6px;
  padding: 4px 10px; cursor: pointer; font: inherit; }
.controls button[aria-pressed="true"] { background: var(--ink); color: #fff; }
.controls input, .controls select { font: inherit; padding: 4px 8px; border: 1px solid var(--line);
  border-radius: 6px; }
.controls input { min-width: 260px; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { text-align: left; vertical-align: top; padding: 4px 6px; border-bottom: 1px solid var(--line);
  overflow-wrap: anywhere; }
th { background: var(--soft); position: sticky; top: 44px; z-index: 1; }
tr.d-deny td { background: var(--denybg); } tr.d-ask td { background: var(--askbg); }
tr:target td { outline: 2px solid #0969da; }
col.c-seq { width: 52px; } col.c-time { width: 86px; } col.c-session { width: 120px; }
col.c-tool { width: 92px; } col.c-decision { width: 120px; } col.c-rule { width: 26%; }
details summary { cursor: pointer; }
details .effects td, details .effects th { font-size: 12.5px; position: static; }
col.e-kind { width: 64px; } col.e-target { width: 45%; } col.e-decision { width: 72px; }
.finding { border-left: 3px solid var(--deny); padding-left: 6px; margin: 4px 0; }
ul.plain { margin: 4px 0; padding-left: 18px; }
.hidden-by-filter { display: none; }
@media (max-width: 900px) { .lane { grid-template-columns: 1fr; } col.c-rule { width: 30%; }
  col.c-session { width: 80px; } }
@media print { .controls { display: none; } }
"""

SCRIPT = """
(function () {
  'use strict';
  var controls = document.getElementById('controls');
  if (!controls) { return; }
  controls.hidden = false;
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.action'));
  var state = { decision: 'all', session: '', q: '' };
  var buttons = Array.prototype.slice.call(controls.querySelectorAll('button[data-filter]'));
  var search = document.getElementById('search');
  var session = document.getElementById('session');
  var shown = document.getElementById('shown');
  function matches(row) {
    var d = state.decision;
    if (d === 'findings') { if (row.getAttribute('data-findings') === '0') { return false; } }
    else if (d !== 'all' && row.getAttribute('data-decision') !== d) { return false; }
    if (state.session && row.getAttribute('data-session') !== state.session) { return false; }
    if (state.q && row.textContent.toLowerCase().indexOf(state.q) < 0) { return false; }
    return true;
  }
  function apply() {
    var n = 0;
    rows.forEach(function (row) {
      var ok = matches(row);
      row.classList.toggle('hidden-by-filter', !ok);
      if (ok) { n += 1; }
    });
    buttons.forEach(function (b) {
      b.setAttribute('aria-pressed', b.getAttribute('data-filter') === state.decision ? 'true' : 'false');
    });
    shown.textContent = n + ' of ' + rows.length + ' actions shown';
  }
  buttons.forEach(function (b) {
    b.addEventListener('click', function () { state.decision = b.getAttribute('data-filter'); apply(); });
  });
  search.addEventListener('input', function () { state.q = search.value.trim().toLowerCase(); apply(); });
  session.addEventListener('change', function () { state.session = session.value; apply(); });
  apply();
})();
"""


def script_hash() -> str:
    """The CSP source for :data:`SCRIPT` (``'sha256-...'``)."""
    digest = hashlib.sha256(SCRIPT.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy() -> str:
    return ("default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; "
            f"script-src {script_hash()}; base-uri 'none'; form-action 'none'; connect-src 'none'")
