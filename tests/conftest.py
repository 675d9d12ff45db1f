"""Shared fixtures (the helpers themselves live in bs_testenv.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bs_testenv import Env, make_env


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    yield make_env(tmp_path)


@pytest.fixture
def env_factory(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Env]:
    return lambda: make_env(tmp_path_factory.mktemp("env"))
