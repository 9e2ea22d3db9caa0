"""The New York Stock Exchange (XNYS) trading calendar as a table of calendar days.

Silver uses it to measure gaps inside a ticker's series in trading days rather than in
calendar days. Sessions come from the pinned ``exchange-calendars`` package, which holds the
holiday rules locally: nothing is downloaded at run time.
"""

from __future__ import annotations

import datetime as dt

import exchange_calendars as xcals
import pandas as pd

CALENDAR_CODE = "XNYS"


def xnys_calendar_days(start: dt.date | str, end: dt.date | str) -> pd.DataFrame:
    """Return one row per calendar day from ``start`` to ``end`` (both included).

    Columns:

    - ``calendar_date`` (``datetime.date``);
    - ``is_xnys_session`` (bool): the exchange holds a regular session that day;
    - ``xnys_sessions_through`` (int64): number of sessions from ``start`` up to and including
      that day. Only differences of this counter mean something: the number of sessions
      strictly between two days ``a < b`` is ``sessions_through(b) - is_session(b) -
      sessions_through(a)``.
    """
    start_ts = pd.Timestamp(start).normalize()
    end_ts = pd.Timestamp(end).normalize()
    if end_ts < start_ts:
        raise ValueError(f"end {end_ts.date()} is before start {start_ts.date()}")
    calendar = xcals.get_calendar(CALENDAR_CODE, start=start_ts, end=end_ts)
    days = pd.date_range(start_ts, end_ts, freq="D")
    sessions = calendar.sessions.tz_localize(None) if calendar.sessions.tz else calendar.sessions
    is_session = days.isin(sessions)
    return pd.DataFrame(
        {
            "calendar_date": days.date,
            "is_xnys_session": is_session,
            "xnys_sessions_through": is_session.astype("int64").cumsum(),
        }
    )
