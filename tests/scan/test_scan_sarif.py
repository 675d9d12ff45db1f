"""SARIF 2.1.0 output: the schema's required fields and what GitHub code scanning reads."""

from __future__ import annotations

from typing import Any

from scan_helpers import GITHUB_TOKEN, write


def _require(obj: dict[str, Any], where: str, *fields: str) -> None:
    missing = [f for f in fields if f not in obj]
    assert not missing, f"{where}: missing required {missing}"


def _message(obj: dict[str, Any], where: str) -> None:
    assert isinstance(obj, dict) and isinstance(obj.get("text"), str) and obj["text"], where


def validate_sarif(doc: dict[str, Any]) -> None:
    """The required properties of the SARIF 2.1.0 schema (sarifLog, run, tool, toolComponent,
    reportingDescriptor, result, message, location, physicalLocation, region, invocation,
    notification), plus what GitHub requires of them."""
    _require(doc, "sarifLog", "version", "runs")
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].startswith("https://")
    assert isinstance(doc["runs"], list) and doc["runs"]
    for run in doc["runs"]:
        _require(run, "run", "tool")
        driver = run["tool"]["driver"]
        _require(driver, "toolComponent", "name")
        rule_ids = []
        for rule in driver.get("rules", []):
            _require(rule, "reportingDescriptor", "id")
            rule_ids.append(rule["id"])
            _message(rule["shortDescription"], "rule.shortDescription")
            _message(rule["fullDescription"], "rule.fullDescription")
            _message(rule["help"], "rule.help")
            assert rule["helpUri"].startswith("https://") and rule["helpUri"].endswith(f"/{rule['id']}.md")
            props = rule["properties"]
            assert 0.0 < float(props["security-severity"]) <= 10.0
            assert "security" in props["tags"]
            assert any(t.startswith("external/cwe/cwe-") for t in props["tags"])
        assert len(rule_ids) == len(set(rule_ids)), "one SARIF rule per rule id"
        for invocation in run.get("invocations", []):
            _require(invocation, "invocation", "executionSuccessful")
            for note in invocation.get("toolExecutionNotifications", []):
                _require(note, "notification", "message")
                _message(note["message"], "notification.message")
        for result in run.get("results", []):
            _require(result, "result", "message")
            _message(result["message"], "result.message")
            assert result["ruleId"] in rule_ids
            assert rule_ids[result["ruleIndex"]] == result["ruleId"]
            assert result["level"] in ("none", "note", "warning", "error")
            assert result["locations"], "GitHub needs at least one location"
            for location in result["locations"]:
                physical = location["physicalLocation"]
                _require(physical, "physicalLocation", "artifactLocation")
                assert physical["artifactLocation"]["uri"]
                region = physical["region"]
                assert region["startLine"] >= 1 and region["endLine"] >= region["startLine"]


def test_sarif_structure_and_rule_metadata(env):
    write(env.workspace, "a.env", f"TOKEN={GITHUB_TOKEN}\n")
    write(env.workspace, "sub/b.env", f"# note\nTOKEN2={GITHUB_TOKEN}x\nTOKEN3={GITHUB_TOKEN}\n")
    write(env.workspace, "c.py", "# blastshield: ignore[BS-SECRET-TOKEN]\n")  # a suppression error
    result = env.run("scan", "--format", "sarif")
    assert result.code == 1
    doc = result.json()
    validate_sarif(doc)
    run = doc["runs"][0]
    assert run["tool"]["driver"]["name"] == "blastshield"
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["BS-SECRET-TOKEN"]
    assert rules[0]["properties"]["tags"] == ["security", "external/cwe/cwe-798"]
    assert rules[0]["properties"]["security-severity"] == "8.0"
    got = [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"], r["level"]) for r in run["results"]]
    assert got == [("BS-SECRET-TOKEN", "a.env", 1, "error"), ("BS-SECRET-TOKEN", "sub/b.env", 2, "error"),
                   ("BS-SECRET-TOKEN", "sub/b.env", 3, "error")]
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
               for r in run["results"])
    fingerprints = [r["partialFingerprints"]["blastshield/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == 3
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("has no reason" in n["message"]["text"] for n in notes)
    assert GITHUB_TOKEN not in result.stdout


def test_sarif_of_clean_scan_is_valid_and_empty(env):
    write(env.workspace, "a.txt", "hello\n")
    result = env.run("scan", "--format", "sarif", "a.txt")
    assert result.code == 0
    doc = result.json()
    validate_sarif(doc)
    assert doc["runs"][0]["results"] == [] and doc["runs"][0]["tool"]["driver"]["rules"] == []
