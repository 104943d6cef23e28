"""Pytest fixtures that start the sandbox; import them into a conftest.py.

    from tests.sandbox_fixtures import sandbox, sandbox_factory  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lookback.sandbox.serve import Sandbox
from lookback.sandbox.testing import SandboxFactory, tiny_world

__all__ = ["sandbox", "sandbox_env", "sandbox_factory", "tiny_world"]


@pytest.fixture
def sandbox_factory() -> Iterator[SandboxFactory]:
    """`sandbox_factory(world=None, knobs=None, routes=None, **knob_changes) -> Sandbox`; all stopped at teardown."""
    factory = SandboxFactory()
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture
def sandbox(sandbox_factory: SandboxFactory) -> Sandbox:
    """A sandbox over `tiny_world()` with default knobs."""
    return sandbox_factory()


@pytest.fixture
def sandbox_env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The default sandbox with its settings (URLs, CA bundle, tokens) exported to the environment."""
    for name, value in sandbox.env().items():
        monkeypatch.setenv(name, value)
    return sandbox
