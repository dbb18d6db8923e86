"""Times people read are Santiago times, written the Chilean way, right across both clock changes.

tzdata 2026f: Chile's winter time starts on the first Sunday of April (2026-04-05, 2027-04-04: 00:00 becomes
23:00 of the Saturday) and summer time on the first Sunday of September (2026-09-06, 2027-09-05: 00:00 becomes
01:00)."""

from datetime import date, datetime, timezone

import pytest

from pepestore.clock import santiago_day_start, santiago_label, santiago_long_label, santiago_today

UTC = timezone.utc


@pytest.mark.parametrize(("stored_utc", "shown"), [
    # Summer time (UTC-3) until the first Sunday of April 2026...
    (datetime(2026, 4, 5, 2, 59, tzinfo=UTC), "04-04-2026 23:59"),
    # ...then winter time (UTC-4): the same local hour 23:xx comes round a second time.
    (datetime(2026, 4, 5, 3, 0, tzinfo=UTC), "04-04-2026 23:00"),
    (datetime(2026, 4, 5, 4, 0, tzinfo=UTC), "05-04-2026 00:00"),
    (datetime(2026, 7, 1, 16, 5), "01-07-2026 12:05"),  # naive from SQLite: stored in UTC
    # Winter time until the first Sunday of September 2026; 00:00-00:59 local does not exist that night.
    (datetime(2026, 9, 6, 3, 59, tzinfo=UTC), "05-09-2026 23:59"),
    (datetime(2026, 9, 6, 4, 0, tzinfo=UTC), "06-09-2026 01:00"),
    (datetime(2026, 11, 27, 17, 5, tzinfo=UTC), "27-11-2026 14:05"),
    (datetime(2027, 4, 4, 2, 30, tzinfo=UTC), "03-04-2027 23:30"),
    (datetime(2027, 4, 4, 3, 30, tzinfo=UTC), "03-04-2027 23:30"),
    (datetime(2027, 9, 5, 4, 0, tzinfo=UTC), "05-09-2027 01:00"),
])
def test_labels_follow_santiagos_clock_changes(stored_utc, shown):
    assert santiago_label(stored_utc) == shown


def test_the_long_label_for_sentences_in_both_languages():
    moment = datetime(2026, 11, 27, 17, 5, tzinfo=UTC)
    assert santiago_long_label(moment) == "27 de noviembre de 2026, 14:05"
    assert santiago_long_label(moment, "en") == "27 November 2026, 14:05"
    assert santiago_long_label(datetime(2026, 9, 6, 4, 0, tzinfo=UTC)) == "6 de septiembre de 2026, 01:00"
    assert santiago_long_label(None) == santiago_label(None) == ""


def test_santiago_days_begin_at_the_right_utc_instant_on_change_days():
    assert santiago_day_start(date(2026, 4, 4)) == datetime(2026, 4, 4, 3, 0, tzinfo=UTC)  # summer: UTC-3
    assert santiago_day_start(date(2026, 4, 5)) == datetime(2026, 4, 5, 4, 0, tzinfo=UTC)  # a 25-hour Saturday
    assert santiago_day_start(date(2026, 9, 6)) == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)  # 00:00 is skipped
    assert santiago_day_start(date(2026, 9, 7)) == datetime(2026, 9, 7, 3, 0, tzinfo=UTC)
    assert santiago_today(datetime(2026, 4, 5, 3, 30, tzinfo=UTC)) == date(2026, 4, 4)
