"""Korean phone numbers: E.164, validation and the spoken form."""

from __future__ import annotations

import pytest

from aicc.domain.phones import PhoneKind, PhoneNumberError, is_valid, normalize, parse, spoken


@pytest.mark.parametrize(
    ("raw", "e164", "kind", "said"),
    [
        ("+821012345678", "+821012345678", PhoneKind.MOBILE, "010-1234-5678"),
        ("010-1234-5678", "+821012345678", PhoneKind.MOBILE, "010-1234-5678"),
        ("01012345678", "+821012345678", PhoneKind.MOBILE, "010-1234-5678"),
        ("82 10 1234 5678", "+821012345678", PhoneKind.MOBILE, "010-1234-5678"),
        ("+82 (0)10-1234-5678", "+821012345678", PhoneKind.MOBILE, "010-1234-5678"),
        ("0082-10-1234-5678", "+821012345678", PhoneKind.MOBILE, "010-1234-5678"),
        ("011-123-4567", "+82111234567", PhoneKind.MOBILE, "011-123-4567"),
        ("02-123-4567", "+8221234567", PhoneKind.LANDLINE, "02-123-4567"),
        ("02-1234-5678", "+82212345678", PhoneKind.LANDLINE, "02-1234-5678"),
        ("+82212345678", "+82212345678", PhoneKind.LANDLINE, "02-1234-5678"),
        ("031-123-4567", "+82311234567", PhoneKind.LANDLINE, "031-123-4567"),
        ("064 1234 5678", "+826412345678", PhoneKind.LANDLINE, "064-1234-5678"),
        ("070-1234-5678", "+827012345678", PhoneKind.INTERNET, "070-1234-5678"),
        ("1588-1234", "+8215881234", PhoneKind.REPRESENTATIVE, "1588-1234"),
        ("+8216441234", "+8216441234", PhoneKind.REPRESENTATIVE, "1644-1234"),
        ("+447700900123", "+447700900123", PhoneKind.INTERNATIONAL, "+447700900123"),
    ],
)
def test_parse(raw: str, e164: str, kind: PhoneKind, said: str) -> None:
    number = parse(raw)
    assert (number.e164, number.kind, number.spoken) == (e164, kind, said)
    assert normalize(raw) == e164
    assert spoken(raw) == said


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "Timeout",
        "12a4",
        "12345",
        "010-123-4567",  # 010 has 8 digits after the prefix
        "010-1234-56789",
        "010-0234-5678",  # a second trunk 0
        "050-1234-5678",  # not in our rule set
        "1012345678",  # national number without the trunk 0
        "1234-5678",  # not a 15xx/16xx/18xx number
        "+1",
        "+0123456789",
        "+82-99-1234-5678",
    ],
)
def test_invalid_numbers(raw: str) -> None:
    with pytest.raises(PhoneNumberError):
        parse(raw)
    assert not is_valid(raw)


def test_spoken_leaves_unparseable_text_alone() -> None:
    assert spoken("내선 123") == "내선 123"
