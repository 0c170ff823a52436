"""customer_lookup: who is calling (docs/handlers.md)."""

from __future__ import annotations

from aicc.adapters.customers import CustomerRepository
from aicc.domain import phones
from aicc.domain.identification import (
    LookupMode,
    LookupResult,
    LookupStatus,
    authenticate,
    lookup_by_phone,
    parse_caller,
    usable_last4,
)
from aicc.handlers._connect import ContactEvent, EventError, Value
from aicc.handlers._prologue import contact_flow, count, logger


@contact_flow
def handler(contact: ContactEvent) -> dict[str, Value]:
    found = lookup(contact, CustomerRepository())
    c = found.customer
    count("CustomerLookup", status=found.status.value, method=contact.param("mode").lower())
    if found.status is not LookupStatus.INVALID_INPUT:  # the caller is asked again: not classified yet
        count("CustomerClassified", customer_class=found.customer_class.value)
    logger.append_keys(detail=found.detail)
    return {
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


def lookup(contact: ContactEvent, customers: CustomerRepository) -> LookupResult:
    raw_mode = contact.require("mode")
    try:
        mode = LookupMode(raw_mode.lower())
    except ValueError:
        raise EventError(f"mode must be auth or phone, got {raw_mode!r}") from None
    phone = parse_caller(contact.param("phone") or contact.caller)
    if mode is LookupMode.PHONE:
        return lookup_by_phone(phone, customers.by_phone(phone) if phone else [])
    given = contact.param("account_last4")
    last4 = usable_last4(given)
    company, name = contact.param("company"), contact.param("contact_name")
    by_last4 = customers.by_last4(last4) if last4 else []
    found = authenticate(company, name, last4, phone, by_last4, given=given)
    if found.status is LookupStatus.FOUND or phone is None:
        return found
    # The digits identified no one: the caller number and the names may (one more query, only now).
    return authenticate(company, name, last4, phone, [*by_last4, *customers.by_phone(phone)], given=given)
