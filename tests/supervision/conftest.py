import pytest

from tests.reports.helpers import add_heads


@pytest.fixture
def world(world):
    return add_heads(world)
