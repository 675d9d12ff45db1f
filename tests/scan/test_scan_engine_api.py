"""The engine's Python API (used by the write-time hook) and the process pool on large trees."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from scan_helpers import GITHUB_TOKEN, STRIPE_KEY, write

from blastshield.errors import ScanError
from blastshield.scan.engine import ANALYZERS, ScanOptions, scan_file, scan_paths
from blastshield.scan.finding import Confidence, Severity


def test_scan_file_returns_plain_data_for_content_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    source = f'# blastshield: ignore[BS-SECRET-TOKEN] revoked\nA = "{STRIPE_KEY}"\nB = "{GITHUB_TOKEN}"\n'
    result = scan_file(str(tmp_path / "pkg" / "settings.py"), source.encode(), ScanOptions())
    assert [(f.rule_id, f.path, f.line, f.severity, f.confidence) for f in result.findings] == [
        ("BS-SECRET-TOKEN", "pkg/settings.py", 3, Severity.HIGH, Confidence.HIGH)]
    assert result.suppressed == 1 and result.files == 1
    assert result.findings[0].fingerprint
    assert result.failing(Severity.HIGH) == result.findings
    assert result.failing(Severity.CRITICAL) == ()


def test_scan_file_thresholds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    source = b"service:\n  api_token: 'q8ZfT3mK9vLw2XpR7sNc'\n"
    assert [f.rule_id for f in scan_file("c.yaml", source, ScanOptions()).findings] == ["BS-SECRET-GENERIC"]
    high_only = scan_file("c.yaml", source, ScanOptions(min_severity=Severity.HIGH))
    assert high_only.findings == () and high_only.below_threshold == 1


def test_scan_file_skips_binary_content():
    result = scan_file("x.bin", b"\0\0" + GITHUB_TOKEN.encode(), ScanOptions())
    assert result.findings == () and [(s.path, s.error) for s in result.skipped] == [("x.bin", "binary")]


def test_bad_baseline_raises_scan_error(tmp_path: Path):
    with pytest.raises(ScanError, match="no such file"):
        scan_file("a.py", b"x = 1\n", ScanOptions(baseline=str(tmp_path / "missing.json")))


def test_extension_table_covers_both_languages():
    assert {ext for ext, (lang, _) in ANALYZERS.items() if lang == "python"} == {".py", ".pyw"}
    assert {ext for ext, (lang, _) in ANALYZERS.items() if lang == "javascript"} == {
        ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx"}


def test_process_pool_gives_the_same_result_as_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    for i in range(80):
        body = f"TOKEN_{i} = '{GITHUB_TOKEN}'\n" if i % 7 == 0 else f"value_{i} = {i}\n"
        write(tmp_path, f"pkg{i % 4}/mod{i}.txt", body)
    serial = scan_paths(["."], ScanOptions(jobs=1))
    pooled = scan_paths(["."], ScanOptions(jobs=2, pool_threshold=10))
    assert serial.files == pooled.files == 80
    assert pooled.findings == serial.findings
    expected = sorted(f"pkg{i % 4}/mod{i}.txt" for i in range(0, 80, 7))
    assert sorted(f.path for f in pooled.findings) == expected


def test_progress_callback_counts_every_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    for i in range(5):
        write(tmp_path, f"f{i}.txt", "x\n")
    seen: list[tuple[int, int]] = []
    scan_paths(["."], ScanOptions(), progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (5, 5) and len(seen) == 5


def test_symlinked_directory_is_not_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    outside = tmp_path / "outside"
    write(outside, "secret.env", f"T={GITHUB_TOKEN}\n")
    project = tmp_path / "project"
    project.mkdir()
    os.symlink(outside, project / "link")
    monkeypatch.chdir(project)
    assert scan_paths(["."], ScanOptions()).findings == ()
