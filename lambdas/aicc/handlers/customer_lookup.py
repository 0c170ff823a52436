"""customer_lookup: who is calling (docs/handlers.md)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from aicc.adapters.dynamodb import CustomerRepository
from aicc.domain import phones
from aicc.domain.customers import (
    InvalidInputError,
    LookupMode,
    LookupResult,
    LookupStatus,
    authenticate,
    lookup_by_phone,
    parse_caller,
    parse_last4,
)
from aicc.handlers._connect import ContactEvent, EventError, masked, parse, result

logger = Logger()
metrics = Metrics(namespace="AICC")


# The event and the response carry names and numbers: never log or trace them whole.
@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    contact = parse(event)
    logger.append_keys(contact_id=contact.contact_id)
    found = lookup(contact, CustomerRepository())
    c = found.customer
    out = result(
        {
            "status": found.status,
            "customer_class": found.customer_class,
            "customer_id": c.customer_id if c else "",
            "company": c.company if c else "",
            "contact_name": c.contact_name if c else "",
            "tier": c.tier if c else "",
            "part": c.part if c else "",
            "ts_primary": c.ts_primary if c else "",
            "ts_secondary": c.ts_secondary if c else "",
            "sales_rep_name": c.sales_rep_name if c else "",
            "sales_rep_phone": phones.spoken(c.sales_rep_phone) if c and c.sales_rep_phone else "",
            "matched_by": found.matched_by,
            "reason": found.reason,
        }
    )
    metrics.add_dimension(name="status", value=found.status.value)
    metrics.add_metric(name="CustomerLookup", unit=MetricUnit.Count, value=1)
    logger.info(
        "customer lookup",
        extra={"request": contact.log_view(), "result": masked(out), "detail": found.detail},
    )
    return out


def lookup(contact: ContactEvent, customers: CustomerRepository) -> LookupResult:
    raw_mode = contact.require("mode")
    try:
        mode = LookupMode(raw_mode.lower())
    except ValueError:
        raise EventError(f"mode must be auth or phone, got {raw_mode!r}") from None
    phone = parse_caller(contact.param("phone") or contact.caller)
    if mode is LookupMode.PHONE:
        return lookup_by_phone(phone, customers.by_phone(phone) if phone else [])
    raw = contact.param("account_last4")
    last4: str | None = None
    invalid: InvalidInputError | None = None
    try:
        last4 = parse_last4(raw)
    except InvalidInputError as exc:
        invalid = exc
    candidates = [
        *(customers.by_last4(last4) if last4 else ()),
        *(customers.by_phone(phone) if phone else ()),
    ]
    found = authenticate(contact.param("company"), contact.param("contact_name"), last4, phone, candidates)
    if found.status is LookupStatus.NOT_FOUND and invalid is not None and raw.strip():
        # Digits were given but unusable, and nothing else identifies the caller: ask again.
        return LookupResult(LookupStatus.INVALID_INPUT, reason=invalid.reason)
    return found
