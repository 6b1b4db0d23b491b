"""Dates from spreadsheet cells: real Excel dates and the texts 2019-07-01, 2019/7/1, 2019.07.01, 2019年7月1日."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_EXCEL_EPOCH = date(1899, 12, 30)


class DateParseError(ValueError):
    pass


def parse_date(value: object) -> date | None:
    """None for an empty cell; DateParseError (Chinese, with the accepted forms) for anything unreadable."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise DateParseError("不是日期")
    if isinstance(value, (int, float)):
        # A date cell that reached us as its serial number (some writers drop the date format).
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise DateParseError(f"“{value}”不是有效日期")
    text = str(value).strip()
    if not text:
        return None
    text = text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}", text) else text
    m = _TEXT.match(text)
    if not m:
        raise DateParseError(
            f"“{text[:30]}”不是可识别的日期；请写作 2019-07-01、2019/7/1、2019.07.01 或 2019年7月1日"
        )
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise DateParseError(f"“{text}”不是有效日期（月份或日期超出范围）")


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
