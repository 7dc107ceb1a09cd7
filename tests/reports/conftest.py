"""The shared ``world`` plus a head for each division that reviews filings (the shared world has
only the Policy head)."""

import pytest

from .helpers import add_member


@pytest.fixture
def world(world):
    world.head_a = add_member(world, world.div_a, "head-a", role="head")
    world.head_b = add_member(world, world.div_b, "head-b", role="head")
    world.office_head = add_member(world, world.office_div, "office-head", role="head")
    world.personnel_head = add_member(world, world.personnel_div, "personnel-head", role="head")
    world.finance_head = add_member(world, world.finance_div, "finance-head", role="head")
    world.discipline_head = add_member(world, world.discipline_div, "discipline-head", role="head")
    return world
