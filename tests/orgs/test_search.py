"""The registry's name search: on PostgreSQL a character-pair index serves it; it must find
exactly what a plain case-insensitive ``contains`` finds, for every kind of term people type."""

import pytest
from django.db import connection

from orgs.forms import OrganizationFilter
from orgs.models import Organization
from orgs.search import pairs_of
from tests.factories import OrganizationFactory

NAMES = [
    "上海市绿化和园林行业协会",
    "上海市园林绿化行业协会（筹）",
    "上海市城市景观协会",
    "上海市花卉协会",
    "上海市林学会",
    "上海市风景园林学会",
    "上海Green城市更新促进会",
    "上海市市容环境卫生行业协会",
    "上海市垃圾分类 与资源利用协会",
    "上海市 A1 环卫装备协会",
    "上海市环境卫生工程设计院（科研所）-专家委员会",
]

TERMS = [
    "园林",  # two characters: the common case
    "绿化",
    "林",  # one character: no pair, plain scan
    "风景园林学会",
    "上海市",
    "green",  # ASCII, other case
    "GREEN城",
    "（筹）",  # full-width punctuation around characters
    "（",  # punctuation only
    "分类 与",  # a space inside the term
    "A1",
    "a1 环",
    "-专家",
    "不存在",
    "园 林",
]


@pytest.fixture
def registry(db):
    for name in NAMES:
        OrganizationFactory(name=name)
    return Organization.objects.all()


@pytest.mark.parametrize("term", TERMS)
def test_name_search_finds_exactly_what_contains_finds(registry, term):
    found = OrganizationFilter({"q": term}, queryset=registry).qs
    expected = {n for n in NAMES if term.lower() in n.lower()}
    assert set(found.values_list("name", flat=True)) == expected


def test_a_two_character_term_reads_the_pair_index_on_postgresql(registry):
    if connection.vendor != "postgresql":
        pytest.skip("the pair index exists on PostgreSQL only")
    with connection.cursor() as cursor:
        # A table this small would be read whole: ask for the plan of a large one.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        qs = OrganizationFilter({"q": "园林"}, queryset=registry).qs.order_by()
        plan = qs.explain()
    assert "orgs_organization_name_bigrams" in plan


def test_pairs_leave_out_punctuation_only_pairs():
    assert pairs_of("园林") == ["园林"]
    assert pairs_of("（筹）") == ["（筹", "筹）"]
    assert pairs_of("（）") == []
    assert pairs_of("林") == []
