"""Countries named in free text ('Mexico', 'México', 'guatemala') → ISO codes, in any language."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from babel import Locale, UnknownLocaleError

from ..conversation.text import fold


def babel_locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


@cache
def country_names(code: str) -> dict[str, str]:
    """Folded country names in one language → ISO code (two letters only, no regions)."""
    locale = babel_locale(code)
    if locale is None:
        return {}
    return {
        fold(name): territory
        for territory, name in locale.territories.items()
        if len(territory) == 2 and territory.isalpha()
    }


def find_country(text: str, languages: Iterable[str]) -> str | None:
    """The ISO code of the country a typed answer names, in any of these languages or English."""
    folded = fold(text).strip(" .")
    if not folded:
        return None
    for code in (*languages, "en"):
        found = country_names(code).get(folded)
        if found:
            return found
    return None


def country_name(code: str, language: str) -> str:
    """A country's name in a language ('MX', 'es' → 'México')."""
    locale = babel_locale(language) or Locale("en")
    return locale.territories.get(code, code)


def is_country(code: str) -> bool:
    return code in Locale("en").territories and len(code) == 2 and code.isalpha()
