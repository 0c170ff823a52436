"""Customers as the support line registers them: company, contact, account, tier and their engineers.

Who is calling (matching a caller to one of them) is aicc.domain.identification.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Tier(StrEnum):
    MSP = "MSP"
    GENERAL = "GENERAL"


class CustomerClass(StrEnum):
    MSP = "MSP"
    GENERAL = "GENERAL"
    UNREGISTERED = "UNREGISTERED"


@dataclass(frozen=True)
class Customer:
    """A registered customer contact: company, person, account, tier and engineers."""

    customer_id: str
    company: str
    contact_name: str
    phone: str  # E.164
    account_id: str = ""
    account_last4: str = ""
    tier: Tier = Tier.GENERAL
    part: str = ""
    ts_primary: str = ""
    ts_secondary: str = ""
    sales_rep_name: str = ""
    sales_rep_phone: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def customer_class(self) -> CustomerClass:
        return CustomerClass.MSP if self.tier is Tier.MSP else CustomerClass.GENERAL
