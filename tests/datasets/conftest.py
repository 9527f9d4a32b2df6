"""Dataset tests run offline: a private cache, no mirror unless a test asks for it, downloads disabled."""
import os

import pytest

MIRROR = os.environ.get("GRADKIT_DATA")


@pytest.fixture(autouse=True)
def _offline(offline_data):
    """Every test here runs offline (see tests/conftest.py)."""


def _mirror_file(name):
    if not MIRROR or not os.path.isfile(os.path.join(MIRROR, name)):
        pytest.skip(f"needs {name} in the GRADKIT_DATA mirror (GRADKIT_DATA={MIRROR or 'unset'})")
    return os.path.join(MIRROR, name)


@pytest.fixture
def mirror_file():
    """mirror_file(name): its path in the GRADKIT_DATA mirror, or skip the test saying why."""
    return _mirror_file


@pytest.fixture
def use_mirror(monkeypatch):
    """Point GRADKIT_DATA at the real mirror for this test."""
    monkeypatch.setenv("GRADKIT_DATA", MIRROR or "")
