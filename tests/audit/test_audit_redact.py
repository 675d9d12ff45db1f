"""The secret catalog: each format is found and redacted; obvious placeholders are not."""

from __future__ import annotations

import re

import pytest

from blastshield.audit.redact import SECRET_FORMATS, find_secrets, redact_json, redact_text

KEY = b"k" * 32
# Built from parts so this file does not itself look like it leaks real keys.
GH = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6"
CASES = [
    ("aws-access-key-id", "aws configure set aws_access_key_id AKIA" + "QYLPMN5HFIQR7XZT"),
    ("aws-secret-access-key", "aws_secret_access_key = "
     + "wJalrXUtnFEMIK7MDENGbPxRfiCY9a8b7c6d5e4f3g2h"[:40]),
    ("github-token", f"git clone https://{GH}@github.com/o/r"),
    ("github-fine-grained-pat", "github_pat_" + "A1b2C3d4E5f6G7h8I9j0K1" + "_" + "x9Y8z7W6v5U4t3S2r1Q0" * 2
     + "p9O8n7M6l5K4j3I2h1G0f"[:19]),
    ("gitlab-token", "GITLAB=glpat-" + "Xy7wV6uT5sR4qP3oN2mL"),
    ("slack-token", "slack: xoxb-" + "2436813524-1234567890123-Zq8Yx7Wv6Ut5Sr4Qp3On2Ml1"),
    ("slack-webhook", "post to https://hooks.slack.com/services/"
     + "T0A1B2C3D/B4E5F6G7H/q1w2e3r4t5y6u7i8o9p0"),
    ("stripe-key", "stripe.api_key = 'sk_live_" + "51Hx8Yz2Lm3Nq4Rs5Tu6Vw7X'"),
    ("anthropic-api-key", "x-api-key: sk-ant-api03-" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Jh1Gf0Ed9Cb8Aa7Zz6Yy5Xx4Ww3"),
    ("openai-api-key", "OPENAI_API_KEY=sk-proj-" + "Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6"),
    ("google-api-key", "key=AIza" + "SyB1c2D3e4F5g6H7i8J9k0L1m2N3o4P5q6R"),
    ("google-oauth-secret", "client_secret GOCSPX-" + "Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9S"),
    ("private-key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
                    "-----END OPENSSH PRIVATE KEY-----"),
    ("jwt", "Cookie: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
     + "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
    ("url-password", "psql postgresql://admin:" + "S3cr3tPassw0rd@db.internal:5432/app"),
    ("password-assignment", "DB_PASSWORD=" + "hunter22 ./run.sh"),
    ("token-assignment", 'config = {"auth_token": "' + 'q8Zr2Lm4Xp9Wv3Ty"}'),
    ("high-entropy-assignment", "session_cookie=" + "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFi"),
    ("cli-user-password", "curl -u bob:" + "Pa55w0rdZ https://example.org"),
    ("npm-token", "//registry.npmjs.org/:_authToken=npm_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"),
]


@pytest.mark.parametrize(("kind", "text"), CASES, ids=[c[0] for c in CASES])
def test_each_format_is_found_and_redacted(kind: str, text: str) -> None:
    kinds = [m.kind for m in find_secrets(text)]
    assert kind in kinds, kinds
    redacted = redact_text(text, KEY)
    assert re.search(rf"\[REDACTED:{re.escape(kind)}:[0-9a-f]{{8}}\]", redacted), redacted


def test_every_catalog_kind_has_a_case() -> None:
    tested = {kind for kind, _ in CASES}
    untested = {f.kind for f in SECRET_FORMATS} - tested - {"pypi-token", "huggingface-token", "sendgrid-key",
                                                              "google-oauth-token", "auth-header"}
    assert not untested
    assert len({f.kind for f in SECRET_FORMATS}) == len(SECRET_FORMATS)  # kinds are unique ids


@pytest.mark.parametrize("text", [
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
    "api_key: <your-key>",
    "api_key = 'changeme'",
    "token = 'xxxxxxxxxxxxxxxx'",
    "password = ${DB_PASSWORD}",
    "export GITHUB_TOKEN=$GITHUB_TOKEN",
    "password = os.environ['PASSWORD']",
    "token = get_token()",
    "def login(password: str) -> None:",
    "max_tokens=100000000",
    "psql postgresql://admin:${PGPASSWORD}@db/app",
    "bypass=somethingelse",
    "git status && pytest -q tests/",
])
def test_placeholders_and_references_are_not_secrets(text: str) -> None:
    assert find_secrets(text) == []
    assert redact_text(text, KEY) == text


def test_marker_is_stable_per_secret_and_key_but_not_recoverable() -> None:
    a = redact_text(f"push with {GH}", KEY)
    b = redact_text(f"clone {GH} again", KEY)
    other = redact_text(f"push with {GH}", b"other-key-0123456789")
    marker_a = re.search(r"\[REDACTED:[^\]]+\]", a)
    marker_b = re.search(r"\[REDACTED:[^\]]+\]", b)
    assert marker_a and marker_b and marker_a.group() == marker_b.group()
    assert other != a
    assert GH not in a and GH[4:20] not in a


def test_match_positions_lines_and_no_secret_text() -> None:
    text = "line one\nexport TOKEN_X=1\nurl = https://bob:Pa55w0rdZ@example.org/x\n"
    [match] = find_secrets(text)
    assert match.kind == "url-password"
    assert match.line == 3
    assert text[match.start:match.end] == "Pa55w0rdZ"
    assert "Pa55w0rdZ" not in repr(match)


def test_only_the_value_of_an_assignment_is_replaced() -> None:
    out = redact_text("mysql --password 'p@ss w0rd!' -u root", KEY)
    assert out.startswith("mysql --password '[REDACTED:password-assignment:")
    assert out.endswith("' -u root")


def test_redact_json_handles_nested_values_and_secret_field_names() -> None:
    value = {"env": {"API_KEY": "q8Zr2Lm4Xp9Wv3Ty", "HOME": "/home/u"},
             "argv": ["curl", "-u", "bob:Pa55w0rdZ", f"https://x/?t={GH}"], "count": 3, "password": "EXAMPLE"}
    out = redact_json(value, KEY)
    assert out["env"]["API_KEY"].startswith("[REDACTED:secret-field:")
    assert out["env"]["HOME"] == "/home/u"
    assert out["argv"][3].startswith("https://x/?t=[REDACTED:github-token:")
    assert out["argv"][2] == "bob:Pa55w0rdZ"  # a lone list item has no context: a known limit
    assert out["count"] == 3
    assert out["password"] == "EXAMPLE"  # placeholder stays


def test_long_identifier_runs_stay_linear_and_clean() -> None:
    """A large base64 blob full of "key"-like substrings (a file the agent writes) must not send
    the assignment rules into quadratic backtracking, nor be flagged as a secret."""
    import base64

    blob = "data_key" + base64.b64encode(bytes(range(256)) * 800).decode().replace("=", "")
    assert find_secrets(blob) == []
    text = f"export API_TOKEN={GH[4:]}\n" + blob
    [match] = find_secrets(text)
    assert (match.kind, match.line) == ("token-assignment", 1)


def _fields(values: list[object]) -> dict[str, object]:
    return {f"f{n}": value for n, value in enumerate(values)}


def test_record_level_prefilter_agrees_with_redaction() -> None:
    """screen_fields says "nothing to redact" only when redact_json would leave the fields unchanged."""
    from blastshield.audit.screen import screen_fields

    key = b"k" * 32
    clean: list[object] = ["git commit -m 'change 3' && pytest -q tests/",
                           [{"kind": "exec", "target": "pytest -q tests/", "reason": "allowed"}],
                           {"exit_code": 0, "stdout_bytes": 12, "tags": ["a", "b"]}, None, 2.5]
    cleaned, may_hold = screen_fields(_fields(clean), frozenset())
    assert may_hold is False
    assert {name: redact_json(v, key) for name, v in cleaned.items()} == cleaned == _fields(clean)
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    dirty_cases: list[list[object]] = [
        ["ls", [{"kind": "exec", "target": f"curl -H 'x: {token}' example.org"}]],  # nested in a list
        ["ls", {"outcome": {"env": {"DB_PASSWORD": "Zq8vR2mK7pL4"}}}],  # a secret-like field name
        [{"extra": {"headers": {"Cookie": "sid=Zq8vR2mK7pL4"}}}],
        [{"extra": {"token": 2**60}}],  # a number beyond 2**53 is kept as text: text is redacted
        [("ls", f"echo {token}")],  # a tuple
    ]
    for dirty in dirty_cases:
        cleaned, may_hold = screen_fields(_fields(dirty), frozenset())
        assert may_hold is True, dirty
        assert {name: redact_json(v, key) for name, v in cleaned.items()} != cleaned
    # Verbatim fields (ids, enums, hashes) are neither screened nor redacted.
    assert screen_fields({"session_id": token, "action": "ls"}, frozenset({"session_id"}))[1] is False
    assert screen_fields({"session_id": "s", "action": token}, frozenset({"session_id"}))[1] is True


def test_every_hint_is_found_by_the_sufficient_hints() -> None:
    """has_hint uses only the hints that hold no other; each catalog hint still counts."""
    from blastshield.audit.redact import SECRET_FORMATS, has_hint

    for fmt in SECRET_FORMATS:
        for hint in fmt.hints:
            assert has_hint(f"ls /tmp && {hint} x"), hint
    assert not has_hint("git commit -m 'change 3' && pytest -q tests/")


@pytest.mark.parametrize("text", [
    "cursor.execute(\"SELECT * FROM users WHERE name='\" + name + \"' AND password='\" + pw + \"'\")",
    "q = \"UPDATE u SET password='\"+new_pw+\"' WHERE id=\" + str(uid)",
    "sql = 'SELECT 1 FROM t WHERE passwd=\"' || :pw || '\"'",
    "html = '<input name=\"password\" value=\"' + value + '\">'",
    "query = \"... AND password = '%s'\" % (password,)",
])
def test_code_between_two_string_literals_is_not_a_secret(text: str) -> None:
    assert [m.kind for m in find_secrets(text)] == []


@pytest.mark.parametrize("text", [
    'password = "Tr0ub4dor&3+xyz"',
    "DB_PASSWORD='s3cr3t, really'",
    'export PASSWORD="c0rrect-h0rse+battery"',
])
def test_passwords_holding_plus_or_comma_are_still_secrets(text: str) -> None:
    assert [m.kind for m in find_secrets(text)] == ["password-assignment"]
