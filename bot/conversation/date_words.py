"""The words of dates in each language (relative days, weekdays, fillers, counts), compiled once."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from .text import has_cjk

_LANGS = ("en", "es", "pt", "fr", "ht", "zh", "vi", "tl", "ko", "ar")


@lru_cache(maxsize=64)
def base_language(locale: str) -> str:
    """Engine locale ('zh-Hant', 'es_MX', 'pt-BR', 'fil') to one of our base languages."""
    base = re.split(r"[-_@.]", (locale or "en").strip().lower(), maxsplit=1)[0]
    if base == "fil":
        return "tl"
    return base if base in _LANGS else "en"


# Relative-day words (days before today), weekdays (0=Monday) and "last week" cues. dateparser
# misses many everyday forms ("anoche", "hier soir", "hôm kia", "그저께", "البارحة", "yè"), so
# these tables are checked first. Entries are folded; Latin/Arabic ones match whole words.
# Alternatives are separated by "/".
_REL_TABLE: dict[str, dict[int, str]] = {
    "en": {
        0: "today/tonight/this morning/this afternoon/this evening/earlier today",
        1: "yesterday/yday/yest/ystrdy/last night",
        2: "day before yesterday/the day before yesterday",
    },
    "es": {
        0: "hoy/esta manana/esta tarde/esta noche/hace rato/hace un rato/hace ratito",
        1: "ayer/anoche",
        2: "anteayer/antier/antenoche/antes de ayer/antes de anoche/antes de ayer en la noche",
    },
    "pt": {
        0: "hoje/hoje cedo/esta manha/essa manha/nesta manha/hoje de manha/esta noite",
        1: "ontem",
        2: "anteontem/antes de ontem",
    },
    "fr": {
        0: "aujourd hui/aujourdhui/ce matin/cet apres midi/ce soir",
        1: "hier",
        2: "avant hier/avanthier",
    },
    "ht": {0: "jodi a/jodia/jodi/maten an/aswe a", 1: "ye/yeswa", 2: "avan ye/avanye"},
    "vi": {
        0: "hom nay/homnay/sang nay/chieu nay/toi nay",
        1: "hom qua/homqua/toi qua/dem qua",
        2: "hom kia",
        3: "hom kia nua",
    },
    "zh": {0: "今天/今日/今早/今晚", 1: "昨天/昨日/昨晚/昨夜", 2: "前天/前日", 3: "大前天"},
    "ko": {0: "오늘", 1: "어제/어젯밤", 2: "그저께/그제/엊그제"},
    "ar": {
        0: "اليوم/النهارده",
        1: "امس/بالامس/البارحه/امبارح/مبارح/ليله امس",
        2: "اول امس/اول امبارح/اول البارحه",
    },
    "tl": {
        0: "ngayon/ngayong araw/kanina/kaninang umaga",
        1: "kahapon/kagabi",
        2: "kamakalawa",
    },
}
_REL: dict[str, dict[str, int]] = {
    lang: {p: n for n, alts in table.items() for p in alts.split("/")}
    for lang, table in _REL_TABLE.items()
}

# Monday..Sunday separated by "|".
_WEEKDAY_TABLE: dict[str, str] = {
    "en": "monday|tuesday|wednesday|thursday|friday|saturday|sunday",
    "es": "lunes|martes|miercoles|jueves|viernes|sabado|domingo",
    "pt": "segunda feira/segunda/2a feira|terca feira/terca/3a feira|quarta feira/quarta/4a feira|"
    "quinta feira/quinta/5a feira|sexta feira/sexta/6a feira|sabado|domingo",
    "fr": "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche",
    "ht": "lendi/lundi|madi/mardi|mekredi/mercredi|jedi/jeudi|vandredi/vendredi|samdi/samedi|"
    "dimanch/dimanche",
    "vi": "thu hai/thu 2/t2|thu ba/thu 3/t3|thu tu/thu 4/t4|thu nam/thu 5/t5|thu sau/thu 6/t6|"
    "thu bay/thu 7/t7|chu nhat/cn",
    "zh": "|".join(
        "/".join(p + d for p in ("星期", "礼拜", "禮拜", "周", "週") for d in days)
        for days in ("一", "二", "三", "四", "五", "六", "日天")
    ),
    "ko": "월요일|화요일|수요일|목요일|금요일|토요일|일요일",
    "ar": "الاثنين/الاتنين/اثنين|الثلاثاء/الثلاثا/التلات/ثلاثاء|الاربعاء/الاربع/اربعاء|"
    "الخميس/خميس|الجمعه/جمعه|السبت/سبت|الاحد/الحد/احد",
    "tl": "lunes|martes|miyerkules/miyerkoles|huwebes|biyernes|sabado|linggo",
}
# Abbreviations only count when they are the whole answer ("sat", "wed").
_WEEKDAY_ABBR_TABLE: dict[str, str] = {"en": "mon|tue/tues|wed|thu/thur/thurs|fri|sat|sun"}


def _weekday_table(table: dict[str, str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """'mon|tue/tues|...' to ((mon,), (tue, tues), ...)."""
    return {
        lang: tuple(tuple(day.split("/")) for day in days.split("|"))
        for lang, days in table.items()
    }


_WEEKDAYS = _weekday_table(_WEEKDAY_TABLE)
_WEEKDAY_ABBR = _weekday_table(_WEEKDAY_ABBR_TABLE)

_LAST_WEEK: dict[str, tuple[str, ...]] = {
    "en": ("last week", "past week", "the week before"),
    "es": ("semana pasada", "pasada semana"),
    "pt": ("semana passada",),
    "fr": ("semaine derniere", "semaine passee"),
    "ht": (
        "semen pase",
        "semenn pase",
        "semen ki pase",
        "semenn ki pase",
        "semen ki sot pase",
        "semenn ki sot pase",
        "denye semen",
    ),
    "vi": ("tuan truoc", "tuan roi", "tuan qua"),
    "zh": (
        "上周",
        "上週",
        "上星期",
        "上个星期",
        "上個星期",
        "上礼拜",
        "上禮拜",
        "上个礼拜",
        "上個禮拜",
    ),
    "ko": ("지난주", "지난 주", "저번주", "저번 주"),
    "ar": ("الاسبوع الماضي", "الاسبوع اللي فات", "الاسبوع الي فات"),
    "tl": ("nakaraang linggo", "noong isang linggo", "isang linggo", "linggo na ang nakalipas"),
}

# Words that may surround a date without changing it: articles, prepositions, "last/past",
# parts of the day, "it was". If nothing else is left, the answer is the whole message.
_FILLER: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "on the last past this that was it its s in at about around morning afternoon "
        "evening night day ago early late",
        "es": "el la los las lo de del en este esta ese esa pasado pasada fue era dia manana "
        "tarde noche madrugada por como a al y",
        "pt": "o a os as na no de da do em foi era passado passada passou ultimo ultima ultimo "
        "dia feira manha tarde noite esta essa nesta nessa pela de cedo",
        "fr": "le la l les de du dernier derniere passe passee ce cet cette matin soir apres midi "
        "nuit c etait est jour en au",
        "ht": "la a an nan pase sot ki denye swa maten apremidi aswe te se li jou lan",
        "vi": "ngay vao hom buoi sang chieu toi dem vua roi qua la",
        "zh": "",
        "ko": "",
        "ar": "يوم في الماضي الماضيه اللي فات صباح الصبح مساء ليله ليل بالليل",
        "tl": "noong nung ng sa ang nakaraang nakaraan nakalipas umaga hapon gabi araw na",
    }.items()
}
CJK_FILLER = re.compile(
    r"上个|上個|上|这个|這個|这|這|的|在|是|早上|上午|下午|晚上|凌晨|那天|号|號|"
    r"에|요|밤|아침|오후|저녁|새벽|낮|쯤|지난|저번|이번|날"
)

# Small counts for "N days ago", 1 upwards; "/" separates words with the same value.
_NUM_WORD_TABLE: dict[str, str] = {
    "en": "one two three four five six seven eight nine ten",
    "es": "un/uno/una dos tres cuatro cinco seis siete ocho nueve diez",
    "pt": "um/uma dois/duas tres quatro cinco seis sete oito nove dez",
    "fr": "un/une deux trois quatre cinq six sept huit neuf dix",
    "ht": "en/youn de twa kat senk sis set uit nef dis",
    "vi": "mot hai ba bon nam sau bay tam chin muoi",
    "tl": "isa/isang dalawa/dalawang tatlo/tatlong apat lima/limang anim pito/pitong walo/walong "
    "siyam sampu/sampung",
    "zh": "一 两/兩/二 三 四 五 六 七 八 九 十",
    "ko": "하루 이틀 사흘 나흘",
    "ar": "يوم يومين ثلاث/ثلاثه اربع/اربعه خمس/خمسه",
}
_NUM_WORDS: dict[str, dict[str, int]] = {
    lang: {w: n for n, alts in enumerate(words.split(), 1) for w in alts.split("/")}
    for lang, words in _NUM_WORD_TABLE.items()
}

_DAYS_AGO_TEMPLATES: dict[str, tuple[str, ...]] = {
    "en": (r"(?P<n>NUM) days? ago",),
    "es": (r"hace (?P<n>NUM) dias?",),
    "pt": (r"ha (?P<n>NUM) dias?", r"(?P<n>NUM) dias? atras"),
    "fr": (r"il y a (?P<n>NUM) jours?",),
    "ht": (r"(?:sa )?(?:fe|gen) (?P<n>NUM) jou", r"(?P<n>NUM) jou (?:de sa|pase|ki pase)"),
    "vi": (r"(?P<n>NUM) ngay (?:truoc|trc)",),
    "tl": (
        r"(?P<n>NUM) (?:na )?araw (?:na )?(?:ang )?(?:nakalipas|nakaraan)",
        r"nakalipas na (?P<n>NUM) araw",
    ),
    "zh": (r"(?P<n>NUM) ?天(?:以前|之前|前)",),
    "ko": (r"(?P<n>NUM) ?일? ?전",),
    "ar": (r"(?:منذ|قبل|من) (?P<n>NUM)(?: (?:ايام|يوم))?",),
}

# Kreyòl month names to French, so dateparser's French data reads "3 novanm".
_HT_MONTHS = {
    "janvye": "janvier",
    "fevriye": "fevrier",
    "mas": "mars",
    "avril": "avril",
    "me": "mai",
    "jen": "juin",
    "jiye": "juillet",
    "out": "aout",
    "septanm": "septembre",
    "oktob": "octobre",
    "novanm": "novembre",
    "desanm": "decembre",
}
_HT_MONTH_RE = re.compile(r"(?<!\w)(\d{1,2}) (" + "|".join(_HT_MONTHS) + r")(?!\w)")


def kreyol_months_to_french(text: str) -> str:
    """'3 novanm' to '3 novembre' in folded text, for dateparser's French data."""
    return _HT_MONTH_RE.sub(lambda m: f"{m.group(1)} {_HT_MONTHS[m.group(2)]}", text)


def _cue_regex(phrases: Sequence[str]) -> re.Pattern[str]:
    """One alternation, longest first; Latin/Arabic phrases need word boundaries, CJK do not."""
    parts = []
    for p in sorted(set(phrases), key=len, reverse=True):
        esc = re.escape(p)
        parts.append(esc if has_cjk(p) else rf"(?<!\w){esc}(?!\w)")
    return re.compile("|".join(parts))


@dataclass(frozen=True)
class Cues:
    """Per-language lookup tables compiled once."""

    meaning: dict[str, tuple[str, int]]
    regex: re.Pattern[str]
    abbr: dict[str, int]
    filler: frozenset[str]
    days_ago: tuple[re.Pattern[str], ...]
    num_words: dict[str, int]


def _build_cues(lang: str) -> Cues:
    """Compile the cue tables for lang (always including English)."""
    meaning: dict[str, tuple[str, int]] = {}
    abbr: dict[str, int] = {}
    filler: set[str] = set()
    num_words: dict[str, int] = {}
    templates: list[str] = []
    for source in dict.fromkeys(("en", lang)):
        for p, n in _REL.get(source, {}).items():
            meaning[p] = ("rel", n)
        for wd, names in enumerate(_WEEKDAYS.get(source, ())):
            for p in names:
                meaning.setdefault(p, ("wd", wd))
        for wd, names in enumerate(_WEEKDAY_ABBR.get(source, ())):
            for p in names:
                abbr[p] = wd
        for p in _LAST_WEEK.get(source, ()):
            meaning[p] = ("lastweek", 0)
        filler |= _FILLER.get(source, frozenset())
        num_words.update(_NUM_WORDS.get(source, {}))
        templates.extend(_DAYS_AGO_TEMPLATES.get(source, ()))
    # Chinese writes "last week Monday" as one word: 上周一, 上星期五...
    if lang == "zh":
        for wd, names in enumerate(_WEEKDAYS["zh"]):
            for name in names:
                for prefix in ("上", "上个", "上個"):
                    meaning[prefix + name] = ("lastweek_wd", wd)
    for p in _REL.get(lang, {}):
        filler.discard(p)
    number = r"\d{1,3}|" + "|".join(re.escape(w) for w in sorted(num_words, key=len, reverse=True))
    days_ago = tuple(
        re.compile(rf"(?<!\w){t.replace('NUM', f'(?:{number})')}(?!\w)")
        if not has_cjk(t)
        else re.compile(t.replace("NUM", f"(?:{number})"))
        for t in templates
    )
    return Cues(meaning, _cue_regex(list(meaning)), abbr, frozenset(filler), days_ago, num_words)


_CUES: dict[str, Cues] = {lang: _build_cues(lang) for lang in _LANGS}


def cues_for(lang: str) -> Cues:
    """The compiled tables for a base language (see base_language)."""
    return _CUES[lang]
