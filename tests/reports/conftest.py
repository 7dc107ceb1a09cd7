"""The shared ``world`` plus a head for each division that reviews filings (the shared world has
only the Policy head)."""

import pytest

from .helpers import add_heads


@pytest.fixture
def world(world):
    return add_heads(world)
