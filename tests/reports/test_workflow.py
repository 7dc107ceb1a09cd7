"""The workflow's one declaration is what the README, the page's form and the API show."""

from pathlib import Path

from django.urls import reverse

from reports import services, workflow
from reports.forms import TransitionForm

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_shows_the_declared_transitions():
    text = " ".join(README.read_text(encoding="utf-8").split())
    for line in workflow.transition_table().splitlines():
        assert " ".join(line.split()) in text, line


def test_every_transition_has_a_service_a_button_and_an_api_action():
    assert set(services._TRANSITION_SERVICES) == set(workflow.TRANSITIONS)
    assert {value for value, _label in TransitionForm.base_fields["action"].choices} == set(
        workflow.TRANSITIONS
    )
    for name in workflow.TRANSITIONS:
        assert reverse(f"api:filing-{name.replace('_', '-')}", kwargs={"pk": 1}).endswith(
            f"/{name.replace('_', '-')}/"
        )


def test_state_groups_partition_the_states():
    states = set(workflow.FilingState.values)
    assert set(workflow.FINAL) | set(workflow.NOT_FINAL) == states
    assert not set(workflow.FINAL) & set(workflow.NOT_FINAL)
    assert set(workflow.AWAITING_REVIEW) < set(workflow.IN_PROGRESS) <= set(workflow.NOT_FINAL)
    assert workflow.FilingState.RETURNED in workflow.IN_PROGRESS
    for action in workflow.ACTIONS.values():
        for _right, sources in action.grants:
            assert set(sources) <= states, action.name
