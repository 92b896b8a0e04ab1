"""Figures, dates and durations written as a French reader expects them: `304 686`, `9 novembre
2023`, `4 ans`; and the small words a sentence needs before a name (`de la CC …`, `d'Augé …`)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
NBSP = "\u00a0"
_FEMININE = ("CC ", "CA ", "CU ", "Communauté", "Métropole", "Région", "Enveloppe")


def number(value) -> str:
    """`304686` → `304 686`; `2,5` for decimals (non-breaking spaces between thousands)."""
    try:
        figure = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if figure == figure.to_integral_value():
        return f"{int(figure):,}".replace(",", NBSP)
    whole, _, fraction = f"{figure:,.2f}".rstrip("0").partition(".")
    return whole.replace(",", NBSP) + ("," + fraction if fraction else "")


def date(value: str) -> str:
    """An xsd:date, gYearMonth or gYear in words: `9 novembre 2023`, `novembre 2023`, `2018`."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value or "")
    if not match:
        return value
    year, month, day = match.groups()
    if month is None:
        return year
    words = f"{MONTHS[int(month) - 1]} {year}"
    if day is None:
        return words
    return f"{'1er' if day == '01' else int(day)} {words}"


def since(value: str) -> str:
    """`depuis le 9 novembre 2023`, `depuis novembre 2023`, `depuis 2018`."""
    return f"depuis {'le ' if len(value) == 10 else ''}{date(value)}"


def duration(value: str) -> str:
    """An xsd:duration of years or months in words: `P4Y` → `4 ans`."""
    match = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?", value or "")
    if not match or not any(match.groups()):
        return value
    years, months = match.groups()
    parts = []
    if years:
        parts.append(f"{years} an{'s' if int(years) > 1 else ''}")
    if months:
        parts.append(f"{months} mois")
    return " et ".join(parts)


def of(name: str) -> str:
    """The preposition and article before an organisation's name: `de la CC du Val de Morteau`,
    `d'Augé Microtechnic`, `du territoire …` is the caller's."""
    if name.startswith(_FEMININE):
        return f"de la {name}"
    if name[:1].lower() in "aeiouyéèêâîôûh":
        return f"d'{name}"
    return f"de {name}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    word = singular if count < 2 else (plural_form or singular + "s")
    return f"{number(count)} {word}"
