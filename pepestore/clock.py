"""Time: UTC as the store stores it, and Santiago time as people in Chile read it.

Its own module so that any table module can use it without importing another.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

SANTIAGO = ZoneInfo("America/Santiago")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; every datetime we store was written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def in_santiago(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(SANTIAGO)


def santiago_label(moment: datetime | None) -> str:
    """27-11-2026 14:05, the way Chileans write a date and a 24-hour time."""
    return in_santiago(moment).strftime("%d-%m-%Y %H:%M") if moment else ""


MONTHS = {
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


def santiago_long_label(moment: datetime | None, language: str = "es") -> str:
    """"27 de noviembre de 2026, 14:05" (in English "27 November 2026, 14:05"), for sentences in emails.

    Written out here rather than with strftime("%B"): month names from the C locale would be English whatever
    the shopper reads, and installing locales is not something a deploy should depend on."""
    if not moment:
        return ""
    local = in_santiago(moment)
    month = MONTHS.get(language, MONTHS["es"])[local.month - 1]
    joiner = " de " if language not in MONTHS or language == "es" else " "
    return f"{local.day}{joiner}{month}{joiner}{local.year}, {local:%H:%M}"


def santiago_day_start(day: date) -> datetime:
    """The UTC instant a Santiago calendar day begins (summer and winter time both)."""
    return datetime.combine(day, time.min, tzinfo=SANTIAGO).astimezone(timezone.utc)


def santiago_today(now: datetime) -> date:
    return in_santiago(now).date()


def santiago_week_start(now: datetime) -> datetime:
    today = santiago_today(now)
    return santiago_day_start(today - timedelta(days=today.weekday()))
