"""Dates: parse leniently, make naive values explicit with the outlet's zone, store UTC."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime

KST = timezone(timedelta(hours=9), "KST")
UTC = timezone.utc

_NUMERIC_TZ = re.compile(r"([+-]\d{2})(\d{2})$")


def parse_datetime(value: object, default_tz: tzinfo = UTC) -> datetime | None:
    """Parse an ISO 8601, RFC 822 or unix-seconds value into an aware UTC datetime.

    Naive values are taken to be in ``default_tz`` (KST for the Korean outlets), which is the
    one place where the outlets' habit of omitting offsets is corrected.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), tz=UTC)
    else:
        parsed = _parse_text(str(value).strip())
        if parsed is None:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=default_tz)
    return parsed.astimezone(UTC)


def _parse_text(text: str) -> datetime | None:
    if re.fullmatch(r"\d{9,11}", text):
        return datetime.fromtimestamp(int(text), tz=UTC)
    iso = text.replace("Z", "+00:00") if text.endswith("Z") else text
    iso = _NUMERIC_TZ.sub(r"\1:\2", iso) if re.search(r"\d[+-]\d{4}$", iso) else iso
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in ("%Y-%m-%d %H:%M", "%Y.%m.%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y%m%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def to_iso(value: datetime | None) -> str | None:
    """UTC ISO 8601 to the second, the form every timestamp column holds."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def iso_utc(value: object, default_tz: tzinfo = UTC) -> str | None:
    return to_iso(parse_datetime(value, default_tz))


def now_iso() -> str:
    return to_iso(datetime.now(UTC)) or ""


def parse_day(value: str) -> date:
    """A user-given day (YYYY-MM-DD or a full ISO timestamp); raises ValueError if neither."""
    text = value.strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise ValueError(f"not a date (want YYYY-MM-DD): {value!r}") from exc
