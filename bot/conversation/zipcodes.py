"""ZIP codes: read one from a texter's message, and the state its first three digits belong to."""

from __future__ import annotations

import re

from .text import ascii_digits, clean

# USPS three-digit ZIP prefixes by state: (first, last, state). Military (AA/AE/AP) and
# unused prefixes are left out: they name no state, and the card falls back to national lines.
_PREFIXES = (
    (5, 5, "NY"), (6, 7, "PR"), (8, 8, "VI"), (9, 9, "PR"), (10, 27, "MA"), (28, 29, "RI"),
    (30, 38, "NH"), (39, 49, "ME"), (50, 54, "VT"), (55, 55, "MA"), (56, 59, "VT"),
    (60, 69, "CT"), (70, 89, "NJ"), (100, 149, "NY"), (150, 196, "PA"), (197, 199, "DE"),
    (200, 200, "DC"), (201, 201, "VA"), (202, 205, "DC"), (206, 219, "MD"), (220, 246, "VA"),
    (247, 268, "WV"), (270, 289, "NC"), (290, 299, "SC"), (300, 319, "GA"), (320, 339, "FL"),
    (341, 349, "FL"), (350, 369, "AL"), (370, 385, "TN"), (386, 397, "MS"), (398, 399, "GA"),
    (400, 427, "KY"), (430, 459, "OH"), (460, 479, "IN"), (480, 499, "MI"), (500, 528, "IA"),
    (530, 549, "WI"), (550, 567, "MN"), (569, 569, "DC"), (570, 577, "SD"), (580, 588, "ND"),
    (590, 599, "MT"), (600, 629, "IL"), (630, 658, "MO"), (660, 679, "KS"), (680, 693, "NE"),
    (700, 714, "LA"), (716, 729, "AR"), (730, 732, "OK"), (733, 733, "TX"), (734, 749, "OK"),
    (750, 799, "TX"), (800, 816, "CO"), (820, 831, "WY"), (832, 838, "ID"), (840, 847, "UT"),
    (850, 865, "AZ"), (870, 884, "NM"), (885, 885, "TX"), (889, 898, "NV"), (900, 961, "CA"),
    (967, 968, "HI"), (969, 969, "GU"), (970, 979, "OR"), (980, 994, "WA"), (995, 999, "AK"),
)
STATES = frozenset(state for _, _, state in _PREFIXES) | {"AS", "MP"}

# "90210", "90210-1234", "my zip is 90210", "CP 90210": one run of five digits (+4 allowed).
_ZIP = re.compile(r"(?<!\d)(\d{5})(?:\s*-\s*\d{4})?(?!\d)")
# A message that is a ZIP code with a few words around it, not a phone number or a story.
_MAX_WORDS = 8


def parse_zip(text: str) -> str | None:
    """The five-digit ZIP code a message gives ('my zip is 90210', '90210-1234'); else None."""
    s = ascii_digits(clean(text))
    if len(s.split()) > _MAX_WORDS:
        return None
    found = _ZIP.findall(s)
    if len(found) != 1 or len(re.sub(r"\D", "", s)) not in (5, 9):
        return None
    return found[0] if state_of(found[0]) else None


def state_of(zip_code: str) -> str | None:
    """The state (USPS code) a ZIP code or prefix of 3+ digits is in; None when unknown."""
    if len(zip_code) < 3 or not zip_code[:3].isdigit():
        return None
    prefix = int(zip_code[:3])
    for first, last, state in _PREFIXES:
        if first <= prefix <= last:
            return state
    return None
