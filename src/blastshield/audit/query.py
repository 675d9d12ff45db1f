"""Filters over the log: plain data, and the SQL ``WHERE`` clause both stores share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from blastshield.audit.events import INDEXED_COLUMNS, utc_now
from blastshield.errors import UsageError

if TYPE_CHECKING:
    from datetime import datetime

#: Columns each store keeps beside the body, for filtering (verify checks they match it).
__all__ = ["INDEXED_COLUMNS", "Filter", "format_time", "parse_time", "select_sql", "utc_now", "where_clause"]


@dataclass(frozen=True)
class Filter:
    """Which records to return. Empty strings mean "any"."""

    session: str = ""
    host: str = ""
    tool: str = ""
    decision: str = ""
    event: str = ""
    rule: str = ""  # substring of the deciding rule
    since: str = ""  # ISO time, inclusive
    until: str = ""  # ISO time, exclusive
    after_seq: int = 0
    limit: int | None = None
    newest_first: bool = False


def format_time(moment: datetime) -> str:
    from datetime import UTC

    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_RELATIVE = r"^(\d+)\s*([smhdw])$"
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_time(text: str, option: str, now: datetime | None = None) -> str:
    """``--since``/``--until`` value → record-time string.

    Accepts ISO 8601 (date or date-time; no zone = UTC) or a relative age ``30s``,
    ``15m``, ``2h``, ``7d``, ``1w`` (that long before now).
    """
    from datetime import UTC, datetime, timedelta

    text = text.strip()
    relative = re.match(_RELATIVE, text)
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        moment = (now or datetime.now(UTC)) - timedelta(**{_UNITS[unit]: amount})
        return format_time(moment)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"{option} {text!r}: not a time",
                         hint="use ISO 8601 (2025-01-31, 2025-01-31T14:00:00Z) or an age (2h, 7d)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_time(moment)


def where_clause(selection: Filter, placeholder: str) -> tuple[str, list[object]]:
    """``WHERE ...`` (or "") and its parameters, with ``placeholder`` (``?`` or ``%s``)."""
    terms: list[str] = []
    params: list[object] = []
    for column, value in (("session_id", selection.session), ("host", selection.host),
                          ("tool", selection.tool), ("event", selection.event)):
        if value:
            terms.append(f"{column} = {placeholder}")
            params.append(value)
    if selection.decision:
        terms.append(f"(decision = {placeholder} OR applied = {placeholder})")
        params.extend([selection.decision, selection.decision])
    if selection.rule:
        terms.append(f"strpos(rule, {placeholder}) > 0" if placeholder == "%s"
                     else f"instr(rule, {placeholder}) > 0")
        params.append(selection.rule)
    if selection.since:
        terms.append(f"time >= {placeholder}")
        params.append(selection.since)
    if selection.until:
        terms.append(f"time < {placeholder}")
        params.append(selection.until)
    if selection.after_seq:
        terms.append(f"seq > {placeholder}")
        params.append(selection.after_seq)
    return ("WHERE " + " AND ".join(terms) if terms else ""), params


def select_sql(table: str, selection: Filter, placeholder: str) -> tuple[str, list[object]]:
    """The full query for records matching ``selection`` (seq, hash, body)."""
    where, params = where_clause(selection, placeholder)
    order = "DESC" if selection.newest_first else "ASC"
    sql = f"SELECT seq, hash, body FROM {table} {where} ORDER BY seq {order}"
    if selection.limit is not None:
        sql += f" LIMIT {int(selection.limit)}"
    return sql, params
