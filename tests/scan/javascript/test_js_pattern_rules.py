"""Pattern rules (no data flow): each with vulnerable cases and look-alikes that must stay clean."""

from __future__ import annotations

from js_helpers import findings, hits, line_of, rule_ids

from blastshield.scan.finding import Confidence


def test_math_random_for_tokens_and_id_generators():
    src = """
        const resetToken = Math.random().toString(36).slice(2);  // TOKEN
        function makeId(n) {
          let out = '';
          for (let i = 0; i < n; i++) out += CHARS.charAt(Math.floor(Math.random() * CHARS.length));  // GEN
          return out;
        }
    """
    found = findings(src)
    got = {(f.rule_id, f.line, f.confidence) for f in found}
    assert ("BS-JS-338", line_of(src, "// TOKEN"), Confidence.HIGH) in got
    assert ("BS-JS-338", line_of(src, "// GEN")) in {(f.rule_id, f.line) for f in found}


def test_math_random_for_visuals_is_low_confidence_only():
    src = """
        const x = Math.random() * canvas.width;
        setTimeout(tick, 100 + Math.random() * 50);
    """
    assert rule_ids(src) == set()
    assert rule_ids(src, minimum=Confidence.LOW) == {"BS-JS-338"}


def test_fast_hash_of_password_and_weak_hash_elsewhere():
    src = """
        const crypto = require('crypto');
        function store(password) {
          return crypto.createHash('sha256').update(password).digest('hex');  // PW
        }
        const etag = crypto.createHash('md5').update(body).digest('hex');  // MD5
        const sum = crypto.createHash('sha256').update(body).digest('hex');
    """
    assert hits(src) == {("BS-JS-916", line_of(src, "// PW")), ("BS-JS-328", line_of(src, "// MD5"))}


def test_weak_cipher_static_iv_and_good_cipher():
    src = """
        const crypto = require('crypto');
        const a = crypto.createCipheriv('des-cbc', key, iv);  // DES
        const b = crypto.createCipheriv('aes-128-ecb', key, null);  // ECB
        const FIXED_IV = Buffer.alloc(16, 0);
        const c = crypto.createCipheriv('aes-128-cbc', key, FIXED_IV);  // IV
        const d = crypto.createCipheriv('aes-256-gcm', key, crypto.randomBytes(12));
    """
    assert hits(src) == {("BS-JS-327", line_of(src, "// DES")), ("BS-JS-327", line_of(src, "// ECB")),
                         ("BS-JS-329", line_of(src, "// IV"))}


def test_constant_salt_and_random_salt():
    src = """
        const crypto = require('crypto');
        const SALT = Buffer.from('d61086db351ee47cfb490d90e6e61e72', 'hex');
        const a = crypto.pbkdf2Sync(password, SALT, 100000, 32, 'sha256');  // CONST
        const b = crypto.pbkdf2Sync(password, crypto.randomBytes(16), 100000, 32, 'sha256');
    """
    assert hits(src) == {("BS-JS-760", line_of(src, "// CONST"))}


def test_weak_key_sizes():
    src = """
        const { generateKeyPairSync } = require('crypto');
        const NodeRSA = require('node-rsa');
        const a = generateKeyPairSync('dsa', { modulusLength: 1024 });  // DSA
        const b = new NodeRSA({ b: 512 });  // NODERSA
        const c = generateKeyPairSync('rsa', { modulusLength: 3072 });
    """
    assert hits(src) == {("BS-JS-326", line_of(src, "// DSA")), ("BS-JS-326", line_of(src, "// NODERSA"))}


def test_jwt_decode_none_algorithm_and_proper_verify():
    src = """
        const jwt = require('jsonwebtoken');
        const claims = jwt.decode(token);  // DECODE
        const a = jwt.verify(token, key, { algorithms: ['none', 'HS256'] });  // NONE
        const b = jwt.verify(token, key, { ignoreExpiration: true });  // EXP
        const c = jwt.verify(token, key, { algorithms: ['HS256'] });
    """
    found = {(f.rule_id, f.line, f.confidence) for f in findings(src)}
    assert found == {("BS-JS-347", line_of(src, "// DECODE"), Confidence.MEDIUM),
                     ("BS-JS-347", line_of(src, "// NONE"), Confidence.HIGH),
                     ("BS-JS-347", line_of(src, "// EXP"), Confidence.MEDIUM)}


def test_tls_verification_off():
    src = """
        const agent = new https.Agent({ rejectUnauthorized: false });  // AGENT
        process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';  // ENV
        const ok = new https.Agent({ rejectUnauthorized: true });
    """
    assert hits(src) == {("BS-JS-295", line_of(src, "// AGENT")), ("BS-JS-295", line_of(src, "// ENV"))}


def test_hard_coded_secrets_without_printing_them():
    secret = "q8Zr4Vt1" + "Lm9Nx2Wc7Bv5"
    src = f"""
        const config = {{ apiKey: '{secret}' }};  // KEY
        const dbPassword = '{secret}';  // PW
        const a = {{ password: process.env.DB_PASSWORD }};
        const b = {{ password: 'changeme' }};
        const c = {{ apiKey: 'your-api-key-here' }};
        const passwordField = 'password';
        const tokenHeader = 'X-Auth-Token';
    """
    found = findings(src)
    assert {(f.rule_id, f.line) for f in found} == {("BS-JS-798", line_of(src, "// KEY")),
                                                    ("BS-JS-798", line_of(src, "// PW"))}
    assert all(secret not in f.message for f in found)


def test_prototype_pollution_merges_and_recursive_helper():
    src = """
        const _ = require('lodash');
        app.post('/settings', (req, res) => {
          _.merge(settings, req.body);  // MERGE
          Object.assign(user, req.body);  // ASSIGN
          _.merge(settings, { theme: 'dark' });
        });
        function deepMerge(target, source) {
          for (const key in source) {  // LOOP
            if (typeof source[key] === 'object') deepMerge(target[key] = target[key] || {}, source[key]);
            else target[key] = source[key];
          }
          return target;
        }
        function safeMerge(target, source) {
          for (const key in source) {
            if (key === '__proto__' || key === 'constructor') continue;
            if (typeof source[key] === 'object') safeMerge(target[key] = target[key] || {}, source[key]);
            else target[key] = source[key];
          }
        }
    """
    rule = "BS-JS-1321-proto-pollution"
    found = {(f.rule_id, f.line, f.confidence) for f in findings(src) if f.rule_id == rule}
    assert found == {(rule, line_of(src, "// MERGE"), Confidence.HIGH),
                     (rule, line_of(src, "// ASSIGN"), Confidence.MEDIUM),
                     (rule, line_of(src, "// LOOP"), Confidence.MEDIUM)}


def test_timing_unsafe_comparison_of_secrets():
    src = """
        function check(user, password) {
          if (user.password !== password) return false;  // PW
          if (req.headers['x-signature'] === expectedSignature) accept();  // SIG
          if (token === null || token === '') return false;
          if (password.length === 0) return false;
          return true;
        }
    """
    assert hits(src) == {("BS-JS-208", line_of(src, "// PW")), ("BS-JS-208", line_of(src, "// SIG"))}


def test_postmessage_wildcard_and_listener_without_origin_check():
    src = """
        frame.contentWindow.postMessage({ token }, '*');  // STAR
        frame.contentWindow.postMessage({ token }, 'https://app.example.com');
        window.addEventListener('message', (e) => run(e.data));  // LISTEN
        window.addEventListener('message', (e) => { if (e.origin !== ORIGIN) return; run(e.data); });
    """
    assert hits(src) == {("BS-JS-345-postmessage", line_of(src, "// STAR")),
                         ("BS-JS-345-postmessage", line_of(src, "// LISTEN"))}


def test_buffer_apis():
    src = """
        const a = new Buffer(size);  // NEW
        const b = Buffer.from(text);
        const len = buf.readUInt16BE(offset, true);  // NOASSERT
        const ok = buf.readUInt16BE(offset);
        const raw = Buffer.allocUnsafe(n);  // UNSAFE
    """
    assert hits(src) == {("BS-JS-770-new-buffer", line_of(src, "// NEW")),
                         ("BS-JS-119-buffer-noassert", line_of(src, "// NOASSERT"))}
    assert ("BS-JS-908-alloc-unsafe", line_of(src, "// UNSAFE")) in hits(src, minimum=Confidence.LOW)


def test_cleartext_http_but_not_localhost_or_https():
    src = """
        fetch('http://api.weather.net/v1/today');  // HTTP
        fetch('http://localhost:3000/health');
        fetch('https://api.weather.net/v1/today');
        const ws = new WebSocket('ws://chat.weather.net/socket');  // WS
    """
    assert hits(src) == {("BS-JS-319", line_of(src, "// HTTP")), ("BS-JS-319", line_of(src, "// WS"))}


def test_host_checked_by_substring():
    src = """
        function allowed(target, domain) {
          const url = new URL(target);
          if (url.hostname.includes(domain)) return true;  // INCLUDES
          if (url.hostname.endsWith(domain)) return true;  // ENDS
          return url.hostname === domain || url.hostname.endsWith(`.${domain}`);
        }
    """
    assert hits(src) == {("BS-JS-020-host-check", line_of(src, "// INCLUDES")),
                         ("BS-JS-020-host-check", line_of(src, "// ENDS"))}


def test_nested_quantifier_regex_literals():
    src = """
        const email = /^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}(?:\\.[a-z]{2,})*$/;  // EMAIL
        const words = new RegExp('^(\\\\w+\\\\s?)*$');  // WORDS
        const ip = /^(\\d{1,3}\\.){3}\\d{1,3}$/;
        const simple = /^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$/;
    """
    assert hits(src) == {("BS-JS-1333-redos", line_of(src, "// EMAIL")),
                         ("BS-JS-1333-redos", line_of(src, "// WORDS"))}


def test_computed_property_path_from_request_pollutes_prototype():
    src = """
        app.post('/config', (req, res) => {
          const { section, key, value } = req.body;
          config[section][key] = value;  // PATH
          config.themes[0] = value;
          res.end();
        });
    """
    found = {(f.rule_id, f.line, f.confidence) for f in findings(src)}
    assert found == {("BS-JS-1321-proto-pollution", line_of(src, "// PATH"), Confidence.HIGH)}


def test_literal_jwt_and_hmac_keys():
    src = """
        const jwt = require('jsonwebtoken');
        const crypto = require('crypto');
        const token = jwt.sign({ sub: id }, 'secret');  // SIGN
        const claims = jwt.verify(token, 'my-dev-key', { algorithms: ['HS256'] });  // VERIFY
        const mac = crypto.createHmac('sha256', 'k3y!').update(body).digest('hex');  // HMAC
        const ok = jwt.sign({ sub: id }, process.env.JWT_SECRET, { expiresIn: '1h' });
    """
    found = {(f.rule_id, f.line, f.confidence) for f in findings(src)}
    for marker in ("// SIGN", "// VERIFY", "// HMAC"):
        assert ("BS-JS-798", line_of(src, marker), Confidence.HIGH) in found
    assert all("secret'" not in f.message and "my-dev-key" not in f.message for f in findings(src))


def test_permissive_file_modes():
    src = """
        const fs = require('fs');
        function saveSecretFile(dir, name, content) {
          fs.writeFileSync(dir + '/' + name, content);
          fs.chmodSync(dir + '/' + name, 0o660);  // GROUP
        }
        fs.mkdirSync('/tmp/shared', { mode: 0o777 });  // WORLD
        fs.writeFileSync('id_rsa', key, { mode: 0o644 });  // KEY
        fs.chmodSync('public/index.html', 0o644);
        fs.writeFileSync('token.json', data, { mode: 0o600 });
    """
    got = {(f.rule_id, f.line) for f in findings(src) if f.rule_id == "BS-JS-732"}
    assert got == {("BS-JS-732", line_of(src, "// GROUP")), ("BS-JS-732", line_of(src, "// WORLD")),
                   ("BS-JS-732", line_of(src, "// KEY"))}
