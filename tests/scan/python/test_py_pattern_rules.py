"""Rules without taint: each with a vulnerable case (rule id and line) and safe look-alikes."""

from __future__ import annotations

from typing import Any

import pytest

PyScan = Any  # the `py` fixture from conftest.py

VULNERABLE = [
    ("BS-PY-328", 2, "import hashlib\ndigest = hashlib.md5(data).hexdigest()\n"),
    ("BS-PY-916", 3, "import hashlib\ndef store(password):\n"
        "    return hashlib.sha256(password.encode()).hexdigest()\n"),
    ("BS-PY-916", 3, "import hashlib\ndef store(pw_input):\n"
        "    password_hash = hashlib.md5(pw_input).hexdigest()\n"),
    ("BS-PY-338", 3, "import random, string\ndef reset_token():\n"
                     "    return ''.join(random.choice(string.ascii_letters) for _ in range(20))\n"),
    ("BS-PY-295", 2, "import requests\nrequests.get('https://x', verify=False, timeout=3)\n"),
    ("BS-PY-295", 2, "import ssl\nctx = ssl._create_unverified_context()\n"),
    ("BS-PY-798", 1, "API_KEY = 'sk_live_9f8a7b6c5d4e3f2a1b0c9d8e'\n"),
    ("BS-PY-798", 2, "def check(username, password):\n"
        "    return username == 'admin' and password == 'hunter2'\n"),
    ("BS-PY-377", 2, "import tempfile\nname = tempfile.mktemp()\n"),
    ("BS-PY-732", 2, "import os\nos.chmod('/srv/app/config', 0o777)\n"),
    ("BS-PY-489", 3, "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n"),
    ("BS-PY-347", 2, "import jwt\nclaims = jwt.decode(token, options={'verify_signature': False})\n"),
    ("BS-PY-502-yaml", 2, "import yaml\ndata = yaml.load(open('c.yml'))\n"),
    ("BS-PY-022-archive", 3, "import tarfile\nwith tarfile.open(path) as tar:\n"
        "    tar.extractall('/srv/out')\n"),
    ("BS-PY-611-parser", 2, "from lxml import etree\nparser = etree.XMLParser(resolve_entities=True)\n"),
    ("BS-PY-327", 2, "from Crypto.Cipher import DES\ncipher = DES.new(key, DES.MODE_CBC, iv)\n"),
    ("BS-PY-327", 2, "from Crypto.Cipher import AES\ncipher = AES.new(key, AES.MODE_ECB)\n"),
    ("BS-PY-326", 2, "from cryptography.hazmat.primitives.asymmetric import rsa\n"
                     "k = rsa.generate_private_key(public_exponent=65537, key_size=1024)\n"),
    ("BS-PY-079-autoescape", 2, "import jinja2\n"
        "env = jinja2.Environment(loader=jinja2.FileSystemLoader('t'))\n"),
    ("BS-PY-306", 4, "from flask import Flask\napp = Flask(__name__)\n"
        "@app.route('/admin/delete_user', methods=['POST'])\n"
                     "def delete_user():\n    db.delete(request.form['id'])\n    return 'ok'\n"),
]

SAFE = [
    ("BS-PY-328", "import hashlib\ndigest = hashlib.md5(data, usedforsecurity=False).hexdigest()\n"),
    ("BS-PY-328", "import hashlib\ndigest = hashlib.sha256(data).hexdigest()\n"),
    ("BS-PY-916", "import hashlib\ndef store(password, salt):\n"
                  "    return hashlib.pbkdf2_hmac('sha256', password.encode(), salt, 600_000)\n"),
    ("BS-PY-338", "import random\ndef shuffle_deck(cards):\n    random.shuffle(cards)\n    return cards\n"),
    ("BS-PY-338", "import secrets\ndef reset_token():\n    return secrets.token_urlsafe(32)\n"),
    ("BS-PY-295", "import requests\nrequests.get('https://x', verify='/etc/ca.pem', timeout=3)\n"),
    ("BS-PY-798", "import os\nAPI_KEY = os.environ['API_KEY']\n"),
    ("BS-PY-798", "PASSWORD_FIELD = 'password'\npassword = ''\ntoken = '<your token here>'\n"),
    ("BS-PY-798", "def check(password, stored):\n    return password == stored\n"),
    ("BS-PY-377", "import tempfile\nfd, name = tempfile.mkstemp()\n"),
    ("BS-PY-732", "import os\nos.chmod('/srv/app/config', 0o600)\n"),
    ("BS-PY-489", "import os\nfrom flask import Flask\napp = Flask(__name__)\n"
                  "app.run(debug=os.environ.get('DEBUG') == '1')\n"),
    ("BS-PY-347", "import jwt\nclaims = jwt.decode(token, key, algorithms=['HS256'])\n"),
    ("BS-PY-502-yaml", "import yaml\ndata = yaml.safe_load(open('c.yml'))\n"),
    ("BS-PY-502-yaml", "import yaml\ndata = yaml.load(open('c.yml'), Loader=yaml.SafeLoader)\n"),
    ("BS-PY-022-archive", "import tarfile\nwith tarfile.open(path) as tar:\n"
        "    tar.extractall('/srv/out', filter='data')\n"),
    ("BS-PY-022-archive", "import zipfile\nwith zipfile.ZipFile(path) as zf:\n"
        "    zf.extractall('/srv/out')\n"),
    ("BS-PY-611-parser", "from lxml import etree\n"
        "parser = etree.XMLParser(resolve_entities=False, no_network=True)\n"),
    ("BS-PY-327", "from Crypto.Cipher import AES\ncipher = AES.new(key, AES.MODE_GCM)\n"),
    ("BS-PY-326", "from cryptography.hazmat.primitives.asymmetric import rsa\n"
                  "k = rsa.generate_private_key(public_exponent=65537, key_size=3072)\n"),
    ("BS-PY-079-autoescape", "import jinja2\n"
        "env = jinja2.Environment(autoescape=jinja2.select_autoescape())\n"),
    ("BS-PY-306", "from flask import Flask\napp = Flask(__name__)\n"
        "@app.route('/admin/delete_user', methods=['POST'])\n"
                  "@login_required\ndef delete_user():\n    db.delete(request.form['id'])\n"
                      "    return 'ok'\n"),
]


@pytest.mark.parametrize(("rule", "line", "code"), VULNERABLE,
                         ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(VULNERABLE)])
def test_pattern_is_reported(py: PyScan, rule: str, line: int, code: str) -> None:
    assert (rule, line) in py.rule_lines(code)


@pytest.mark.parametrize(("rule", "code"), SAFE, ids=[f"{r}-{i}" for i, (r, _) in enumerate(SAFE)])
def test_safe_look_alike_stays_clean(py: PyScan, rule: str, code: str) -> None:
    assert rule not in {r for r, _ in py.rule_lines(code)}


def test_default_database_password_at_a_login_is_one_medium_finding(py: PyScan) -> None:
    found = py.run("import MySQLdb\ndb = MySQLdb.connect(host='localhost', user='root', passwd='root')\n")
    assert [(f.rule_id, f.line, f.confidence) for f in found] == [("BS-PY-798", 2, "medium")]


def test_secret_value_never_appears_in_the_message(py: PyScan) -> None:
    (f,) = py.shown("API_KEY = 'sk_live_9f8a7b6c5d4e3f2a1b0c9d8e'\n")
    assert "sk_live" not in f.message and "9f8a" not in f.message
    assert f.message == "'API_KEY' is set to a literal credential in the source (32 characters) — anyone " \
                        "with the code has it"


def test_requests_without_timeout_is_only_for_auditors(py: PyScan) -> None:
    found = py.run("import requests\nr = requests.get('https://example.com')\n")
    assert [(f.rule_id, f.line, f.confidence) for f in found] == [("BS-PY-400", 2, "low")]


@pytest.mark.parametrize(("code", "line"), [
    ("def ok(target_url):\n    return 'example.com' in target_url\n", 2),
    ("from urllib.parse import urlparse\ndef ok(u):\n"
     "    return urlparse(u).netloc.endswith('example.com')\n", 3),
    ("import re\nHOST = re.compile(r'^https?://(www|beta).example.com/')\n", 2),
    ("from urllib.parse import urlparse\ndef ok(target, domain):\n"
     "    if urlparse('https://' + domain).netloc in urlparse(target).netloc:\n        return target\n", 3),
])
def test_bypassable_host_checks_are_reported(py: PyScan, code: str, line: int) -> None:
    assert ("BS-PY-020-host-check", line) in py.rule_lines(code)


@pytest.mark.parametrize("code", [
    "from urllib.parse import urlparse\ndef ok(u, d):\n"
    "    n = urlparse(u).netloc\n    return n == d or n.endswith('.' + d)\n",
    "import re\nHOST = re.compile(r'^https?://(www\\.)?example\\.com/')\n",
    "def ok(path):\n    return 'admin' in path\n",
    "from urllib.parse import urlparse\nALLOWED = {'example.com'}\ndef ok(u):\n"
    "    return urlparse(u).netloc in ALLOWED and ':' not in urlparse(u).netloc\n",
])
def test_exact_host_checks_stay_clean(py: PyScan, code: str) -> None:
    assert "BS-PY-020-host-check" not in {r for r, _ in py.rule_lines(code)}


def test_weak_cipher_through_star_import(py: PyScan) -> None:
    code = "from Crypto.Cipher import *\ndef send(key, msg):\n    return DES.new(key).encrypt(msg)\n"
    assert ("BS-PY-327", 3) in py.rule_lines(code)


def test_stack_trace_returned_by_a_route_is_reported(py: Any) -> None:
    code = """from flask import Flask
import traceback, logging
app = Flask(__name__)

@app.route('/bad')
def bad():
    try:
        return compute()
    except Exception as e:
        return traceback.format_exc()

@app.route('/good')
def good():
    try:
        return compute()
    except Exception:
        logging.exception("compute failed")
        return "internal error", 500
"""
    assert py.rule_lines(code) == {("BS-PY-209", 10)}


def test_lxml_parser_loading_a_dtd_is_reported(py: Any) -> None:
    code = """from lxml import etree
def load(path):
    parser = etree.XMLParser(load_dtd=True, dtd_validation=True)
    return etree.parse(path, parser)
"""
    assert ("BS-PY-611-parser", 3) in py.rule_lines(code)


def test_md5_for_a_checksum_or_cache_key_is_low_confidence(py: Any) -> None:
    code = """import hashlib
def digest_file(buffer):
    checksum = hashlib.md5(buffer).hexdigest()
    cache_key = hashlib.sha1(buffer).hexdigest()
    token = hashlib.md5(buffer).hexdigest()
    return checksum, cache_key, token
"""
    found = {(f.rule_id, f.line, f.confidence) for f in py.run(code)}
    assert found == {("BS-PY-328", 3, "low"), ("BS-PY-328", 4, "low"), ("BS-PY-328", 5, "medium")}
