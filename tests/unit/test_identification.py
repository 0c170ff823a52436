"""Who is calling: auth (names + last 4 + caller number) and phone modes."""

from __future__ import annotations

import pytest

from aicc.domain.customers import Customer, CustomerClass, Tier
from aicc.domain.identification import (
    InvalidInputError,
    LookupResult,
    LookupStatus,
    MatchedBy,
    authenticate,
    lookup_by_phone,
    parse_caller,
    parse_last4,
)

CALLER = "+821012345678"

SALTWARE = Customer(
    "C-SALT-KMJ",
    "솔트웨어",
    "김민준",
    CALLER,
    "123456781234",
    "1234",
    Tier.MSP,
    "TS1",
    "ts.park",
    "ts.choi",
    "이영희",
    "+821055501001",
    ("Saltware",),
)
# A colleague on the same account: same company and last 4, another person and number.
SALTWARE_COLLEAGUE = Customer(
    "C-SALT-KMS",
    "솔트웨어",
    "김민수",
    "+821099998888",
    "123456781234",
    "1234",
    Tier.MSP,
    "TS1",
)
HANBIT = Customer(
    "C-HANBIT",
    "한빛금융",
    "이서연",
    "+821023456789",
    "210987651234",
    "1234",
    Tier.MSP,
    "TS2",
    aliases=("Hanbit Financial", "한빛"),
)
DAON = Customer("C-DAON", "다온로지스", "정하은", "+821045678901", "567890121234", "1234", Tier.GENERAL)
POOL = [SALTWARE, SALTWARE_COLLEAGUE, HANBIT, DAON]


def found(result: LookupResult) -> str:
    assert result.status is LookupStatus.FOUND, result
    assert result.customer is not None
    return result.customer.customer_id


@pytest.mark.parametrize("raw", ["1234", " 1234 ", "0000"])
def test_parse_last4_accepts_four_digits(raw: str) -> None:
    assert parse_last4(raw) == raw.strip()


@pytest.mark.parametrize("raw", ["12", "12345", "Timeout", "12a4", "", "12 4", "１２３４", "*123"])
def test_parse_last4_rejects_everything_else(raw: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        parse_last4(raw)
    assert err.value.reason == "last4_format"


def test_parse_caller() -> None:
    assert parse_caller("010-1234-5678") == CALLER
    assert parse_caller("anonymous") is None
    assert parse_caller("") is None


def test_auth_exact_names() -> None:
    result = authenticate("솔트웨어", "김민준", "1234", None, POOL)
    assert found(result) == "C-SALT-KMJ"
    assert result.matched_by is MatchedBy.NAME_LAST4
    assert result.customer_class is CustomerClass.MSP


@pytest.mark.parametrize(
    ("company", "contact"),
    [
        ("쏠트웨어", "김민준"),
        ("솔트 웨어 주식회사입니다", "김민준입니다"),
        ("saltware", "김민준님"),  # an alias
        ("솔트웨워", "김민중"),  # an error in each field
    ],
)
def test_auth_tolerates_transcription(company: str, contact: str) -> None:
    assert found(authenticate(company, contact, "1234", None, POOL)) == "C-SALT-KMJ"


def test_auth_alias_reaches_short_registered_names() -> None:
    assert found(authenticate("한빛", "이서연", "1234", None, POOL)) == "C-HANBIT"


def test_auth_general_customer_is_classified_general() -> None:
    result = authenticate("다온로지스", "정하은", "1234", None, POOL)
    assert found(result) == "C-DAON"
    assert result.customer_class is CustomerClass.GENERAL


def test_auth_company_only_is_ambiguous_between_colleagues() -> None:
    # Two contacts of the same company tie on the company alone: do not guess...
    result = authenticate("솔트웨어", "", "1234", None, POOL)
    assert result.status is LookupStatus.NOT_FOUND
    assert result.detail == "ambiguous"
    assert result.customer_class is CustomerClass.UNREGISTERED


def test_auth_caller_number_breaks_a_tie() -> None:
    # ...unless the caller number belongs to exactly one of them.
    result = authenticate("솔트웨어", "", "1234", "+821099998888", POOL)
    assert found(result) == "C-SALT-KMS"
    assert result.matched_by is MatchedBy.NAME_LAST4


def test_auth_clearly_better_name_wins_over_a_similar_colleague() -> None:
    # 김민수 vs 김민준: the exact name wins although both are within matching distance.
    assert found(authenticate("솔트웨어", "김민수", "1234", None, POOL)) == "C-SALT-KMS"


def test_auth_exact_duplicates_are_ambiguous() -> None:
    twin = Customer("C-TWIN", "솔트웨어", "김민준", "+821077776666", "999999991234", "1234", Tier.GENERAL)
    result = authenticate("솔트웨어", "김민준", "1234", None, [SALTWARE, twin])
    assert (result.status, result.detail) == (LookupStatus.NOT_FOUND, "ambiguous")


def test_auth_empty_names_match_on_caller_number_and_last4() -> None:
    result = authenticate("", "", "1234", CALLER, POOL)
    assert found(result) == "C-SALT-KMJ"
    assert result.matched_by is MatchedBy.PHONE_LAST4


def test_auth_empty_names_without_a_number_is_not_found() -> None:
    result = authenticate("", "", "1234", None, POOL)
    assert (result.status, result.detail) == (LookupStatus.NOT_FOUND, "no_caller_number")


def test_auth_garbled_names_fall_back_to_caller_number() -> None:
    result = authenticate("어 그러니까", "여보세요", "1234", CALLER, POOL)
    assert found(result) == "C-SALT-KMJ"
    assert result.matched_by is MatchedBy.PHONE_LAST4


def test_auth_unknown_company_is_not_found() -> None:
    result = authenticate("소프트웨어", "김민준", "1234", "+821000000000", POOL)
    assert (result.status, result.detail) == (LookupStatus.NOT_FOUND, "no_candidate")
    assert result.customer is None


def test_auth_wrong_last4_from_another_number_finds_no_one() -> None:
    # Candidates come from the last-4 index; one with other digits never matches by digits.
    result = authenticate("솔트웨어", "김민준", "9999", "+821000000000", POOL)
    assert result.status is LookupStatus.NOT_FOUND


@pytest.mark.parametrize("last4", ["9999", None], ids=["wrong-digits", "no-digits"])
def test_failed_digits_do_not_demote_a_caller_identified_by_number_and_names(last4: str | None) -> None:
    result = authenticate("솔트웨어", "김민준", last4, CALLER, POOL)
    assert (result.status, result.customer, result.matched_by) == (
        LookupStatus.FOUND,
        SALTWARE,
        MatchedBy.PHONE_NAME,
    )
    assert result.customer_class is CustomerClass.MSP


def test_without_digits_both_names_are_needed() -> None:
    # The number and a company alone are a colleague's phone call as much as this caller's.
    assert authenticate("솔트웨어", "", None, CALLER, POOL).status is LookupStatus.NOT_FOUND
    assert authenticate("솔트웨어", "박서준", None, CALLER, POOL).status is LookupStatus.NOT_FOUND
    assert authenticate("솔트웨어", "김민준", None, None, POOL).detail == "no_caller_number"


def test_auth_same_phone_on_two_records_without_names_is_ambiguous() -> None:
    shared = Customer("C-SHARED", "푸른에너지", "조예린", CALLER, "789012341234", "1234", Tier.GENERAL)
    result = authenticate("", "", "1234", CALLER, [SALTWARE, shared])
    assert (result.status, result.detail) == (LookupStatus.NOT_FOUND, "ambiguous")


def test_phone_mode() -> None:
    result = lookup_by_phone(CALLER, POOL)
    assert found(result) == "C-SALT-KMJ"
    assert result.matched_by is MatchedBy.PHONE


def test_phone_mode_registered_in_national_format() -> None:
    national = Customer("C-NAT", "누리커머스", "박지훈", "02-1234-5678", "345678905678", "5678", Tier.MSP)
    assert found(lookup_by_phone("+82212345678", [national])) == "C-NAT"


def test_phone_mode_unknown_and_anonymous() -> None:
    assert lookup_by_phone("+821000000000", POOL).detail == "no_candidate"
    assert lookup_by_phone(None, POOL).detail == "no_caller_number"


def test_phone_mode_shared_number_is_ambiguous() -> None:
    shared = Customer("C-SHARED", "푸른에너지", "조예린", CALLER, "789012345678", "5678", Tier.GENERAL)
    result = lookup_by_phone(CALLER, [SALTWARE, shared, SALTWARE])  # duplicates from two indexes count once
    assert (result.status, result.detail) == (LookupStatus.NOT_FOUND, "ambiguous")
    assert found(lookup_by_phone(CALLER, [SALTWARE, SALTWARE])) == "C-SALT-KMJ"


def test_malformed_digits_that_identify_no_one_are_asked_again() -> None:
    result = authenticate("솔트웨어", "김민준", None, "+821000000000", POOL, given="12")
    assert (result.status, result.reason) == (LookupStatus.INVALID_INPUT, "last4_format")
    # The same digits from the registered number with both names: identified, not asked again.
    result = authenticate("솔트웨어", "김민준", None, CALLER, POOL, given="12")
    assert (result.status, result.matched_by) == (LookupStatus.FOUND, MatchedBy.PHONE_NAME)


def test_the_spoken_names_are_normalized_once_whatever_the_candidates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from aicc.domain import names

    normalized: list[str] = []
    normalize = names.normalize
    monkeypatch.setattr(names, "normalize", lambda text: normalized.append(text) or normalize(text))
    candidates = [SALTWARE, SALTWARE_COLLEAGUE, HANBIT]
    found = authenticate("솔트 웨어입니다", "김민준", "1234", CALLER, candidates)
    assert (found.status, found.customer, found.matched_by) == (
        LookupStatus.FOUND,
        SALTWARE,
        MatchedBy.NAME_LAST4,
    )
    # Each spoken name once; each registered company and alias of a candidate with the digits once,
    # its contact name once when the company matched.
    spoken = ["솔트 웨어입니다", "김민준"]
    registered = [
        "솔트웨어",
        "Saltware",
        "김민준",
        "솔트웨어",
        "김민수",
        "한빛금융",
        "Hanbit Financial",
        "한빛",
    ]
    assert sorted(normalized) == sorted(spoken + registered)
