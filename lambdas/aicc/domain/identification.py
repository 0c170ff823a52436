"""The decision of who is calling.

`auth` mode: the caller gives company and contact name (speech, possibly empty after a DTMF
fallback) and the last 4 digits of the AWS account ID; the caller number is extra evidence. When
the digits fail (wrong, or never understood), the caller number together with the spoken names
still identifies a registered caller: a failed digit step never demotes an identified customer.
`phone` mode: the caller number alone. Either way, when two candidates are equally good the
answer is NOT_FOUND: a wrong customer (and a wrong engineer paged) is worse than asking again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from aicc.domain import names, phones
from aicc.domain.customers import Customer, CustomerClass


class LookupStatus(StrEnum):
    FOUND = "FOUND"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"


class MatchedBy(StrEnum):
    NAME_LAST4 = "name_last4"
    PHONE_LAST4 = "phone_last4"
    PHONE = "phone"
    PHONE_NAME = "phone_name"


class LookupMode(StrEnum):
    AUTH = "auth"
    PHONE = "phone"


class InvalidInputError(ValueError):
    """Caller input that cannot be used; `reason` is the contract's INVALID_INPUT reason."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


@dataclass(frozen=True)
class LookupResult:
    """Who is calling, or why no one was found."""

    status: LookupStatus
    customer: Customer | None = None
    matched_by: MatchedBy | None = None
    reason: str = ""  # contract reason, for INVALID_INPUT
    detail: str = ""  # why NOT_FOUND (for logs and metrics): no_candidate, ambiguous, no_caller_number

    @property
    def customer_class(self) -> CustomerClass:
        return self.customer.customer_class if self.customer else CustomerClass.UNREGISTERED


# Candidates whose name scores are closer than this are a tie (half a jamo error in a 4-syllable
# name); only the caller number may then separate them.
TIE_MARGIN = 0.05
LAST4_FORMAT = "last4_format"


def parse_last4(raw: str) -> str:
    """The 4 digits as entered, or InvalidInputError (DTMF `Timeout`, too few or many digits, `*`)."""
    value = raw.strip()
    if len(value) != 4 or not value.isascii() or not value.isdigit():
        raise InvalidInputError(LAST4_FORMAT, "the account ID's last 4 digits must be exactly 4 digits")
    return value


def parse_caller(raw: str) -> str | None:
    """E.164 of the caller number; None for anonymous or unusable numbers (evidence, not input)."""
    try:
        return phones.normalize(raw)
    except phones.PhoneNumberError:
        return None


def lookup_by_phone(phone: str | None, candidates: Sequence[Customer]) -> LookupResult:
    """`phone` mode: the single customer registered with the caller number."""
    if phone is None:
        return LookupResult(LookupStatus.NOT_FOUND, detail="no_caller_number")
    matches = _unique([c for c in candidates if _same_phone(c.phone, phone)])
    if len(matches) == 1:
        return LookupResult(LookupStatus.FOUND, matches[0], MatchedBy.PHONE)
    return LookupResult(LookupStatus.NOT_FOUND, detail="ambiguous" if matches else "no_candidate")


def usable_last4(raw: str) -> str | None:
    """The 4 digits of `raw`, or None when they are not 4 digits (see parse_last4)."""
    try:
        return parse_last4(raw)
    except InvalidInputError:
        return None


def authenticate(
    company: str,
    contact_name: str,
    last4: str | None,
    phone: str | None,
    candidates: Sequence[Customer],
    *,
    given: str = "",
) -> LookupResult:
    """`auth` mode over the candidates (customers whose account ends in `last4`, or who have the
    caller's number); `last4` is None when the caller could not give the digits.

    Spoken names, when given, must each match (company against the name and its aliases); the
    best match wins unless another is as good, and the caller number breaks such a tie. When no
    name was given, or the names match no one (a badly garbled transcript), the caller number
    together with the last 4 digits identifies the customer if exactly one fits. Without usable
    digits, the caller number and the spoken names together identify the one customer they fit.
    `given` is what the caller entered for the digits: when it was not 4 digits and nothing else
    identifies the caller, the answer is INVALID_INPUT (the flow asks again).
    """
    # The spoken names as the candidates' are compared with them: made comparable once.
    company, contact_name = names.comparable(company), names.comparable(contact_name)
    found = _by_digits(company, contact_name, last4, phone, candidates) if last4 else None
    if found is not None and found.status is LookupStatus.FOUND:
        return found
    by_names = _by_phone_and_names(company, contact_name, phone, candidates)
    if by_names is not None:
        return by_names
    if found is not None:
        return found
    if given.strip():
        try:
            parse_last4(given)
        except InvalidInputError as exc:
            return LookupResult(LookupStatus.INVALID_INPUT, reason=exc.reason)
    return LookupResult(LookupStatus.NOT_FOUND, detail="no_caller_number" if phone is None else "no_digits")


def _by_phone_and_names(
    company: str, contact_name: str, phone: str | None, candidates: Sequence[Customer]
) -> LookupResult | None:
    """The one customer registered with the caller number whose company and name (comparable) were
    both said."""
    if phone is None or not (company and contact_name):
        return None
    pool = _unique([c for c in candidates if _same_phone(c.phone, phone)])
    scored = [s for c in pool if (s := _name_score(c, company, contact_name, phone)) is not None]
    best = _best(scored) if scored else None
    return LookupResult(LookupStatus.FOUND, best, MatchedBy.PHONE_NAME) if best else None


def _by_digits(
    company: str, contact_name: str, last4: str, phone: str | None, candidates: Sequence[Customer]
) -> LookupResult:
    """Among the candidates with the digits, by the names said (comparable), else the caller number."""
    pool = _unique([c for c in candidates if c.account_last4 == last4])
    if company or contact_name:
        scored = [s for c in pool if (s := _name_score(c, company, contact_name, phone)) is not None]
        if scored:
            best = _best(scored)
            if best is None:
                return LookupResult(LookupStatus.NOT_FOUND, detail="ambiguous")
            return LookupResult(LookupStatus.FOUND, best, MatchedBy.NAME_LAST4)
    by_phone = [c for c in pool if phone is not None and _same_phone(c.phone, phone)]
    if len(by_phone) == 1:
        return LookupResult(LookupStatus.FOUND, by_phone[0], MatchedBy.PHONE_LAST4)
    if by_phone:
        return LookupResult(LookupStatus.NOT_FOUND, detail="ambiguous")
    return LookupResult(
        LookupStatus.NOT_FOUND, detail="no_caller_number" if phone is None else "no_candidate"
    )


@dataclass(frozen=True)
class _Scored:
    """A candidate with its name score and whether the caller number matches."""

    customer: Customer
    score: float
    phone_match: bool


def _name_score(c: Customer, company: str, contact_name: str, phone: str | None) -> _Scored | None:
    """The candidate scored on the names said (comparable: names.comparable); "" when not said."""
    scores: list[float] = []
    if company:
        registered = [names.comparable(n) for n in (c.company, *c.aliases)]
        if not any(names.matches(company, n) for n in registered):
            return None
        scores.append(max(names.similarity_of(company, n) for n in registered))
    if contact_name:
        registered_name = names.comparable(c.contact_name)
        if not names.matches(contact_name, registered_name):
            return None
        scores.append(names.similarity_of(contact_name, registered_name))
    return _Scored(c, sum(scores) / len(scores), phone is not None and _same_phone(c.phone, phone))


def _best(scored: list[_Scored]) -> Customer | None:
    top = max(s.score for s in scored)
    contenders = [s for s in scored if top - s.score < TIE_MARGIN]
    if len(contenders) == 1:
        return contenders[0].customer
    with_phone = [s for s in contenders if s.phone_match]
    return with_phone[0].customer if len(with_phone) == 1 else None


def _same_phone(registered: str, caller: str) -> bool:
    try:
        return phones.normalize(registered) == caller
    except phones.PhoneNumberError:
        return False


def _unique(customers: Sequence[Customer]) -> list[Customer]:
    """Drop duplicate items (the same customer reached through two indexes)."""
    seen: dict[str, Customer] = {}
    for c in customers:
        seen.setdefault(c.customer_id, c)
    return list(seen.values())
