"""customer_lookup handler against DynamoDB (moto), with real Connect events."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from helpers import EventLoader, FakeLambdaContext, metrics_emitted

from aicc.adapters.dynamodb import TableNotConfiguredError
from aicc.handlers._connect import EventError
from aicc.handlers.customer_lookup import handler

from .conftest import Tables

KEYS = {
    "status",
    "customer_class",
    "customer_id",
    "company",
    "contact_name",
    "tier",
    "part",
    "ts_primary",
    "ts_secondary",
    "sales_rep_name",
    "sales_rep_phone",
    "matched_by",
    "reason",
}
NOT_FOUND = dict.fromkeys(KEYS, "") | {"status": "NOT_FOUND", "customer_class": "UNREGISTERED"}


def lookup(connect_event: EventLoader, ctx: FakeLambdaContext, **overrides: object) -> dict[str, str]:
    out: dict[str, str] = handler(connect_event("connect_customer_lookup", **overrides), ctx)
    assert set(out) == KEYS and all(isinstance(v, str) for v in out.values())
    return out


def test_auth_found(tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext) -> None:
    assert lookup(connect_event, lambda_context) == {
        "status": "FOUND",
        "customer_class": "MSP",
        "customer_id": "C-SALTWARE-KMJ",
        "company": "솔트웨어",
        "contact_name": "김민준",
        "tier": "MSP",
        "part": "TS1",
        "ts_primary": "ts.park",
        "ts_secondary": "ts.choi",
        "sales_rep_name": "이영희",
        "sales_rep_phone": "010-5550-1001",
        "matched_by": "name_last4",
        "reason": "",
    }


@pytest.mark.parametrize(
    ("company", "contact_name", "customer_id"),
    [
        ("쏠트 웨어 주식회사", "김민준이에요", "C-SALTWARE-KMJ"),
        ("Saltware Co., Ltd.", "김민중", "C-SALTWARE-KMJ"),
        ("솔트웨어", "김민수님", "C-SALTWARE-KMS"),
    ],
)
def test_auth_tolerant_matching(
    tables: Tables,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    company: str,
    contact_name: str,
    customer_id: str,
) -> None:
    out = lookup(connect_event, lambda_context, parameters={"company": company, "contact_name": contact_name})
    assert (out["status"], out["customer_id"]) == ("FOUND", customer_id)


def test_auth_general_customer_by_alias(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    params = {"company": "Daon Logistics", "contact_name": "정하은", "account_last4": "3456"}
    out = lookup(connect_event, lambda_context, parameters=params, caller="+821000000000")
    assert (out["status"], out["customer_class"], out["tier"], out["part"]) == (
        "FOUND",
        "GENERAL",
        "GENERAL",
        "",
    )


@pytest.mark.parametrize("digits", ["12", "12345", "Timeout", "12a4"])
def test_auth_invalid_digits_from_an_unknown_number_are_asked_again(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext, digits: str
) -> None:
    out = lookup(connect_event, lambda_context, parameters={"account_last4": digits}, caller="+821000000000")
    assert out == dict.fromkeys(KEYS, "") | {
        "status": "INVALID_INPUT",
        "customer_class": "UNREGISTERED",
        "reason": "last4_format",
    }


@pytest.mark.parametrize("digits", ["12", "Timeout", "", "9999"])
def test_failed_digits_keep_a_caller_identified_by_number_and_names(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext, digits: str
) -> None:
    # The registered MSP contact, calling from the registered number, said company and name.
    out = lookup(connect_event, lambda_context, parameters={"account_last4": digits})
    assert (out["status"], out["customer_class"], out["customer_id"], out["matched_by"]) == (
        "FOUND",
        "MSP",
        "C-SALTWARE-KMJ",
        "phone_name",
    )


def test_no_digits_from_an_unknown_number_is_not_found(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    out = lookup(connect_event, lambda_context, parameters={"account_last4": ""}, caller="+821000000000")
    assert out == NOT_FOUND


def test_auth_unknown_customer(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    out = lookup(connect_event, lambda_context, parameters={"company": "소프트웨어"}, caller="+821000000000")
    assert out == NOT_FOUND


def test_auth_ambiguous_colleagues_without_a_deciding_number(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    params = {"company": "솔트웨어", "contact_name": ""}
    assert lookup(connect_event, lambda_context, parameters=params, caller="+821000000000") == NOT_FOUND
    # The caller number is the evidence that decides between the two contacts.
    decided = lookup(connect_event, lambda_context, parameters=params, caller="+821099998888")
    assert (decided["customer_id"], decided["matched_by"]) == ("C-SALTWARE-KMS", "name_last4")


def test_auth_empty_names_use_last4_and_the_caller_number(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    params = {"company": "", "contact_name": ""}
    out = lookup(connect_event, lambda_context, parameters=params)
    assert (out["status"], out["customer_id"], out["matched_by"]) == (
        "FOUND",
        "C-SALTWARE-KMJ",
        "phone_last4",
    )
    assert lookup(connect_event, lambda_context, parameters=params, caller=None) == NOT_FOUND


def test_auth_phone_parameter_overrides_the_caller(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    params = {"company": "", "contact_name": "", "phone": "010-9999-8888"}
    assert lookup(connect_event, lambda_context, parameters=params)["customer_id"] == "C-SALTWARE-KMS"


def test_phone_mode(tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext) -> None:
    params: dict[str, str | None] = {
        "mode": "phone",
        "company": None,
        "contact_name": None,
        "account_last4": None,
    }
    out = lookup(connect_event, lambda_context, parameters=params, caller="+821023456789")
    assert (out["status"], out["customer_id"], out["matched_by"]) == ("FOUND", "C-HANBIT", "phone")
    assert lookup(connect_event, lambda_context, parameters=params, caller="+821000000000") == NOT_FOUND
    assert lookup(connect_event, lambda_context, parameters=params, caller=None) == NOT_FOUND
    assert lookup(connect_event, lambda_context, parameters=params, caller="anonymous") == NOT_FOUND


@pytest.mark.parametrize(
    ("mutate", "error", "message"),
    [
        (lambda e: e.pop("Details"), EventError, "no Details"),
        (lambda e: e["Details"].pop("Parameters"), EventError, "Details.Parameters"),
        (lambda e: e["Details"]["Parameters"].pop("mode"), EventError, "parameter 'mode' is required"),
        (lambda e: e["Details"]["Parameters"].update(mode="fax"), EventError, "mode must be auth or phone"),
    ],
)
def test_malformed_events(
    tables: Tables,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    mutate: object,
    error: type[Exception],
    message: str,
) -> None:
    event = connect_event("connect_customer_lookup")
    mutate(event)  # type: ignore[operator]
    with pytest.raises(error, match=message):
        handler(event, lambda_context)


def test_missing_table_configuration_is_a_clear_error(
    aws: dict[str, str],
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CUSTOMERS_TABLE")
    with pytest.raises(TableNotConfiguredError, match="CUSTOMERS_TABLE"):
        handler(connect_event("connect_customer_lookup"), lambda_context)


def test_logs_mask_pii(
    tables: Tables,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    handler_log: Callable[[], list[str]],
) -> None:
    lookup(connect_event, lambda_context)
    logged = "\n".join(handler_log())  # as CloudWatch gets the lines
    assert "customer lookup" in logged and "+82-10-****-5678" in logged and "김*준" in logged
    for secret in ("+821012345678", "김민준", "010-5550-1001", "+821055501001", "이영희"):
        assert secret not in logged


def test_lookups_are_counted_by_outcome_and_method_and_callers_by_class(
    tables: Tables,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lookup(connect_event, lambda_context)
    lookup(connect_event, lambda_context, parameters={"mode": "phone"}, caller="+821000000000")
    counted = [(n, d) for n, d in metrics_emitted(capsys.readouterr().out) if n != "StepLatency"]
    service = {"service": "aicc"}  # the function's name in AWS (POWERTOOLS_SERVICE_NAME)
    assert counted == [
        ("CustomerLookup", {**service, "status": "FOUND", "method": "auth"}),
        ("CustomerClassified", {**service, "customer_class": "MSP"}),
        ("CustomerLookup", {**service, "status": "NOT_FOUND", "method": "phone"}),
        ("CustomerClassified", {**service, "customer_class": "UNREGISTERED"}),
    ]
