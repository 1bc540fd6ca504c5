"""A-numbers and phone numbers read from a message."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

from .text import ascii_digits, clean

_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"})
_A_LABEL = re.compile(
    r"^(?:(?:my|mi|su|el|o|meu|mon|nimewo)\s+)?"
    r"(?:a\s*-?\s*(?:number|numero|nimewo|no\.?|num\.?|#)|alien\s+(?:number|no\.?|#)|"
    r"n[uú]mero\s+(?:de\s+)?(?:a|extranjero|registro)|nimewo\s+a|num[eé]ro\s+a)"
    r"\s*(?:is|es|e|:|=)?\s*[:#]?\s*",
    re.IGNORECASE,
)
_A_NUMBER = re.compile(r"(?:[aA]\s*[-.#:]?\s*)?(\d(?:[\d .-]*\d)?)")


def parse_a_number(text: str) -> str | None:
    """A-number of 8 or 9 digits ('A-123-456-789', 'a 12345678') as 9 digits; else None."""
    s = ascii_digits(clean(text)).translate(_DASHES)
    s = unicodedata.normalize("NFKC", s).strip(" .,;:!?")
    if len(s) > 60:
        return None
    s = _A_LABEL.sub("", s, count=1)
    m = _A_NUMBER.fullmatch(s)
    if not m:
        return None
    digits = re.sub(r"\D", "", m.group(1))
    if len(digits) == 9:
        return digits
    if len(digits) == 8:
        return "0" + digits
    return None


_PHONE_LABEL = re.compile(r"[^\W\d]", re.UNICODE)


def _possible_e164(number: phonenumbers.PhoneNumber) -> str | None:
    """E.164 string when number is possible, else None."""
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == phonenumbers.ValidationResult.IS_POSSIBLE:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def parse_phone(text: str, default_region: str = "US") -> str | None:
    """A callback number in E.164 ('(212) 555-0100' -> '+12125550100'); None if not possible."""
    s = unicodedata.normalize("NFKC", ascii_digits(clean(text))).translate(_DASHES)
    if not s or not any(c.isdigit() for c in s):
        return None
    region = (default_region or "US").upper()
    if not _PHONE_LABEL.search(s.replace("ext", "").replace("x", "")):
        candidates = [s]
        if s.startswith("00"):
            candidates.append("+" + s[2:].lstrip())
        for candidate in candidates:
            try:
                result = _possible_e164(phonenumbers.parse(candidate, region))
            except phonenumbers.NumberParseException:
                continue
            if result:
                return result
    # Words around the number ("call me at 212 555 0100 please"): accept exactly one number.
    try:
        matches = phonenumbers.PhoneNumberMatcher(
            s, region, leniency=phonenumbers.Leniency.POSSIBLE
        )
        found = {e for e in (_possible_e164(m.number) for m in matches) if e}
    except Exception:
        return None
    return found.pop() if len(found) == 1 else None
