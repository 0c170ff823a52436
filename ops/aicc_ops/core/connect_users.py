"""Amazon Connect's own rules for a user: one home for onboarding's checks (before any call) and
the local Connect emulator's refusals, so a rehearsal on the local stack cannot pass where AWS fails.

Sources: the botocore model of connect (CreateUser's AgentUsername, UserIdentityInfo's
AgentFirstName/AgentLastName, UserProficiency) and the API reference: Username "up to 20
characters" unless the instance uses SAML (then up to 64 of [a-zA-Z0-9_-.@], @ only in an email
format); FirstName 1-255 and LastName 1-256 with Connect-managed identities (0-255 / 0-300 with
SAML), required with both, in Unicode NFC; an email address at most 255 characters (Connect's
EmailAddress); a proficiency value 1-100 characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from aicc.domain.proficiency import LEVELS_TEXT, is_level

SAML = "SAML"
CONNECT_MANAGED = "CONNECT_MANAGED"
USERNAME_MAX = {SAML: 64}
USERNAME_MAX_OTHER = 20  # CONNECT_MANAGED and EXISTING_DIRECTORY
USERNAME_MAX_ANY = max(USERNAME_MAX_OTHER, *USERNAME_MAX.values())
FIRST_NAME_MAX = 255
LAST_NAME_MAX = {CONNECT_MANAGED: 256}
LAST_NAME_MAX_OTHER = 300
EMAIL_MAX = 255
SKILL_MAX = 100  # PredefinedAttributeStringValue
_USERNAME = re.compile(r"[A-Za-z0-9_.@-]+")
_USERNAME_EMAIL = re.compile(r"[A-Za-z0-9_.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def username_max(identity: str | None) -> int:
    """The longest user name the identity type allows (None: unknown yet, the loosest)."""
    if identity is None:
        return USERNAME_MAX_ANY
    return USERNAME_MAX.get(identity, USERNAME_MAX_OTHER)


def username_problem(username: str, identity: str | None = None) -> str | None:
    """Why Connect refuses the user name, or None."""
    if not username:
        return "login is empty"
    if not _USERNAME.fullmatch(username):
        return f"login {username!r} may hold only letters, digits, _ - . @"
    limit = username_max(identity)
    if len(username) > limit:
        kind = f"an instance with {identity} identities" if identity else "Connect"
        return f"login {username!r} has {len(username)} characters; {kind} allows at most {limit}"
    if "@" in username and not _USERNAME_EMAIL.fullmatch(username):
        return f"login {username!r}: @ is allowed only in an email address (name@example.com)"
    return None


def identity_problems(first: str, last: str, email: str, identity: str | None = None) -> list[str]:
    """Why Connect refuses the names or email of a user (CreateUser, UpdateUserIdentityInfo)."""
    out = []
    last_max = LAST_NAME_MAX.get(identity or "", LAST_NAME_MAX_OTHER)
    for label, value, limit in (("given name", first, FIRST_NAME_MAX), ("family name", last, last_max)):
        if identity in (CONNECT_MANAGED, SAML) and not value:
            out.append(f"{label} is empty; Connect requires it")
        elif len(value) > limit:
            out.append(f"{label} has {len(value)} characters; Connect allows at most {limit}")
        if unicodedata.normalize("NFC", value) != value:
            out.append(f"{label} {value!r} is not in Unicode NFC (decomposed Hangul?); save the file as NFC")
    if len(email) > EMAIL_MAX:
        out.append(f"email has {len(email)} characters; Connect allows at most {EMAIL_MAX}")
    return out


def skill_problem(skill: str) -> str | None:
    if len(skill) > SKILL_MAX:
        return f"skill {skill[:20]!r}... has {len(skill)} characters; Connect allows at most {SKILL_MAX}"
    return None


# A user's proficiency as the agents file writes it: "attribute:value:level" (UserProficiency's
# AttributeName and AttributeValue, of a predefined attribute, and its Level: domain.proficiency).


def parse_proficiency(text: str) -> dict[str, str | float]:
    """A UserProficiency from "attribute:value:level"; ValueError saying what to fix."""
    parts = text.split(":")
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"proficiency {text!r} must be attribute:value:level, e.g. experience:complaints:4")
    name, value, level = parts
    if not level.isdigit() or not is_level(int(level)):
        raise ValueError(f"proficiency {text!r}: the level must be {LEVELS_TEXT}")
    for label, part in (("attribute", name), ("value", value)):
        if len(part) > SKILL_MAX:
            raise ValueError(f"proficiency {text!r}: the {label} has more than {SKILL_MAX} characters")
    return {"AttributeName": name, "AttributeValue": value, "Level": float(level)}


def held_proficiencies(items: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], float]:
    """UserProficiency objects ({AttributeName, AttributeValue, Level}, as ListUserProficiencies
    gives them) by attribute and value."""
    return {(str(p["AttributeName"]), str(p["AttributeValue"])): float(p["Level"]) for p in items}
