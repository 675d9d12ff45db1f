"""Fixture factories for scan tests: fake secrets built at run time (so this repository never
holds a token-shaped string) and small project trees."""

from __future__ import annotations

from pathlib import Path

# Token-shaped values, assembled so no literal token sits in the source.
GITHUB_TOKEN = "gh" + "p_" + "Zq8rT2vXy7LmN4kP9sW3bC6dF1gH5jK0aE2u"
AWS_KEY_ID = "AK" + "IA" + "QZ3TR7WX5YB2NM4K"
STRIPE_KEY = "sk" + "_live_" + "51HqLm9Zx8Vb7Nc6Qw5Er4Ty"


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
