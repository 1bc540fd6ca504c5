"""SMS encoding and segment calculator; the longest body Twilio takes, and joining replies.

A pure-Python port of Twilio's own calculator, the npm package
``sms-segments-calculator`` 1.3.0 (github.com/TwilioDevEd/message-segment-calculator),
so a translator can see which encoding a message will use and how many segments
Twilio will bill for it.  ``tests/data/sms_segments.json`` holds answers measured
with the npm package itself and ``tests/test_sms.py`` checks every one of them.

How the package decides, and therefore how this module decides:

* With Smart Encoding on, every code point found in Twilio's replacement table is
  swapped first (curly quotes, dashes, odd spaces, ellipsis, full-width forms...).
* The text is split into grapheme clusters (the package uses ``grapheme-splitter``
  1.0.4, i.e. Unicode 10 rules, ported below); a ``"\\r\\n"`` cluster counts as two.
* The message is GSM-7 when every cluster is a single character of the GSM-7
  basic set or extension table; otherwise it is UCS-2.
* Each segment holds 1120 bits (140 octets).  GSM-7 characters cost 7 bits, or 14
  for the extension table (escape + character); in UCS-2 every UTF-16 code unit
  costs 16 bits.  A cluster is never split across segments, so an escape pair, a
  surrogate pair or an emoji sequence moves whole to the next segment.
* Once a second segment is needed, every segment carries a 6-octet user data
  header, which leaves 153 GSM-7 septets or 67 UCS-2 code units per segment.
* ``length`` is the package's ``numberOfCharacters``: septets for GSM-7 (an
  extension character counts 2), but *grapheme clusters* for UCS-2 -- so an emoji
  such as a thumbs up with a skin tone counts 1 even though it takes 4 code units.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

__all__ = [
    "GSM7", "MAX_BODY", "UCS2", "SegmentInfo", "segment_info", "smart_encode", "split_for_sms"
]

GSM7 = "GSM-7"
UCS2 = "UCS-2"
MAX_BODY = 1600  # Twilio's limit for one message, in characters

_SEGMENT_BITS = 1120  # 140 octets
_UDH_BITS = 48  # 6-octet user data header on every part of a multi-part message

# GSM 03.38 as the package maps it (note: only capital Ç, not ç; no backtick).
_GSM7_BASIC = (
    "\n\r !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
    "abcdefghijklmnopqrstuvwxyz¡£¤¥§¿ÄÅÆÇÉÑÖØÜßàäåæèéìñòöøùüΓΔΘΛΞΠΣΦΨΩ"
)
_GSM7_EXTENSION = "\f[\\]^{|}~€"  # sent as escape (0x1B) + character: 2 septets
_GSM7_SEPTETS: dict[str, int] = {
    **{ch: 1 for ch in _GSM7_BASIC},
    **{ch: 2 for ch in _GSM7_EXTENSION},
}


@dataclass(frozen=True)
class SegmentInfo:
    """What Twilio will do with one message body."""

    encoding: str  # GSM7 ("GSM-7") or UCS2 ("UCS-2")
    segments: int  # number of SMS segments Twilio bills
    length: int  # GSM-7: septets (extension chars count 2); UCS-2: grapheme clusters
    unicode_chars: tuple[str, ...]  # distinct characters that forced UCS-2, in order


def smart_encode(text: str) -> str:
    """Apply Twilio's Smart Encoding replacements (the npm package's table)."""
    return text.translate(_SMART_ENCODING)


def segment_info(text: str, smart_encoding: bool = True) -> SegmentInfo:
    """Encoding, billed segments and length of ``text``, exactly as Twilio's calculator.

    ``smart_encoding`` mirrors the Messaging Service setting of the same name.
    The empty message is GSM-7, 1 segment, length 0 (as the package reports).
    """
    # Join any separately stored surrogate halves, as a JavaScript string would.
    text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    if smart_encoding:
        text = smart_encode(text)
    # Most texts have no character that joins its neighbours into one cluster: splitting
    # them character by character gives the same clusters, twenty times faster.
    clusters = _split_graphemes(text) if _JOINING.search(text) else list(text)
    septets = _GSM7_SEPTETS
    if all(cluster in septets for cluster in clusters):
        sizes = [7 * septets[cluster] for cluster in clusters]
        return SegmentInfo(GSM7, _count_segments(sizes), sum(sizes) // 7, ())
    sizes = [16 if c in septets else 16 * _utf16_len(c) for c in clusters]
    unicode_chars = tuple(dict.fromkeys(c for c in clusters if c not in septets))
    return SegmentInfo(UCS2, _count_segments(sizes), len(clusters), unicode_chars)


def split_for_sms(parts: list[str]) -> list[str]:
    """Join reply parts into as few messages as Twilio allows, keeping their order."""
    messages: list[str] = []
    for part in parts:
        part = part[:MAX_BODY]
        if messages and len(messages[-1]) + 2 + len(part) <= MAX_BODY:
            messages[-1] += "\n\n" + part
        else:
            messages.append(part)
    return messages


def _utf16_len(text: str) -> int:
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def _count_segments(sizes: list[int]) -> int:
    """Fill 1120-bit segments with clusters of the given bit sizes, as the package does.

    The first segment is filled without a header; when a second one is needed the
    header is added to the first and whatever no longer fits moves to the second.
    Clusters are never split, so a segment can end a few bits short.
    """
    if sizes and min(sizes) == max(sizes):
        # All clusters the same size (plain text): the count is plain arithmetic.
        size = sizes[0]
        if len(sizes) * size <= _SEGMENT_BITS:
            return 1
        per_segment = (_SEGMENT_BITS - _UDH_BITS) // size
        return -(-len(sizes) // per_segment)
    first: list[int] = []  # cluster sizes in the first segment
    count = 1
    used = 0  # bits used in the current segment
    for size in sizes:
        if _SEGMENT_BITS - used < size:
            count += 1
            next_used = _UDH_BITS
            if count == 2:
                first_used = used + _UDH_BITS
                while first_used > _SEGMENT_BITS:
                    moved = first.pop()
                    first_used -= moved
                    next_used += moved
            used = next_used
        if count == 1:
            first.append(size)
        used += size
    return count


# --- Grapheme clusters: a port of grapheme-splitter 1.0.4 (Unicode 10.0.0) -------------
# The package decides encoding, length and where segments break per cluster, so the
# clusters must come out exactly as grapheme-splitter makes them, quirks included.

_CR = "CR"
_LF = "LF"
_CONTROL = "Control"
_EXTEND = "Extend"
_REGIONAL_INDICATOR = "Regional_Indicator"
_SPACINGMARK = "SpacingMark"
_L = "L"
_V = "V"
_T = "T"
_LV = "LV"
_LVT = "LVT"
_OTHER = "Other"
_PREPEND = "Prepend"
_E_BASE = "E_Base"
_E_MODIFIER = "E_Modifier"
_ZWJ = "ZWJ"
_GLUE_AFTER_ZWJ = "Glue_After_Zwj"
_E_BASE_GAZ = "E_Base_GAZ"


def _split_graphemes(text: str) -> list[str]:
    clusters: list[str] = []
    index = 0
    end = len(text)
    while index < end:
        brk = _next_break(text, index)
        cluster = text[index:brk]
        if cluster == "\r\n":  # the package counts CR LF as two characters
            clusters.extend(cluster)
        else:
            clusters.append(cluster)
        index = brk
    return clusters


def _next_break(text: str, index: int) -> int:
    if index >= len(text) - 1:
        return len(text)
    start = _break_property(text[index])
    mid: list[str] = []
    for i in range(index + 1, len(text)):
        nxt = _break_property(text[i])
        if _should_break(start, mid, nxt):
            return i
        mid.append(nxt)
    return len(text)


def _should_break(start: str, mid: list[str], nxt: str) -> bool:
    seq = [start, *mid, nxt]
    previous = seq[-2]

    # GB10 lookahead: E_Modifier not preceded by (E_Base | EBG) Extend*.
    e_modifier = _last_index(seq, _E_MODIFIER)
    if (
        e_modifier > 1
        and all(p == _EXTEND for p in seq[1:e_modifier])
        and start not in (_EXTEND, _E_BASE, _E_BASE_GAZ)
    ):
        return True
    # GB12/GB13 lookahead: regional indicator pairs.
    regional = _last_index(seq, _REGIONAL_INDICATOR)
    if (
        regional > 0
        and all(p == _REGIONAL_INDICATOR for p in seq[1:regional])
        and previous not in (_PREPEND, _REGIONAL_INDICATOR)
    ):
        return True
    if previous == _CR and nxt == _LF:  # GB3
        return False
    if previous in (_CONTROL, _CR, _LF):  # GB4
        return True
    if nxt in (_CONTROL, _CR, _LF):  # GB5
        return True
    if previous == _L and nxt in (_L, _V, _LV, _LVT):  # GB6
        return False
    if previous in (_LV, _V) and nxt in (_V, _T):  # GB7
        return False
    if previous in (_LVT, _T) and nxt == _T:  # GB8
        return False
    if nxt in (_EXTEND, _ZWJ, _SPACINGMARK):  # GB9, GB9a
        return False
    if previous == _PREPEND:  # GB9b
        return False
    # GB10, as grapheme-splitter writes it.
    non_extend = _last_index(seq, _EXTEND) - 1 if _EXTEND in seq else len(seq) - 2
    if (
        non_extend >= 0
        and seq[non_extend] in (_E_BASE, _E_BASE_GAZ)
        and all(p == _EXTEND for p in seq[non_extend + 1 : -1])
        and nxt == _E_MODIFIER
    ):
        return False
    if previous == _ZWJ and nxt in (_GLUE_AFTER_ZWJ, _E_BASE_GAZ):  # GB11
        return False
    if _REGIONAL_INDICATOR in mid:  # GB12, GB13
        return True
    if previous == _REGIONAL_INDICATOR and nxt == _REGIONAL_INDICATOR:
        return False
    return True  # GB999


def _last_index(seq: list[str], value: str) -> int:
    for i in range(len(seq) - 1, -1, -1):
        if seq[i] == value:
            return i
    return -1


def _break_property(ch: str) -> str:
    code = ord(ch)
    if 0xAC00 <= code <= 0xD7A3:  # Hangul syllables
        return _LV if (code - 0xAC00) % 28 == 0 else _LVT
    i = bisect_right(_BREAK_STARTS, code) - 1
    if i >= 0 and code <= _BREAK_ENDS[i]:
        return _BREAK_PROPS[i]
    return _OTHER


# Grapheme_Cluster_Break values other than Other, LV and LVT, as grapheme-splitter
# 1.0.4 has them (Unicode 10.0.0 GraphemeBreakProperty.txt plus its emoji classes).
_GRAPHEME_BREAK_RANGES: dict[str, str] = {
    _CR: "D",
    _LF: "A",
    _CONTROL: (
        "0-9 B-C E-1F 7F-9F AD 61C 180E 200B 200E-200F 2028-202E 2060-206F D800-DFFF FEFF "
        "FFF0-FFFB 1BCA0-1BCA3 1D173-1D17A E0000-E001F E0080-E00FF E01F0-E0FFF"
    ),
    _EXTEND: (
        "300-36F 483-489 591-5BD 5BF 5C1-5C2 5C4-5C5 5C7 610-61A 64B-65F 670 6D6-6DC 6DF-6E4 "
        "6E7-6E8 6EA-6ED 711 730-74A 7A6-7B0 7EB-7F3 816-819 81B-823 825-827 829-82D 859-85B "
        "8D4-8E1 8E3-902 93A 93C 941-948 94D 951-957 962-963 981 9BC 9BE 9C1-9C4 9CD 9D7 "
        "9E2-9E3 A01-A02 A3C A41-A42 A47-A48 A4B-A4D A51 A70-A71 A75 A81-A82 ABC AC1-AC5 "
        "AC7-AC8 ACD AE2-AE3 AFA-AFF B01 B3C B3E-B3F B41-B44 B4D B56-B57 B62-B63 B82 BBE BC0 "
        "BCD BD7 C00 C3E-C40 C46-C48 C4A-C4D C55-C56 C62-C63 C81 CBC CBF CC2 CC6 CCC-CCD "
        "CD5-CD6 CE2-CE3 D00-D01 D3B-D3C D3E D41-D44 D4D D57 D62-D63 DCA DCF DD2-DD4 DD6 DDF "
        "E31 E34-E3A E47-E4E EB1 EB4-EB9 EBB-EBC EC8-ECD F18-F19 F35 F37 F39 F71-F7E F80-F84 "
        "F86-F87 F8D-F97 F99-FBC FC6 102D-1030 1032-1037 1039-103A 103D-103E 1058-1059 "
        "105E-1060 1071-1074 1082 1085-1086 108D 109D 135D-135F 1712-1714 1732-1734 1752-1753 "
        "1772-1773 17B4-17B5 17B7-17BD 17C6 17C9-17D3 17DD 180B-180D 1885-1886 18A9 1920-1922 "
        "1927-1928 1932 1939-193B 1A17-1A18 1A1B 1A56 1A58-1A5E 1A60 1A62 1A65-1A6C 1A73-1A7C "
        "1A7F 1AB0-1ABE 1B00-1B03 1B34 1B36-1B3A 1B3C 1B42 1B6B-1B73 1B80-1B81 1BA2-1BA5 "
        "1BA8-1BA9 1BAB-1BAD 1BE6 1BE8-1BE9 1BED 1BEF-1BF1 1C2C-1C33 1C36-1C37 1CD0-1CD2 "
        "1CD4-1CE0 1CE2-1CE8 1CED 1CF4 1CF8-1CF9 1DC0-1DF9 1DFB-1DFF 200C 20D0-20F0 2CEF-2CF1 "
        "2D7F 2DE0-2DFF 302A-302F 3099-309A A66F-A672 A674-A67D A69E-A69F A6F0-A6F1 A802 A806 "
        "A80B A825-A826 A8C4-A8C5 A8E0-A8F1 A926-A92D A947-A951 A980-A982 A9B3 A9B6-A9B9 A9BC "
        "A9E5 AA29-AA2E AA31-AA32 AA35-AA36 AA43 AA4C AA7C AAB0 AAB2-AAB4 AAB7-AAB8 AABE-AABF "
        "AAC1 AAEC-AAED AAF6 ABE5 ABE8 ABED FB1E FE00-FE0F FE20-FE2F FF9E-FF9F 101FD 102E0 "
        "10376-1037A 10A01-10A03 10A05-10A06 10A0C-10A0F 10A38-10A3A 10A3F 10AE5-10AE6 11001 "
        "11038-11046 1107F-11081 110B3-110B6 110B9-110BA 11100-11102 11127-1112B 1112D-11134 "
        "11173 11180-11181 111B6-111BE 111CA-111CC 1122F-11231 11234 11236-11237 1123E 112DF "
        "112E3-112EA 11300-11301 1133C 1133E 11340 11357 11366-1136C 11370-11374 11438-1143F "
        "11442-11444 11446 114B0 114B3-114B8 114BA 114BD 114BF-114C0 114C2-114C3 115AF "
        "115B2-115B5 115BC-115BD 115BF-115C0 115DC-115DD 11633-1163A 1163D 1163F-11640 116AB "
        "116AD 116B0-116B5 116B7 1171D-1171F 11722-11725 11727-1172B 11A01-11A06 11A09-11A0A "
        "11A33-11A38 11A3B-11A3E 11A47 11A51-11A56 11A59-11A5B 11A8A-11A96 11A98-11A99 "
        "11C30-11C36 11C38-11C3D 11C3F 11C92-11CA7 11CAA-11CB0 11CB2-11CB3 11CB5-11CB6 "
        "11D31-11D36 11D3A 11D3C-11D3D 11D3F-11D45 11D47 16AF0-16AF4 16B30-16B36 16F8F-16F92 "
        "1BC9D-1BC9E 1D165 1D167-1D169 1D16E-1D172 1D17B-1D182 1D185-1D18B 1D1AA-1D1AD "
        "1D242-1D244 1DA00-1DA36 1DA3B-1DA6C 1DA75 1DA84 1DA9B-1DA9F 1DAA1-1DAAF 1E000-1E006 "
        "1E008-1E018 1E01B-1E021 1E023-1E024 1E026-1E02A 1E8D0-1E8D6 1E944-1E94A E0020-E007F "
        "E0100-E01EF"
    ),
    _ZWJ: "200D",
    _REGIONAL_INDICATOR: "1F1E6-1F1FF",
    _PREPEND: "600-605 6DD 70F 8E2 D4E 110BD 111C2-111C3 11A3A 11A86-11A89 11D46",
    _SPACINGMARK: (
        "903 93B 93E-940 949-94C 94E-94F 982-983 9BF-9C0 9C7-9C8 9CB-9CC A03 A3E-A40 A83 "
        "ABE-AC0 AC9 ACB-ACC B02-B03 B40 B47-B48 B4B-B4C BBF BC1-BC2 BC6-BC8 BCA-BCC C01-C03 "
        "C41-C44 C82-C83 CBE CC0-CC1 CC3-CC4 CC7-CC8 CCA-CCB D02-D03 D3F-D40 D46-D48 D4A-D4C "
        "D82-D83 DD0-DD1 DD8-DDE DF2-DF3 E33 EB3 F3E-F3F F7F 1031 103B-103C 1056-1057 1084 "
        "17B6 17BE-17C5 17C7-17C8 1923-1926 1929-192B 1930-1931 1933-1938 1A19-1A1A 1A55 1A57 "
        "1A6D-1A72 1B04 1B35 1B3B 1B3D-1B41 1B43-1B44 1B82 1BA1 1BA6-1BA7 1BAA 1BE7 1BEA-1BEC "
        "1BEE 1BF2-1BF3 1C24-1C2B 1C34-1C35 1CE1 1CF2-1CF3 1CF7 A823-A824 A827 A880-A881 "
        "A8B4-A8C3 A952-A953 A983 A9B4-A9B5 A9BA-A9BB A9BD-A9C0 AA2F-AA30 AA33-AA34 AA4D AAEB "
        "AAEE-AAEF AAF5 ABE3-ABE4 ABE6-ABE7 ABE9-ABEA ABEC 11000 11002 11082 110B0-110B2 "
        "110B7-110B8 1112C 11182 111B3-111B5 111BF-111C0 1122C-1122E 11232-11233 11235 "
        "112E0-112E2 11302-11303 1133F 11341-11344 11347-11348 1134B-1134D 11362-11363 "
        "11435-11437 11440-11441 11445 114B1-114B2 114B9 114BB-114BC 114BE 114C1 115B0-115B1 "
        "115B8-115BB 115BE 11630-11632 1163B-1163C 1163E 116AC 116AE-116AF 116B6 11720-11721 "
        "11726 11A07-11A08 11A39 11A57-11A58 11A97 11C2F 11C3E 11CA9 11CB1 11CB4 16F51-16F7E "
        "1D166 1D16D"
    ),
    _L: "1100-115F A960-A97C",
    _V: "1160-11A7 D7B0-D7C6",
    _T: "11A8-11FF D7CB-D7FB",
    _E_BASE: (
        "261D 26F9 270A-270D 1F385 1F3C2-1F3C4 1F3C7 1F3CA-1F3CC 1F442-1F443 1F446-1F450 "
        "1F46E 1F470-1F478 1F47C 1F481-1F483 1F485-1F487 1F4AA 1F574-1F575 1F57A 1F590 "
        "1F595-1F596 1F645-1F647 1F64B-1F64F 1F6A3 1F6B4-1F6B6 1F6C0 1F6CC 1F918-1F91C "
        "1F91E-1F91F 1F926 1F930-1F939 1F93D-1F93E 1F9D1-1F9DD"
    ),
    _E_MODIFIER: "1F3FB-1F3FF",
    _GLUE_AFTER_ZWJ: (
        "2640 2642 2695-2696 2708 2764 1F308 1F33E 1F373 1F393 1F3A4 1F3A8 1F3EB 1F3ED 1F48B "
        "1F4BB-1F4BC 1F527 1F52C 1F5E8 1F680 1F692"
    ),
    _E_BASE_GAZ: "1F466-1F469",
}


def _parse_ranges() -> list[tuple[int, int, str]]:
    ranges = []
    for prop, spec in _GRAPHEME_BREAK_RANGES.items():
        for item in spec.split():
            first, _, last = item.partition("-")
            ranges.append((int(first, 16), int(last or first, 16), prop))
    ranges.sort()
    return ranges


_RANGES = _parse_ranges()
# Characters that may share a cluster with a neighbour. CR, LF and controls stand alone (a CR LF
# cluster counts as two characters anyway); Hangul syllables (LV, LVT) join only with jamo,
# which are listed here.
_JOINING = re.compile(
    "["
    + "".join(
        f"{re.escape(chr(first))}-{re.escape(chr(last))}"
        for first, last, prop in _RANGES
        if prop not in (_CR, _LF, _CONTROL)
    )
    + "]"
)
_BREAK_STARTS = [r[0] for r in _RANGES]
_BREAK_ENDS = [r[1] for r in _RANGES]
_BREAK_PROPS = [r[2] for r in _RANGES]

# Twilio Smart Encoding, grouped by replacement.  Every character here is replaced
# when Smart Encoding is on.  Note the package's quirks, reproduced on purpose:
# no-break and most other wide spaces become TWO spaces, a tab becomes seven, and
# the backtick becomes an apostrophe.
_SMART_ENCODING_GROUPS: tuple[tuple[str, str], ...] = (
    ('"', "\u00ab\u00bb\u201c\u201d\u02ba\u02ee\u201f\u201e\u275d\u275e\u301d\u301e\uff02"),
    (
        "'",
        (
            "\u2018\u2019\u02bb\u02c8\u02bc\u02bd\u02b9\u201b\uff07\u00b4\u02ca\u0060"
            "\u02cb\u275b\u275c\u0313\u0314\ufe10\ufe11"
        ),
    ),
    ("/", "\u00f7\u29f8\u0337\u0338\u2044\u2215\uff0f"),
    ("1/4", "\u00bc"),
    ("1/2", "\u00bd"),
    ("3/4", "\u00be"),
    ("\\", "\u29f9\u29f5\u20e5\ufe68\uff3c"),
    ("_", "\u0332\uff3f\u2017"),
    ("|", "\u20d2\u20d3\u2223\uff5c\u23b8\u23b9\u23d0\u239c\u239f"),
    ("-", "\u23bc\u23bd\u2015\ufe63\uff0d\u2010\u2043\u2014\u2013\u2022"),
    ("@", "\ufe6b\uff20"),
    ("$", "\ufe69\uff04"),
    ("!", "\u01c3\ufe15\ufe57\uff01"),
    ("#", "\ufe5f\uff03"),
    ("%", "\ufe6a\uff05"),
    ("&", "\ufe60\uff06"),
    (",", "\u201a\u0326\ufe50\ufe51\uff0c\uff64\u3001"),
    ("(", "\u2768\u276a\ufe59\uff08\u27ee\u2985"),
    (")", "\u2769\u276b\ufe5a\uff09\u27ef\u2986"),
    (
        "*",
        (
            "\u204e\u2217\u229b\u2722\u2723\u2724\u2725\u2731\u2732\u2733\u273a\u273b"
            "\u273c\u273d\u2743\u2749\u274a\u274b\u29c6\ufe61\uff0a"
        ),
    ),
    ("+", "\u02d6\ufe62\uff0b"),
    (".", "\u3002\ufe52\uff0e\uff61"),
    ("0", "\uff10"),
    ("1", "\uff11"),
    ("2", "\uff12"),
    ("3", "\uff13"),
    ("4", "\uff14"),
    ("5", "\uff15"),
    ("6", "\uff16"),
    ("7", "\uff17"),
    ("8", "\uff18"),
    ("9", "\uff19"),
    (":", "\u02d0\u02f8\u2982\ua789\ufe13\uff1a"),
    (";", "\u204f\ufe14\ufe54\uff1b"),
    ("<", "\ufe64\uff1c\u2039"),
    ("=", "\u0347\ua78a\ufe66\uff1d"),
    (">", "\ufe65\uff1e\u203a"),
    ("?", "\ufe16\ufe56\uff1f"),
    ("A", "\uff21\u1d00"),
    ("B", "\uff22\u0299"),
    ("C", "\uff23\u1d04"),
    ("D", "\uff24\u1d05"),
    ("E", "\uff25\u1d07"),
    ("F", "\uff26\ua730"),
    ("G", "\uff27\u0262"),
    ("H", "\uff28\u029c"),
    ("I", "\uff29\u026a"),
    ("J", "\uff2a\u1d0a"),
    ("K", "\uff2b\u1d0b"),
    ("L", "\uff2c\u029f"),
    ("M", "\uff2d\u1d0d"),
    ("N", "\uff2e\u0274"),
    ("O", "\uff2f\u1d0f"),
    ("P", "\uff30\u1d18"),
    ("Q", "\uff31"),
    ("R", "\uff32\u0280"),
    ("S", "\uff33\ua731"),
    ("T", "\uff34\u1d1b"),
    ("U", "\uff35\u1d1c"),
    ("V", "\uff36\u1d20"),
    ("W", "\uff37\u1d21"),
    ("X", "\uff38"),
    ("Y", "\uff39\u028f"),
    ("Z", "\uff3a\u1d22"),
    ("^", "\u02c6\u0302\uff3e\u1dcd"),
    ("{", "\u2774\ufe5b\uff5b"),
    ("}", "\u2775\ufe5c\uff5d"),
    ("[", "\uff3b"),
    ("]", "\uff3d"),
    ("~", "\u02dc\u02f7\u0303\u0330\u0334\u223c\uff5e"),
    (
        "  ",
        (
            "\u00a0\u2000\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f"
            "\u205f\u3000\u008d\u009f\u0080\u0090\u009b"
        ),
    ),
    ("", ("\u0010\u0000\u0003\u0004\u0017\u0019\u0011\u0012\u0013\u0014\u2060\u200b\u200c\ufeff")),
    ("       ", "\u0009"),
    ("!!", "\u203c"),
    (" ", "\u2028\u2029\u2001"),
    ("...", "\u2026"),
)
_SMART_ENCODING: dict[int, str] = {
    ord(ch): replacement for replacement, chars in _SMART_ENCODING_GROUPS for ch in chars
}
