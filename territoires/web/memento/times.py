"""Vintages as datetimes, and the choice a TimeGate makes (RFC 7089 §4.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime


HEADER = "Accept-Datetime"


@dataclass(frozen=True)
class Chosen:
    """A TimeGate's negotiation in time: the vintage chosen, and the `Vary` it implies;
    `gone` when the datetime asked for is on or after the resource ceased to exist (then no
    memento is what it was at that date)."""
    year: int
    gone: bool = False

    @property
    def vary(self) -> dict[str, str]:
        return {"Vary": HEADER.lower()}


class BadDatetime(ValueError):
    """An Accept-Datetime that is not an RFC 1123 date (answered 400)."""


def moment(year: int) -> datetime:
    """When a vintage comes into force: 1 January, 00:00 UTC."""
    return datetime(year, 1, 1, tzinfo=timezone.utc)


def http_date(year: int) -> str:
    """The vintage's datetime as an HTTP-date (`Tue, 01 Jan 2019 00:00:00 GMT`)."""
    return format_datetime(moment(year), usegmt=True)


def accept_datetime(value: str) -> datetime:
    """An `Accept-Datetime` header's datetime; BadDatetime when it is not an HTTP-date."""
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is None or "GMT" not in value.upper():
        raise BadDatetime(f"Accept-Datetime {value!r} is not an RFC 1123 date in GMT "
                          "(e.g. Thu, 09 Nov 2023 00:00:00 GMT)")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def choose(years: list[int], when: datetime | None) -> int:
    """The memento in force at `when`: the latest vintage that began by then; the first one
    for a datetime before any; the latest without a datetime."""
    ordered = sorted(years)
    if when is None:
        return ordered[-1]
    begun = [year for year in ordered if moment(year) <= when]
    return begun[-1] if begun else ordered[0]


def negotiate(years: list[int], header: str | None, ceased: date | None = None) -> Chosen:
    """The memento an `Accept-Datetime` header (or its absence) asks for, and whether the
    resource had ceased by then (`ceased`: the day it no longer existed, None: it exists);
    BadDatetime when the header is not an HTTP-date."""
    when = accept_datetime(header) if header else None
    gone = ceased is not None and (when is None or when >= _midnight(ceased))
    return Chosen(choose(years, when), gone)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
