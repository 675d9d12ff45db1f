"""Archive members extracted one by one, modes written in decimal, secrets readable by others, and lxml's
default parser."""

from __future__ import annotations

from typing import Any

PyScan = Any  # the `py` fixture from conftest.py


def test_tar_members_extracted_without_a_name_check_are_reported(py: PyScan) -> None:
    code = """import tarfile
def extract_tar(file_name):
    with tarfile.open(file_name) as tar:
        for entry in tar:
            tar.extract(entry, "/tmp/")
"""
    (f,) = py.shown(code)
    assert (f.rule_id, f.line, f.confidence) == ("BS-PY-022-archive", 5, "medium")
    assert "tar.extract()" in f.message


def test_tar_members_checked_first_or_zip_members_are_not_reported(py: PyScan) -> None:
    checked = """import os, tarfile
def extract_tar(tar_path, dest):
    with tarfile.open(tar_path) as tar:
        for entry in tar:
            if os.path.isabs(entry.name) or ".." in entry.name:
                return False
        for entry in tar:
            tar.extract(entry, dest)
"""
    zipped = """import tarfile, zipfile
def unzip(path, dest):
    with zipfile.ZipFile(path) as zf:
        zf.extract("readme.txt", dest)
"""
    assert py.shown(checked) == [] and py.shown(zipped) == []


def test_a_mode_written_in_decimal_is_reported(py: PyScan) -> None:
    code = """import os
os.chmod("secret.txt", 400)
"""
    (f,) = py.shown(code)
    assert (f.rule_id, f.line) == ("BS-PY-732", 2) and "0o620" in f.message


def test_intended_decimal_modes_and_octal_modes_are_not_typos(py: PyScan) -> None:
    code = """import os
os.chmod("report.txt", 420)
os.chmod("report.txt", 0o644)
os.chmod("secret.txt", 0o600)
"""
    assert py.shown(code) == []


def test_a_secret_left_readable_by_others_is_reported(py: PyScan) -> None:
    code = """import os
def save_secret_file(directory, filename, content):
    fd = os.open(f"{directory}/{filename}", os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, content.encode())
"""
    assert ("BS-PY-732", 3) in py.rule_lines(code)


def test_lxml_parser_without_resolve_entities_false_is_reported(py: PyScan) -> None:
    vulnerable = """from lxml import etree
def get_root():
    parser = etree.XMLParser(remove_blank_text=True)
    return etree.parse("/srv/in.xml", parser).getroot()
"""
    fixed = """from lxml import etree
def get_root():
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.parse("/srv/in.xml", parser).getroot()
"""
    assert py.rule_lines(vulnerable) == {("BS-PY-611-parser", 3)}
    assert py.shown(fixed) == []
