"""Unified social credit codes (GB 32100-2015): parsing, and registration through the service.

Codes are shaped like real ones: ``91350100M000100Y43`` is a real, valid enterprise code; the
others are built with ``make_code`` from a civil-affairs prefix (5 + type digit + Shanghai area
code 310000) and checked against an independent implementation of the standard below.
"""

import unicodedata
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import override

from duties import services as duty_services
from duties.models import DivisionKind, MemberRole
from orgs import credit_code
from orgs import services as org_services
from orgs.credit_code import make_code, parse
from orgs.models import ManagementMode, Organization, OrgStatus, OrgType

User = get_user_model()

REAL_CODE = "91350100M000100Y43"  # a real code; its check character is 3

# GB 32100-2015, table 2 and 3: the character set and the weights 3^(i-1) mod 31, written out.
STANDARD_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
STANDARD_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def standard_check(first17):
    """The check character computed straight from the standard's tables (independent oracle)."""
    total = sum(
        STANDARD_ALPHABET.index(ch) * w for ch, w in zip(first17, STANDARD_WEIGHTS, strict=True)
    )
    return STANDARD_ALPHABET[(31 - total % 31) % 31]


def wrong_check(code):
    """``code`` with a check character that does not match (a plausible typo)."""
    right = code[17]
    wrong = "1" if right != "1" else "2"
    return code[:17] + wrong


# Shanghai social organizations: 5 = civil affairs, then 1 social group, 2 private
# non-enterprise unit, 3 foundation, 9 other; 310000 = Shanghai; MJ + 7 characters.
SOCIAL_GROUP = make_code("51310000MJ4956217")
PRIVATE_NON_ENTERPRISE = make_code("52310000MJ5008734")
FOUNDATION = make_code("53310000MJ1004386")
OTHER = make_code("59310000MJ0012770")
ALL_DIGITS = make_code("51310000500177123")


def messages_of(exc_info):
    exc = exc_info.value
    if hasattr(exc, "error_dict"):
        return [m for errors in exc.message_dict.values() for m in errors]
    return exc.messages


def codes_of(exc_info):
    exc = exc_info.value
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {e.code for e in exc.error_list}


# --- the algorithm -------------------------------------------------------------------------


def test_alphabet_and_weights_are_the_standards():
    assert credit_code.ALPHABET == STANDARD_ALPHABET
    assert credit_code.WEIGHTS == STANDARD_WEIGHTS
    assert not set("IOSVZ") & set(credit_code.ALPHABET)


def test_real_code_is_valid():
    checked = parse(REAL_CODE)
    assert checked.code == REAL_CODE
    assert checked.check_ok is True
    assert checked.expected_check == "3"
    assert checked.looks_truncated is False


@pytest.mark.parametrize(
    "code", [SOCIAL_GROUP, PRIVATE_NON_ENTERPRISE, FOUNDATION, OTHER, ALL_DIGITS]
)
def test_built_codes_match_the_standard_and_pass(code):
    assert code[17] == standard_check(code[:17])
    checked = parse(code)
    assert checked.check_ok is True
    assert checked.code == code


@pytest.mark.parametrize(
    "first17",
    [
        "91350100M000100Y4",
        "51310000MJ4956217",
        "12100000400000624",
        "52310115MJ00000XY",
        "Y1310000MJ0000000",
        "A1310000MJ00000RT",
    ],
)
def test_check_character_agrees_with_the_standard(first17):
    assert credit_code.check_character(first17) == standard_check(first17)


def test_check_value_zero_gives_character_zero():
    # (31 - 0) mod 31 is 0, not 31: the last step of the formula must wrap around.
    first17 = next(
        f"1000000000000000{ch}"
        for ch in STANDARD_ALPHABET
        if standard_check(f"1000000000000000{ch}") == "0"
    )
    assert credit_code.check_character(first17) == "0"
    assert parse(first17 + "0").check_ok is True


@pytest.mark.parametrize("code", [REAL_CODE, SOCIAL_GROUP, FOUNDATION])
def test_every_other_check_character_fails(code):
    for ch in STANDARD_ALPHABET:
        if ch == code[17]:
            continue
        checked = parse(code[:17] + ch)
        assert checked.check_ok is False, ch
        assert checked.expected_check == code[17]


# --- malformed codes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, length",
    [
        (REAL_CODE[:17], 17),
        (REAL_CODE + "3", 19),
        ("91350100M000100Y4300", 20),
        ("91350100", 8),
    ],
)
def test_wrong_length_is_refused_with_the_length(raw, length):
    with override("en"), pytest.raises(ValidationError) as exc_info:
        parse(raw)
    assert codes_of(exc_info) == {"length"}
    (message,) = messages_of(exc_info)
    assert f"has {length} characters" in message
    assert "18" in message


@pytest.mark.parametrize("raw", ["", "   ", "\u3000", None])
def test_empty_code_is_refused(raw):
    with pytest.raises(ValidationError) as exc_info:
        parse(raw)
    assert codes_of(exc_info) == {"required"}


@pytest.mark.parametrize("letter", list("IOSVZ"))
@pytest.mark.parametrize("position", [9, 14, 18])
def test_letters_never_used_are_refused_naming_the_position(letter, position):
    raw = SOCIAL_GROUP[: position - 1] + letter + SOCIAL_GROUP[position:]
    assert len(raw) == 18
    with override("en"), pytest.raises(ValidationError) as exc_info:
        parse(raw)
    assert codes_of(exc_info) == {"character"}
    (message,) = messages_of(exc_info)
    assert f"Character {position} is “{letter}”" in message
    assert "I, O, S, V and Z" in message


@pytest.mark.parametrize(
    "char, position",
    [(".", 18), ("/", 9), ("*", 12), ("（", 17)],
)
def test_punctuation_and_other_characters_are_refused_naming_the_position(char, position):
    raw = SOCIAL_GROUP[: position - 1] + char + SOCIAL_GROUP[position:]
    with override("en"), pytest.raises(ValidationError) as exc_info:
        parse(raw)
    assert codes_of(exc_info) == {"character"}
    (message,) = messages_of(exc_info)
    # Named as NFKC reads it: the full-width bracket is "(".
    assert f"Character {position} is “{unicodedata.normalize('NFKC', char)}”" in message
    assert "only digits and capital letters" in message


def test_the_first_bad_character_is_the_one_named():
    raw = "91350100M0*0100Y/3"
    with override("en"), pytest.raises(ValidationError) as exc_info:
        parse(raw)
    assert "Character 11 is “*”" in messages_of(exc_info)[0]


def test_unknown_registering_department_is_refused():
    raw = make_code("01310000MJ4956217")
    with override("en"), pytest.raises(ValidationError) as exc_info:
        parse(raw)
    assert codes_of(exc_info) == {"department"}
    assert "Character 1 is “0”" in messages_of(exc_info)[0]


def test_civil_affairs_type_must_be_a_known_one():
    raw = make_code("54310000MJ4956217")
    with override("en"), pytest.raises(ValidationError) as exc_info:
        parse(raw)
    assert codes_of(exc_info) == {"org_type"}
    assert "Character 2 is “4”" in messages_of(exc_info)[0]


def test_area_code_must_be_digits():
    raw = make_code("513A0000MJ4956217")
    with pytest.raises(ValidationError) as exc_info:
        parse(raw)
    assert codes_of(exc_info) == {"area"}


# --- normalization ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        REAL_CODE.lower(),
        f"  {REAL_CODE}  ",
        f"\t{REAL_CODE.lower()}\n",
        f"\u3000{REAL_CODE}\u3000",
        "91350100m000100y43",
    ],
)
def test_lower_case_and_surrounding_spaces_are_normalized(raw):
    checked = parse(raw)
    assert checked.code == REAL_CODE
    assert checked.check_ok is True


@pytest.mark.parametrize(
    "typed",
    [
        REAL_CODE[:8] + " " + REAL_CODE[8:],
        REAL_CODE[:6] + "-" + REAL_CODE[6:12] + "－" + REAL_CODE[12:],
        REAL_CODE.translate({ord(c): ord(c) + 0xFEE0 for c in REAL_CODE}),
    ],
    ids=["inner space", "hyphens", "full-width"],
)
def test_inner_spaces_hyphens_and_full_width_forms_are_read_as_the_code(typed):
    assert parse(typed).code == REAL_CODE


def test_an_invisible_character_is_named():
    with override("en"), pytest.raises(ValidationError) as exc_info:
        parse(REAL_CODE[:8] + "\u200b" + REAL_CODE[8:])
    assert codes_of(exc_info) == {"invisible"}
    assert "U+200B" in messages_of(exc_info)[0]


# --- numbers that went through a spreadsheet -------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["5.13100005017712E+17", "5.13100005017712e+17", "5.13100005017712E17", "5E+17"]
)
def test_scientific_notation_is_recognized(raw):
    with override("en"), pytest.raises(ValidationError) as exc_info:
        parse(raw)
    assert codes_of(exc_info) == {"spreadsheet"}
    (message,) = messages_of(exc_info)
    assert "scientific notation" in message
    assert raw.upper() in message


def test_fifteen_digit_number_is_named_as_lost_digits():
    with override("en"), pytest.raises(ValidationError) as exc_info:
        parse("513100005017712")
    assert codes_of(exc_info) == {"length"}
    (message,) = messages_of(exc_info)
    assert "has 15 characters" in message
    assert "last digits were lost" in message


def test_short_code_with_letters_is_not_called_a_lost_number():
    with override("en"), pytest.raises(ValidationError) as exc_info:
        parse(REAL_CODE[:15])
    (message,) = messages_of(exc_info)
    assert "has 15 characters" in message
    assert "lost" not in message


def test_eighteen_digits_ending_in_zeros_parse_but_look_truncated():
    checked = parse("513100005017712000")
    assert checked.check_ok is False
    assert checked.expected_check == standard_check("51310000501771200")
    assert checked.looks_truncated is True


def test_a_valid_all_digit_code_ending_in_zeros_is_not_flagged():
    first17 = next(
        f"5131000050177{n:02d}00"
        for n in range(100)
        if standard_check(f"5131000050177{n:02d}00") == "0"
    )
    checked = parse(first17 + "0")
    assert checked.check_ok is True
    assert checked.code.endswith("000")


# --- registration through the service -------------------------------------------------------


@pytest.fixture
def editors(db):
    """The registry editors only: a bureau admin and the Policy division's staff and head."""
    admin = User.objects.create_user("admin", password="x", is_bureau_admin=True)
    policy_div = duty_services.division_create(
        actor=admin, name="政策法规处（研究室）", kind=DivisionKind.POLICY
    )
    people = SimpleNamespace(admin=admin)
    for username, role in [("policy", MemberRole.STAFF), ("policy_head", MemberRole.HEAD)]:
        user = User.objects.create_user(username, password="x")
        duty_services.membership_add(actor=admin, division=policy_div, user=user, role=role)
        setattr(people, username, user)
    return people


def register(actor, raw, *, name="上海市测试园艺协会", **kwargs):
    return org_services.org_create(
        actor=actor,
        credit_code_raw=raw,
        name=name,
        org_type=OrgType.SOCIAL_GROUP,
        management_mode=ManagementMode.DUAL,
        **kwargs,
    )


def test_valid_code_is_registered_unmarked(editors):
    org = register(editors.policy, SOCIAL_GROUP)
    org.refresh_from_db()
    assert org.credit_code == SOCIAL_GROUP
    assert org.credit_code_check_failed is False
    assert org.credit_code_confirmed_by is None
    created = org.history.get()
    assert created.history_type == "+"
    assert created.history_user == editors.policy


def test_real_code_is_registered(editors):
    # Not a civil affairs registration (character 1 is 9): staff confirm it as issued first.
    with pytest.raises(ValidationError) as exc_info:
        register(editors.admin, REAL_CODE)
    assert codes_of(exc_info) == {"not_civil_affairs"}
    org = register(editors.admin, REAL_CODE, confirm_check_failure=True)
    assert Organization.objects.get(credit_code=REAL_CODE) == org
    org.refresh_from_db()
    assert org.credit_code_check_failed is False  # its check character is right
    assert org.credit_code_confirmed_by == editors.admin


def test_a_damaged_code_is_never_stored_even_confirmed(editors):
    with pytest.raises(ValidationError) as exc_info:
        register(editors.policy, "513100005017712000", confirm_check_failure=True)
    assert codes_of(exc_info) == {"spreadsheet"}
    assert not Organization.objects.filter(credit_code="513100005017712000").exists()


def test_the_confirm_box_is_offered_only_after_its_warning(world, login):
    client = login(world.policy)
    url = reverse("orgs:create")
    page = client.get(url)
    assert "confirm_check_failure" not in page.context["form"].fields
    data = {
        "name": "上海市确认代码协会",
        "credit_code_input": wrong_check(SOCIAL_GROUP),
        "org_type": "social_group",
        "management_mode": "direct",
        "status": "active",
        "registration_authority": "上海市民政局",
        "party_org_type": "none",
    }
    page = client.post(url, data)
    assert page.status_code == 200
    assert "confirm_check_failure" in page.context["form"].fields  # now, with its warning
    page = client.post(url, {**data, "credit_code_input": "513100005017712000"})
    assert "confirm_check_failure" not in page.context["form"].fields  # never for damage
    response = client.post(url, {**data, "confirm_check_failure": "on"})
    assert response.status_code == 302, response.context["form"].errors
    assert Organization.objects.get(name="上海市确认代码协会").credit_code_check_failed


def test_wrong_check_character_is_refused_without_confirmation(editors):
    before = Organization.objects.count()
    raw = wrong_check(SOCIAL_GROUP)
    with override("en"), pytest.raises(ValidationError) as exc_info:
        register(editors.policy, raw)
    assert set(exc_info.value.message_dict) == {"credit_code"}
    (message,) = messages_of(exc_info)
    assert f"should be “{SOCIAL_GROUP[17]}”" in message
    assert "confirm the code as issued" in message
    assert Organization.objects.count() == before
    assert not Organization.objects.filter(credit_code=raw).exists()


def test_wrong_check_character_is_stored_and_marked_when_confirmed(editors):
    raw = wrong_check(FOUNDATION)
    org = register(editors.policy_head, raw.lower(), confirm_check_failure=True)
    org.refresh_from_db()
    assert org.credit_code == raw
    assert org.credit_code_check_failed is True
    assert org.credit_code_confirmed_by == editors.policy_head
    assert org.history.get().history_user == editors.policy_head


def test_confirming_a_valid_code_does_not_mark_it(editors):
    org = register(editors.policy, PRIVATE_NON_ENTERPRISE, confirm_check_failure=True)
    org.refresh_from_db()
    assert org.credit_code_check_failed is False
    assert org.credit_code_confirmed_by is None


def test_spreadsheet_rounded_code_is_refused_with_its_own_message(editors):
    with override("en"), pytest.raises(ValidationError) as exc_info:
        register(editors.policy, "513100005017712000")
    assert set(exc_info.value.message_dict) == {"credit_code"}
    (message,) = messages_of(exc_info)
    assert "spreadsheet probably rounded it" in message
    assert not Organization.objects.filter(credit_code="513100005017712000").exists()


@pytest.mark.parametrize(
    "raw", ["5.13100005017712E+17", "513100005017712", "51310000MJ49562I7", "51310000MJ4956"]
)
def test_malformed_code_is_refused_even_when_confirmed(editors, raw):
    before = Organization.objects.count()
    with pytest.raises(ValidationError) as exc_info:
        register(editors.policy, raw, confirm_check_failure=True)
    assert codes_of(exc_info) <= {"spreadsheet", "length", "character"}
    assert Organization.objects.count() == before


@pytest.mark.parametrize(
    "raw, code",
    [(wrong_check(SOCIAL_GROUP), "check_character"), ("513100005017712000", "spreadsheet")],
)
def test_check_failures_carry_their_error_code(editors, raw, code):
    with pytest.raises(ValidationError) as exc_info:
        register(editors.policy, raw)
    assert codes_of(exc_info) == {code}


def test_lower_case_and_spaces_are_stored_normalized(editors):
    org = register(editors.policy, f"  {OTHER.lower()}\u3000")
    org.refresh_from_db()
    assert org.credit_code == OTHER
    assert org.credit_code_check_failed is False


def test_same_code_in_other_spelling_is_a_duplicate(editors):
    register(editors.policy, SOCIAL_GROUP)
    with override("en"), pytest.raises(ValidationError) as exc_info:
        register(editors.policy, f" {SOCIAL_GROUP.lower()} ", name="上海市另一家协会")
    assert set(exc_info.value.message_dict) == {"credit_code"}
    assert "already registered" in messages_of(exc_info)[0]
    assert Organization.objects.filter(credit_code=SOCIAL_GROUP).count() == 1


def test_only_registry_editors_register(world):
    before = Organization.objects.count()
    for role in ["leader", "office", "finance", "discipline", "liaison_a", "org_a1"]:
        with pytest.raises(PermissionDenied):
            register(getattr(world, role), SOCIAL_GROUP)
    assert Organization.objects.count() == before
    register(world.policy_head, SOCIAL_GROUP)
    assert Organization.objects.count() == before + 1


# --- messages in Chinese ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("91350100M000100Y4", ["代码为17位", "应为18位"]),
        ("513100005017712", ["代码为15位", "丢失"]),
        ("5.13100005017712E+17", ["科学计数法", "5.13100005017712E+17"]),
        ("91350100M00010OY43", ["第15位", "“O”", "I、O、S、V、Z"]),
        ("91350100M000*00Y43", ["第13位", "“*”", "数字和大写英文字母"]),
        ("01350100M000100Y43", ["第1位", "登记管理部门"]),
        ("54310000MJ4956217X", ["第2位", "社会团体"]),
        ("", ["请输入统一社会信用代码"]),
    ],
)
def test_parse_messages_are_in_chinese(raw, expected):
    with override("zh-hans"), pytest.raises(ValidationError) as exc_info:
        parse(raw)
    (message,) = messages_of(exc_info)
    for part in expected:
        assert part in message


def test_check_character_message_is_in_chinese(editors):
    with override("zh-hans"), pytest.raises(ValidationError) as exc_info:
        register(editors.policy, wrong_check(SOCIAL_GROUP))
    (message,) = messages_of(exc_info)
    assert "校验码" in message
    assert f"“{SOCIAL_GROUP[17]}”" in message


def test_spreadsheet_check_message_is_in_chinese(editors):
    with override("zh-hans"), pytest.raises(ValidationError) as exc_info:
        register(editors.policy, "513100005017712000")
    (message,) = messages_of(exc_info)
    assert "电子表格" in message


def test_duplicate_message_is_in_chinese(editors):
    register(editors.policy, SOCIAL_GROUP)
    with override("zh-hans"), pytest.raises(ValidationError) as exc_info:
        register(editors.policy, SOCIAL_GROUP, name="上海市另一家协会")
    assert "已存在" in messages_of(exc_info)[0]


@pytest.mark.django_db
def test_an_organization_in_preparation_is_entered_without_a_code(world):
    org = org_services.org_create(
        actor=world.policy,
        credit_code_raw="",
        name="上海市拟筹备绿道协会",
        org_type="social_group",
        management_mode="dual",
        status=OrgStatus.PREPARING,
    )
    assert org.credit_code is None
    # A second one too: an empty code is not a duplicate.
    org_services.org_create(
        actor=world.policy,
        credit_code_raw="",
        name="上海市拟筹备花卉协会",
        org_type="social_group",
        management_mode="dual",
        status=OrgStatus.PREPARING,
    )
    # Registered, it needs its code; the change is refused whole.
    with pytest.raises(ValidationError) as exc:
        org_services.org_update(
            actor=world.policy, org=org, expected_version=org.version, status=OrgStatus.ACTIVE
        )
    assert "credit_code" in exc.value.message_dict
    org.refresh_from_db()
    assert org.status == OrgStatus.PREPARING
    code = make_code("51310000MJ0000001")
    org = org_services.org_update(
        actor=world.policy,
        org=org,
        expected_version=org.version,
        status=OrgStatus.ACTIVE,
        credit_code_raw=code,
    )
    assert (org.status, org.credit_code) == (OrgStatus.ACTIVE, code)
    with pytest.raises(ValidationError):
        org_services.org_create(
            actor=world.policy,
            credit_code_raw="",
            name="上海市无代码协会",
            org_type="social_group",
            management_mode="direct",
        )
