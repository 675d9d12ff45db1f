"""Secret findings: rule per kind family, masking, placeholders, code vs configuration, test code."""

from __future__ import annotations

from scan_helpers import AWS_KEY_ID, GITHUB_TOKEN, STRIPE_KEY, write

_BODY = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
PEM = "-----BEGIN RSA " + "PRIVATE KEY-----\n" + _BODY * 3 + "-----END RSA " + "PRIVATE KEY-----\n"


def scan(env, *paths: str, low: bool = False) -> list[tuple[str, str, int, str, str]]:
    args = ["scan", "--format", "json", *(["--min-confidence", "low"] if low else []), *paths]
    result = env.run(*args)
    assert result.code in (0, 1), result.stderr
    for secret in (GITHUB_TOKEN, AWS_KEY_ID, STRIPE_KEY, "q8ZfT3mK9vLw2XpR7sNc", "Tr0ub4dor&3x!"):
        assert secret not in result.stdout, "a secret leaked into the report"
    return [(f["rule_id"], f["path"], f["line"], f["confidence"], f["message"])
            for f in result.json()["findings"]]


def test_each_family_has_its_rule_and_a_masked_message(env):
    write(env.workspace, "deploy/keys.pem", "# deploy key\n" + PEM)
    write(env.workspace, "deploy/app.env", (
        f"STRIPE_KEY={STRIPE_KEY}\nDB_PASSWORD=Tr0ub4dor&3x!\nSERVICE_API_TOKEN=q8ZfT3mK9vLw2XpR7sNc\n"))
    got = scan(env)
    assert [(r, p, line) for r, p, line, _, _ in got] == [
        ("BS-SECRET-TOKEN", "deploy/app.env", 1), ("BS-SECRET-PASSWORD", "deploy/app.env", 2),
        ("BS-SECRET-GENERIC", "deploy/app.env", 3), ("BS-SECRET-KEY", "deploy/keys.pem", 2)]
    messages = {r: m for r, _, _, _, m in got}
    assert "(stripe-key): sk_l******** (" in messages["BS-SECRET-TOKEN"]
    assert "(password-assignment): ********" in messages["BS-SECRET-PASSWORD"]
    assert "(token-assignment): ********" in messages["BS-SECRET-GENERIC"]
    assert "PRIVATE KEY----- block" in messages["BS-SECRET-KEY"]


def test_private_key_finding_spans_the_block(env):
    write(env.workspace, "k.pem", PEM)
    result = env.run("scan", "--format", "json", "k.pem")
    (f,) = result.json()["findings"]
    assert (f["rule_id"], f["line"], f["end_line"], f["severity"]) == ("BS-SECRET-KEY", 1, 5, "critical")


def test_placeholders_and_references_are_not_secrets(env):
    write(env.workspace, "settings.py", (
        'import os\nPASSWORD = os.environ["DB_PASSWORD"]\napi_key = "<your-api-key>"\n'
        'token = "${API_TOKEN}"\nsecret = "changeme"\npassword = get_password()\n'))
    write(env.workspace, ".env.example", "API_TOKEN=xxxxxxxxxxxxxxxx\nDB_PASSWORD=EXAMPLE\n")
    assert scan(env) == []


def test_unquoted_values_in_code_are_expressions_but_literals_in_config(env):
    write(env.workspace, "lexer.py", "token_type = next_token_kind\nself_token = Q8zfT3mK9vLw2XpR7sNc\n")
    write(env.workspace, "svc.ini", "[svc]\napi_token = Q8zfT3mK9vLw2XpR7sNc\n")
    got = scan(env)
    assert [(r, p, line) for r, p, line, _, _ in got] == [("BS-SECRET-GENERIC", "svc.ini", 2)]


def test_word_like_generic_values_are_names_not_tokens(env):
    write(env.workspace, "parser.py", "token_type = 'quoted-string'\nauth_token = 'q8ZfT3mK9vLw2XpR7sNc'\n")
    got = scan(env)
    assert [(r, line) for r, _, line, _, _ in got] == [("BS-SECRET-GENERIC", 2)]


def test_passwords_in_test_code_are_low_confidence_but_tokens_are_not(env):
    write(env.workspace, "tests/test_login.py", (
        f'PASSWORD = "Tr0ub4dor&3x!"\nTOKEN = "{GITHUB_TOKEN}"\n'))
    assert [(r, line) for r, _, line, _, _ in scan(env)] == [("BS-SECRET-TOKEN", 2)]
    low = scan(env, low=True)
    assert [(r, line, c) for r, _, line, c, _ in low] == [
        ("BS-SECRET-PASSWORD", 1, "low"), ("BS-SECRET-TOKEN", 2, "high")]


def test_lock_files_are_not_searched(env):
    lock = f'{{"integrity": "sha512-{GITHUB_TOKEN}", "t": "{GITHUB_TOKEN}"}}\n'
    write(env.workspace, "package-lock.json", lock)
    assert scan(env) == []
