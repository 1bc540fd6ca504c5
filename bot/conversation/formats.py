"""Answers written back out for people to read: phone numbers, A-numbers, dates."""

from __future__ import annotations

import datetime

import phonenumbers


def format_phone(e164: str) -> str:
    """Human form: '(212) 555-0100' for US numbers, '+52 55 1234 5678' otherwise."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        try:
            number = phonenumbers.parse(e164, "US")
        except phonenumbers.NumberParseException:
            return e164
    region = phonenumbers.region_code_for_number(number)
    if number.country_code == 1 and region in (None, "US"):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def format_a_number(digits: str) -> str:
    """How an A-number is written on papers: 'A-123-456-789'."""
    return f"A-{digits[0:3]}-{digits[3:6]}-{digits[6:9]}"


def format_date_long(value: datetime.date, locale: str | None) -> str:
    """A date written out in a locale's language: 'November 3, 2026', '3 de noviembre de 2026'."""
    from babel.dates import format_date

    if locale == "ht":  # babel has no Kreyòl month names; digits read the same
        return f"{value.day}/{value.month}/{value.year}"
    try:
        return format_date(value, format="long", locale=(locale or "en").replace("-", "_"))
    except Exception:  # a locale babel does not know: ISO is still readable
        return value.isoformat()


def format_day(value: datetime.date, locale: str | None) -> str:
    """A day with its weekday, in a locale's language: 'Friday, January 15, 2027'."""
    from babel.dates import format_date

    if locale == "ht":
        return f"{value.day}/{value.month}/{value.year}"
    try:
        return format_date(value, format="full", locale=(locale or "en").replace("-", "_"))
    except Exception:
        return value.isoformat()


def format_clock(value: datetime.time, locale: str | None) -> str:
    """A time of day as a locale writes it: '9:00 AM', '9:00', '上午9:00'."""
    from babel.dates import format_time

    if locale == "ht":
        return f"{value.hour}:{value.minute:02d}"
    try:
        text = format_time(value, format="short", locale=(locale or "en").replace("-", "_"))
    except Exception:
        return f"{value.hour}:{value.minute:02d}"
    # CLDR puts a narrow no-break space before "AM": a plain one keeps an SMS in GSM-7.
    return text.replace("\u202f", " ").replace("\u00a0", " ")
