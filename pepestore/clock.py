"""UTC time as the store stores it. Its own module so that any table module can use it without importing another."""

from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; every datetime we store was written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
