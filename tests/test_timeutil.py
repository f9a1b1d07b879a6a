from __future__ import annotations

import pytest

from crawler.timeutil import KST, iso_utc, parse_day


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Yonhap RSS: RFC 822 layout without a zone -> KST
        ("Fri, 25 Apr 2025 07:41:12", "2025-04-24T22:41:12+00:00"),
        # Korea Herald RSS: +0900 and +09:00 both occur
        ("Thu, 24 Apr 2025 18:42:17 +0900", "2025-04-24T09:42:17+00:00"),
        ("2025-04-24T18:42:17+09:00", "2025-04-24T09:42:17+00:00"),
        ("2025-04-24T18:42:17+0900", "2025-04-24T09:42:17+00:00"),
        # Korea Herald JSON-LD: ISO without an offset -> KST
        ("2025-04-24T18:42:17", "2025-04-24T09:42:17+00:00"),
        ("2025-04-24 18:42", "2025-04-24T09:42:00+00:00"),
        # Reuters: Z
        ("2025-04-24T22:41:07Z", "2025-04-24T22:41:07+00:00"),
        # Nikkei __NEXT_DATA__: unix seconds
        (1745561520, "2025-04-25T06:12:00+00:00"),
        ("1745561520", "2025-04-25T06:12:00+00:00"),
    ],
)
def test_naive_times_take_the_outlet_zone_and_everything_is_stored_in_utc(raw, expected):
    assert iso_utc(raw, KST) == expected


def test_unparseable_and_empty_dates_are_none():
    assert iso_utc("yesterday-ish", KST) is None
    assert iso_utc("", KST) is None
    assert iso_utc(None, KST) is None


def test_user_dates_must_be_iso_days():
    assert parse_day("2025-04-22").isoformat() == "2025-04-22"
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_day("22/04/2025")
