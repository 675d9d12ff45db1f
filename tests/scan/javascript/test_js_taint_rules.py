"""Taint rules: request data reaching sinks (vulnerable cases) and look-alikes that must stay clean."""

from __future__ import annotations

from js_helpers import findings, hits, line_of, rule_ids

from blastshield.scan.finding import Confidence

# ---- CWE-78 command injection ----------------------------------------------------------------

EXPRESS_EXEC = """
    const express = require('express');
    const { exec } = require('child_process');
    const app = express();
    app.get('/ls', (req, res) => {
      const dir = req.query.dir;
      exec(`ls -l ${dir}`, (err, out) => res.send(out));  // SINK
    });
"""


def test_exec_with_request_data_is_high_confidence_command_injection():
    found = findings(EXPRESS_EXEC)
    sink_line = line_of(EXPRESS_EXEC, "// SINK")
    command = [f for f in found if f.rule_id == "BS-JS-078"]
    assert [(f.line, f.confidence) for f in command] == [(sink_line, Confidence.HIGH)]
    assert "req.query" in command[0].message and "child_process.exec" in command[0].message


def test_execfile_with_argument_array_is_clean():
    src = """
        const { execFile } = require('child_process');
        app.get('/ls', (req, res) => {
          execFile('ls', ['-l', req.query.dir], (err, out) => res.json({ out }));
        });
    """
    assert "BS-JS-078" not in rule_ids(src)


def test_spawn_with_shell_true_is_command_injection():
    src = """
        const cp = require('child_process');
        module.exports = function run(req, res) {
          cp.spawn('git log ' + req.body.ref, { shell: true });  // SINK
        };
    """
    assert ("BS-JS-078", line_of(src, "// SINK")) in hits(src)


def test_exec_of_a_constant_command_is_clean():
    src = """
        const child_process = require('child_process');
        const name = 'dist';
        child_process.exec('tar -czf out.tgz ' + name, () => {});
    """
    assert "BS-JS-078" not in rule_ids(src, minimum=Confidence.LOW)


def test_regex_exec_is_not_child_process_exec():
    src = """
        function parse(input) {
          const m = /(\\d+)/.exec(input);
          return m && m[1];
        }
    """
    assert rule_ids(src, minimum=Confidence.LOW) == set()


# ---- CWE-95 code injection --------------------------------------------------------------------


def test_eval_and_new_function_of_request_data():
    src = """
        app.post('/calc', (req, res) => {
          const expr = req.body.expr;
          res.json({ v: eval(expr) });  // EVAL
          const f = new Function('x', 'return ' + req.query.f);  // FUNC
          setTimeout('run(' + expr + ')', 10);  // TIMEOUT
        });
    """
    found = hits(src)
    for marker in ("// EVAL", "// FUNC", "// TIMEOUT"):
        assert ("BS-JS-095", line_of(src, marker)) in found


def test_json_parse_and_settimeout_with_function_are_clean():
    src = """
        app.post('/calc', (req, res) => {
          const data = JSON.parse(req.body.json);
          setTimeout(() => res.json(data), 10);
          eval('1 + 2');
        });
    """
    assert "BS-JS-095" not in rule_ids(src, minimum=Confidence.LOW)


def test_vm_run_in_context_with_parameter_is_medium():
    src = """
        const vm = require('vm');
        function runUserScript(code) {
          return vm.runInNewContext(code, {});  // SINK
        }
    """
    found = [f for f in findings(src) if f.rule_id == "BS-JS-095"]
    assert [(f.line, f.confidence) for f in found] == [(line_of(src, "// SINK"), Confidence.MEDIUM)]


# ---- CWE-89 SQL injection ---------------------------------------------------------------------


def test_koa_sql_built_with_template_is_injection():
    src = """
        router.get('/users/:id', async (ctx) => {
          const id = ctx.params.id;
          const rows = await db.query(`SELECT * FROM users WHERE id = ${id}`);  // SINK
          ctx.body = rows;
        });
    """
    assert ("BS-JS-089", line_of(src, "// SINK")) in hits(src)


def test_parameterised_query_is_clean():
    src = """
        router.get('/users/:id', async (ctx) => {
          const rows = await db.query('SELECT * FROM users WHERE id = $1', [ctx.params.id]);
          ctx.body = rows;
        });
    """
    assert "BS-JS-089" not in rule_ids(src, minimum=Confidence.LOW)


def test_sqlite_get_with_concatenated_parameters_is_medium():
    src = """
        function getUser(db, username) {
          const q = "SELECT info FROM users WHERE name = '" + username + "'";
          return db.get(q);  // SINK
        }
    """
    found = [f for f in findings(src) if f.rule_id == "BS-JS-089"]
    assert [(f.line, f.confidence) for f in found] == [(line_of(src, "// SINK"), Confidence.MEDIUM)]


def test_map_get_with_a_parameter_is_not_sql():
    src = """
        function lookup(cache, key) {
          return cache.get(key);
        }
    """
    assert rule_ids(src, minimum=Confidence.LOW) == set()


# ---- CWE-22 path traversal --------------------------------------------------------------------


def test_fastify_file_read_from_query_is_traversal():
    src = """
        const fs = require('fs');
        fastify.get('/file', async (request, reply) => {
          const name = request.query.name;
          return fs.readFileSync('/srv/files/' + name, 'utf8');  // SINK
        });
    """
    found = [f for f in findings(src) if f.rule_id == "BS-JS-022"]
    assert [(f.line, f.confidence) for f in found] == [(line_of(src, "// SINK"), Confidence.HIGH)]


def test_basename_and_containment_check_are_clean():
    src = """
        const fs = require('fs');
        const path = require('path');
        app.get('/a', (req, res) => {
          res.send(fs.readFileSync(path.join('/srv/files', path.basename(req.query.name))));
        });
        app.get('/b', (req, res) => {
          const base = path.resolve('/srv/files');
          const full = path.resolve(base, req.query.name);
          if (!full.startsWith(base + path.sep)) {
            return res.status(400).end();
          }
          res.send(fs.readFileSync(full));
        });
    """
    assert "BS-JS-022" not in rule_ids(src, minimum=Confidence.LOW)


def test_send_file_with_request_path_is_traversal():
    src = """
        app.get('/dl', (req, res) => {
          res.sendFile(req.params.file);  // SINK
        });
    """
    assert ("BS-JS-022", line_of(src, "// SINK")) in hits(src)


# ---- CWE-601 open redirect --------------------------------------------------------------------


def test_redirect_to_request_url_and_location_assignment():
    src = """
        app.get('/go', (req, res) => {
          res.redirect(req.query.next);  // SINK
        });
        window.location.href = location.hash.slice(1);  // DOM
    """
    found = hits(src)
    assert ("BS-JS-601", line_of(src, "// SINK")) in found
    assert ("BS-JS-601", line_of(src, "// DOM")) in found


def test_redirect_after_allow_list_check_is_clean():
    src = """
        const ALLOWED = ['/home', '/profile'];
        app.get('/go', (req, res) => {
          const next = req.query.next;
          if (!ALLOWED.includes(next)) {
            return res.redirect('/');
          }
          res.redirect(next);
        });
    """
    assert "BS-JS-601" not in rule_ids(src, minimum=Confidence.LOW)


# ---- CWE-79 XSS -------------------------------------------------------------------------------


def test_reflected_and_dom_xss():
    src = """
        app.get('/hi', (req, res) => {
          res.send('<h1>Hello ' + req.query.name + '</h1>');  // SEND
        });
        document.getElementById('out').innerHTML = location.search;  // INNER
    """
    found = hits(src)
    assert ("BS-JS-079", line_of(src, "// SEND")) in found
    assert ("BS-JS-079", line_of(src, "// INNER")) in found


def test_escaped_output_is_clean():
    src = """
        const escapeHtml = require('escape-html');
        app.get('/hi', (req, res) => {
          res.send('<h1>Hello ' + escapeHtml(req.query.name) + '</h1>');
          res.send('<p>' + DOMPurify.sanitize(req.body.html) + '</p>');
          res.send('id ' + parseInt(req.query.id, 10));
        });
    """
    assert "BS-JS-079" not in rule_ids(src, minimum=Confidence.LOW)


def test_dangerously_set_inner_html_in_tsx():
    src = """
        export function Bio({ html }: { html: string }) {
          return <div dangerouslySetInnerHTML={{ __html: html }} />;  // SINK
        }
        export function Safe({ html }: { html: string }) {
          return <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(html) }} />;
        }
        export const Fixed = () => <span dangerouslySetInnerHTML={{ __html: '&times;' }} />;
    """
    assert hits(src, name="bio.tsx") == {("BS-JS-079", line_of(src, "// SINK"))}


# ---- CWE-1333 regex injection -----------------------------------------------------------------


def test_regexp_from_request_and_escaped_look_alike():
    src = """
        const _ = require('lodash');
        app.get('/search', (req, res) => {
          const re = new RegExp(req.query.q);  // SINK
          const safe = new RegExp(_.escapeRegExp(req.query.q));
          const fixed = new RegExp('^[a-z]+$');
          res.json({ a: re.test('x'), b: safe.test('x'), c: fixed.test('x') });
        });
    """
    found = {h for h in hits(src) if h[0] == "BS-JS-1333"}
    assert found == {("BS-JS-1333", line_of(src, "// SINK"))}


# ---- CWE-918 SSRF -----------------------------------------------------------------------------


def test_fetch_and_axios_to_request_urls():
    src = """
        const axios = require('axios');
        app.get('/proxy', async (req, res) => {
          const r = await fetch(req.query.url);  // FETCH
          const a = await axios.get(req.body.target);  // AXIOS
          res.send('ok');
        });
    """
    found = hits(src)
    assert ("BS-JS-918", line_of(src, "// FETCH")) in found
    assert ("BS-JS-918", line_of(src, "// AXIOS")) in found


def test_fixed_host_url_with_user_path_is_not_ssrf():
    src = """
        app.get('/user', async (req, res) => {
          const id = encodeURIComponent(req.query.id);
          const r = await fetch(`https://api.example.com/users/${id}`);
          const s = await fetch('https://api.example.com/items/' + req.query.item);
          res.json(await r.json());
        });
    """
    assert "BS-JS-918" not in rule_ids(src, minimum=Confidence.LOW)


def test_url_host_allow_list_is_clean():
    src = """
        const HOSTS = ['api.example.com'];
        app.get('/proxy', async (req, res) => {
          const target = new URL(req.query.url);
          if (!HOSTS.includes(target.hostname)) {
            return res.status(400).end();
          }
          res.send(await (await fetch(target)).text());
        });
    """
    assert "BS-JS-918" not in rule_ids(src, minimum=Confidence.LOW)


# ---- CWE-643 XPath ----------------------------------------------------------------------------


def test_xpath_built_from_parameters():
    src = """
        const xpath = require('xpath');
        function find(doc, user) {
          return xpath.select(`//user[name="${user}"]`, doc);  // SINK
        }
    """
    assert ("BS-JS-643", line_of(src, "// SINK")) in hits(src)


# ---- propagation and summaries ----------------------------------------------------------------


def test_helper_summary_upgrades_the_sink_to_high_at_the_call_site():
    src = """
        const { exec } = require('child_process');
        function archive(name) {
          const cmd = ['tar', '-czf', name].join(' ');
          return exec(cmd + '.tgz');  // SINK
        }
        app.post('/archive', (req, res) => {
          archive(req.body.name);  // CALL
          res.end();
        });
    """
    command = [f for f in findings(src) if f.rule_id == "BS-JS-078"]
    assert [(f.line, f.confidence) for f in command] == [(line_of(src, "// SINK"), Confidence.HIGH)]
    assert f"line {line_of(src, '// CALL')}" in command[0].message


def test_propagation_through_destructuring_objects_and_string_methods():
    src = """
        const fs = require('fs');
        app.post('/save', (req, res) => {
          const { file, meta: { dir } } = req.body;
          const opts = { target: dir.trim().toLowerCase() + '/' + file };
          const parts = [opts.target, 'x'];
          fs.writeFileSync(parts[0], 'data');  // SINK
          res.end();
        });
    """
    found = [f for f in findings(src) if f.rule_id == "BS-JS-022"]
    assert [(f.line, f.confidence) for f in found] == [(line_of(src, "// SINK"), Confidence.HIGH)]


def test_numeric_cast_sanitises_everything():
    src = """
        const { exec } = require('child_process');
        app.get('/kill', (req, res) => {
          const pid = Number(req.query.pid);
          exec('kill ' + pid);
          exec(`renice 5 ${parseInt(req.query.other, 10)}`);
          res.end();
        });
    """
    assert "BS-JS-078" not in rule_ids(src, minimum=Confidence.LOW)


def test_next_route_handler_and_page_search_params():
    src = """
        import { exec } from 'child_process';
        export async function POST(request: Request) {
          const body = await request.json();
          exec('convert ' + body.file);  // ROUTE
          return new Response('ok');
        }
        export default function Page({ searchParams }: { searchParams: { q: string } }) {
          return <div dangerouslySetInnerHTML={{ __html: searchParams.q }} />;  // PAGE
        }
    """
    found = findings(src, name="page.tsx")
    got = {(f.rule_id, f.line, f.confidence) for f in found}
    assert ("BS-JS-078", line_of(src, "// ROUTE"), Confidence.HIGH) in got
    assert ("BS-JS-079", line_of(src, "// PAGE"), Confidence.HIGH) in got


def test_typescript_express_handler_with_types():
    src = """
        import { Request, Response } from 'express';
        import * as cp from 'child_process';
        export function handler(req: Request, res: Response): void {
          const host = req.query.host as string;
          cp.execSync(`ping -c 1 ${host}`);  // SINK
          res.end();
        }
    """
    assert ("BS-JS-078", line_of(src, "// SINK")) in hits(src, name="handler.ts")


def test_anchored_regex_validation_is_a_sanitiser():
    src = """
        const { exec } = require('child_process');
        app.get('/ping', (req, res) => {
          const host = req.query.host;
          if (!/^[a-z0-9.-]+$/.test(host)) {
            return res.status(400).end();
          }
          exec('ping -c 1 ' + host);
          res.end();
        });
    """
    assert "BS-JS-078" not in rule_ids(src, minimum=Confidence.LOW)


def test_koa_request_body_cookies_and_headers_are_sources():
    src = """
        const fs = require('fs');
        router.post('/a', async (ctx) => {
          fs.unlinkSync(ctx.request.body.file);  // BODY
          fs.unlinkSync(ctx.cookies.get('last'));  // COOKIE
          fs.unlinkSync(ctx.headers['x-file']);  // HEADER
        });
    """
    found = {(f.rule_id, f.line, f.confidence) for f in findings(src)}
    for marker in ("// BODY", "// COOKIE", "// HEADER"):
        assert ("BS-JS-022", line_of(src, marker), Confidence.HIGH) in found


def test_helper_return_value_carries_request_data_to_the_caller_sink():
    src = """
        const { exec } = require('child_process');
        function buildCommand(target) {
          return 'nslookup ' + target.trim();
        }
        function describe(target) {
          return 'looking up ' + parseInt(target, 10);
        }
        app.get('/dns', (req, res) => {
          exec(buildCommand(req.query.host));  // SINK
          exec(describe(req.query.host));
          res.end();
        });
    """
    command = {(f.line, f.confidence) for f in findings(src) if f.rule_id == "BS-JS-078"}
    assert command == {(line_of(src, "// SINK"), Confidence.HIGH)}


def test_closure_over_request_data_in_a_callback():
    src = """
        const fs = require('fs');
        app.get('/read', (req, res) => {
          const name = req.query.name;
          setImmediate(() => {
            fs.readFile(name, (err, data) => res.end(data));  // SINK
          });
        });
    """
    assert ("BS-JS-022", line_of(src, "// SINK")) in hits(src)


def test_non_router_get_with_a_path_string_is_not_a_route_handler():
    src = """
        $.get('/api/profile', function (data, status) {
          document.getElementById('p').innerHTML = data.bio;
        });
        cache.get('/users', (err, value) => fs.readFileSync(value.file));
    """
    assert rule_ids(src, minimum=Confidence.HIGH) == set()


def test_hono_context_and_next_url_search_params():
    src = """
        import { exec } from 'child_process';
        app.get('/run', (c) => {
          exec('convert ' + c.req.query('file'));  // HONO
          return c.text('ok');
        });
        export async function GET(request) {
          const q = request.nextUrl.searchParams.get('q');
          exec(`grep ${q} /var/log/app.log`);  // NEXT
          return Response.json({});
        }
    """
    found = {(f.rule_id, f.line, f.confidence) for f in findings(src)}
    assert ("BS-JS-078", line_of(src, "// HONO"), Confidence.HIGH) in found
    assert ("BS-JS-078", line_of(src, "// NEXT"), Confidence.HIGH) in found


# ---- CWE-943 NoSQL operator injection, template compilation, deserialisation ----------------


def test_mongo_query_with_request_values_and_cast_look_alikes():
    src = """
        app.post('/login', async (req, res) => {
          const user = await User.findOne({ email: req.body.email, password: req.body.password });  // FIND
          const same = await User.findOne({ email: String(req.body.email) });
          const byTemplate = await db.collection('users').findOne({ name: `${req.query.name}` });
          const all = await User.find(req.query);  // WHOLE
          res.json({ user, same, byTemplate, all });
        });
        async function byEmail(email) {
          return User.findOne({ email });
        }
    """
    found = {(f.rule_id, f.line, f.confidence) for f in findings(src) if f.rule_id == "BS-JS-943-nosql"}
    assert found == {("BS-JS-943-nosql", line_of(src, "// FIND"), Confidence.HIGH),
                     ("BS-JS-943-nosql", line_of(src, "// WHOLE"), Confidence.HIGH)}


def test_template_compiled_from_request_and_node_serialize():
    src = """
        const ejs = require('ejs');
        const serialize = require('node-serialize');
        app.post('/preview', (req, res) => {
          res.send(ejs.render(req.body.template, {}));  // TEMPLATE
          const obj = serialize.unserialize(req.cookies.profile);  // DESER
          res.send(ejs.render('<p><%= name %></p>', { name: req.body.name }));
        });
    """
    found = hits(src)
    assert ("BS-JS-095", line_of(src, "// TEMPLATE")) in found
    assert ("BS-JS-095", line_of(src, "// DESER")) in found
    assert {h for h in found if h[0] == "BS-JS-095"} == {("BS-JS-095", line_of(src, "// TEMPLATE")),
                                                        ("BS-JS-095", line_of(src, "// DESER"))}


def test_nestjs_decorated_parameters_are_request_sources():
    src = """
        import * as fs from 'fs';
        import { exec } from 'child_process';
        @Controller('files')
        export class FilesController {
          constructor(private readonly svc: FilesService) {}
          @Get(':name')
          read(@Param('name') name: string, @Query() q: QueryDto) {
            exec('file ' + q.kind);  // QUERY
            return fs.readFileSync('/srv/' + name);  // PARAM
          }
          helper(name: string) {
            return name.toUpperCase();
          }
        }
    """
    found = {(f.rule_id, f.line, f.confidence) for f in findings(src, name="files.controller.ts")}
    assert ("BS-JS-078", line_of(src, "// QUERY"), Confidence.HIGH) in found
    assert ("BS-JS-022", line_of(src, "// PARAM"), Confidence.HIGH) in found
