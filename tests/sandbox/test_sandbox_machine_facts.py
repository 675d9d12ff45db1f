"""bubblewrap's version and the Landlock ABI, remembered per boot (sandbox/machine.py): the cached
answers equal a fresh probe, and a stale, foreign or broken cache file is probed again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from blastshield.sandbox import landlock
from blastshield.sandbox.bwrap import find_bwrap
from blastshield.sandbox.machine import FILE_NAME, machine_facts


def _live() -> tuple[str | None, tuple[int, ...] | None, int]:
    info = find_bwrap()
    return (info.path if info else None, info.version if info else None, landlock.abi_version())


def _facts(folder: Path) -> tuple[str | None, tuple[int, ...] | None, int]:
    info, abi = machine_facts(str(folder))
    return (info.path if info else None, info.version if info else None, abi)


def test_first_call_probes_and_writes_then_the_file_answers(tmp_path: Path, launcher: Any) -> None:
    live = _live()
    assert _facts(tmp_path) == live
    lines = (tmp_path / FILE_NAME).read_text().split("\n")
    assert lines[0] == "blastshield-machine-facts 1"
    boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    assert lines[1].startswith(boot + " ")
    assert lines[4] == str(live[2])
    assert _facts(tmp_path) == live  # from the file this time


def test_a_stale_key_is_probed_again_not_believed(tmp_path: Path, launcher: Any) -> None:
    live = _live()
    machine_facts(str(tmp_path))
    path = tmp_path / FILE_NAME
    lines = path.read_text().split("\n")
    # Another boot (or another bubblewrap binary) said: old bubblewrap, no Landlock.
    lines[1] = "00000000-another-boot " + lines[1].split(" ", 1)[1]
    lines[3], lines[4] = "0.4.0", "0"
    path.write_text("\n".join(lines))
    assert _facts(tmp_path) == live
    assert path.read_text().split("\n")[4] == str(live[2])


def test_a_broken_file_is_probed_again(tmp_path: Path, launcher: Any) -> None:
    live = _live()
    path = tmp_path / FILE_NAME
    junks = ("", "blastshield-machine-facts 1\n", "garbage\n\xff\n",
             "blastshield-machine-facts 1\nk\n/x\na.b\nz\n")
    for junk in junks:
        path.write_text(junk)
        assert _facts(tmp_path) == live, junk
