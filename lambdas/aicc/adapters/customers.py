"""Customers: looked up by id, caller number or the account's last 4 digits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aicc.adapters.dynamodb import ItemKey, Repository, item_strings, item_text
from aicc.domain.customers import Customer, Tier


class CustomerRepository(Repository):
    table_key = "customers"

    def get(self, customer_id: str) -> Customer | None:
        item = self._get("customer_id", customer_id) if customer_id else None
        return customer_from_item(item) if item else None

    def key(self, customer_id: str) -> ItemKey:
        """The customer's item for a batch read (dynamodb.read_items)."""
        return ItemKey(self.table_key, customer_id)

    def by_phone(self, phone: str) -> list[Customer]:
        return [customer_from_item(i) for i in self._query("phone", phone)]

    def by_last4(self, last4: str) -> list[Customer]:
        return [customer_from_item(i) for i in self._query("account_last4", last4)]

    def put(self, customer: Customer) -> None:
        self._put(
            {
                "customer_id": customer.customer_id,
                "company": customer.company,
                "contact_name": customer.contact_name,
                "phone": customer.phone,
                "account_id": customer.account_id,
                "account_last4": customer.account_last4,
                "tier": customer.tier.value,
                "part": customer.part,
                "ts_primary": customer.ts_primary,
                "ts_secondary": customer.ts_secondary,
                "sales_rep_name": customer.sales_rep_name,
                "sales_rep_phone": customer.sales_rep_phone,
                "aliases": list(customer.aliases) or None,
            }
        )


def customer_from_item(item: Mapping[str, Any]) -> Customer:
    tier = item_text(item, "tier")
    return Customer(
        customer_id=item_text(item, "customer_id"),
        company=item_text(item, "company"),
        contact_name=item_text(item, "contact_name"),
        phone=item_text(item, "phone"),
        account_id=item_text(item, "account_id"),
        account_last4=item_text(item, "account_last4") or item_text(item, "account_id")[-4:],
        tier=Tier.MSP if tier == Tier.MSP.value else Tier.GENERAL,
        part=item_text(item, "part"),
        ts_primary=item_text(item, "ts_primary"),
        ts_secondary=item_text(item, "ts_secondary"),
        sales_rep_name=item_text(item, "sales_rep_name"),
        sales_rep_phone=item_text(item, "sales_rep_phone"),
        aliases=item_strings(item, "aliases"),
    )
