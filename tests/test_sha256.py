"""blastshield.sha256 gives hashlib's digests without importing hashlib."""

import hashlib
import subprocess
import sys

import pytest

from blastshield.sha256 import sha256, sha256_hex


@pytest.mark.parametrize("data", [b"", b"abc", b"x" * 100_000, "é\u2028".encode()])
def test_same_digest_as_hashlib(data: bytes) -> None:
    assert sha256_hex(data) == hashlib.sha256(data).hexdigest()
    assert sha256(data).digest() == hashlib.sha256(data).digest()


def test_the_hook_path_chain_does_not_import_hashlib() -> None:
    code = ("import sys; import blastshield.audit.chain, blastshield.audit.store; "
            "print('hashlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_process_that_hashes_a_lot_switches_to_openssl_with_the_same_digests() -> None:
    code = ("import sys, hashlib as h\n"
            "import blastshield.sha256 as s\n"
            "assert s.sha256 is not h.sha256\n"
            "for i in range(s.SWITCH_AFTER + 5):\n"
            "    data = str(i).encode() * 50\n"
            "    assert s.sha256_hex(data) == h.sha256(data).hexdigest()\n"
            "print(s.sha256 is h.sha256)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
