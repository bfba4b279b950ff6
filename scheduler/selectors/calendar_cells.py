"""The calendar grid's one query: the cells of a month (local days) or a week (local hours), the first cards of
each cell and each cell's count for "+N more" (see `grid_read`). Read by scheduler/selectors/calendar.py's `build`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, QuerySet

from accounts import localtime
from scheduler.models import Post

if TYPE_CHECKING:
    from scheduler.selectors.calendar import Window


def grid_cells(view: str, win: Window, zone: ZoneInfo) -> list[tuple[Any, datetime]]:
    """The cells a grid draws, in order, with the instant each begins: local days (month) or local hours (week).
    An hour that does not exist begins where the next one does (empty); a repeated hour spans both passes."""
    if view == "week":
        return [((day, hour), localtime.to_instant(datetime.combine(day, time(hour)), zone))
                for day in win.days() for hour in range(24)]
    return [(day, localtime.day_start(day, zone)) for day in win.days()]


@dataclass
class GridRead:
    ids: list[int]
    totals: dict[int, int]  # cell index -> stored cards in it
    taken: set[tuple[int, datetime]]  # (account, minute) of stored posts on a posting slot's minute


_LOW, _HIGH = datetime(1900, 1, 1, 0, 0, 1, tzinfo=UTC), datetime(1900, 1, 1, 0, 0, 2, tzinfo=UTC)  # stand-ins


def _sql(qs: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    return sql, list(params)


def db_instant(value: Any) -> datetime:
    """A publish_at as the database cursor returns it (SQLite: text in UTC; PostgreSQL: an aware datetime)."""
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _in_range_of(qs: QuerySet[Post], low: str, high: str, limit: int | None = None) -> tuple[str, list[Any]]:
    """`qs` bounded by the stand-in instants, compiled, with the bounds' placeholders replaced by the SQL names
    `low` and `high` (columns of the table of ranges it is joined to): one copy of the read for every range."""
    prep = connection.ops.adapt_datetimefield_value
    bounded = qs.filter(publish_at__gte=_LOW, publish_at__lt=_HIGH)
    sql, params = _sql(bounded[:limit] if limit else bounded)
    if "%%" in sql:  # a literal percent sign would split like a placeholder (none of our filters writes one)
        raise ValueError("calendar cell query with a literal %")
    pieces = sql.split("%s")
    out, kept = [pieces[0]], []
    for value, piece in zip(params, pieces[1:], strict=True):
        name = low if value == prep(_LOW) else high if value == prep(_HIGH) else None
        out += [name or "%s", piece]
        if name is None:
            kept.append(value)
    return "".join(out), kept


def _joined(qs: QuerySet[Post], ranges: str, limit: int | None = None) -> tuple[str, list[Any]]:
    """SQL that joins the table of ranges `ranges` (columns a, z) to the rows of `qs` in each range, in order and at
    most `limit` a range: on SQLite a correlated IN over the primary key (SQLite has no LATERAL), on PostgreSQL a
    LATERAL subquery (a correlated IN there would be a subplan per row pair)."""
    if connection.vendor == "postgresql":
        sql, params = _in_range_of(qs.values_list("id", "publish_at", "account_id"), f"{ranges}.a", f"{ranges}.z",
                                   limit=limit)
        return f"CROSS JOIN LATERAL ({sql}) p", params
    sql, params = _in_range_of(qs.values_list("id"), f"{ranges}.a", f"{ranges}.z", limit=limit)
    return f"JOIN {Post._meta.db_table} p ON p.id IN ({sql})", params


def _cell_reads(posts: QuerySet[Post], lo: datetime, starts: list[datetime], hi: datetime,
                cap: int, slot_minutes: list[datetime], slot_accounts: set[int]) -> tuple[str, list[Any]]:
    """The cells as a table of ranges (a VALUES list) and, joined to it, one small index range read per cell
    (`ORDER BY publish_at, id LIMIT cap`) and one count per cell (a correlated scalar subquery): each read is
    written once, whatever the number of cells, and bounded by its cell's own instants (with the window's bounds
    beside them SQLite walked the index from the window's start to reach each cell). Before: one UNION ALL member
    per cell (the week's 168 cells were 120 kB of SQL for SQLite to prepare) and, on PostgreSQL, ROW_NUMBER() over
    every post of the window."""
    prep = connection.ops.adapt_datetimefield_value
    cells, params = [], []
    for i, (a, b) in enumerate(zip(starts, starts[1:] + [hi], strict=True)):
        a = max(a, lo)  # the window's bounds hold for every cell
        if a < b:  # an hour that does not exist holds nothing
            cells.append("(%s, %s, %s)")
            params += [i, prep(a), prep(b)]
    first_join, first_params = _joined(posts.order_by("publish_at", "id"), "cell", limit=cap)
    count_sql, count_params = _in_range_of(posts.order_by().values("workspace").annotate(n=Count("id"))
                                           .values_list("n"), "cell.a", "cell.z")
    sql = (f"WITH cell(i, a, z) AS (VALUES {', '.join(cells)}) "
           f"SELECT 0, p.id, p.publish_at, p.account_id, cell.i, 0 FROM cell {first_join} "
           f"UNION ALL SELECT 1, NULL, NULL, NULL, cell.i, COALESCE(({count_sql}), 0) FROM cell")
    params += first_params + count_params
    if slot_minutes and slot_accounts:  # the posts on a posting slot's minute, the same way: one range a minute
        # (bounded by the minute alone: with the window's bounds beside it SQLite walked the week's index range for
        # every minute, 2.6 ms at 50 accounts)
        minutes = ", ".join(["(%s, %s)"] * len(slot_minutes))
        slot_join, slot_params = _joined(posts.filter(account_id__in=sorted(slot_accounts)).order_by(), "slot")
        sql += (f" UNION ALL SELECT * FROM (WITH slot(a, z) AS (VALUES {minutes}) "
                f"SELECT 2, p.id, p.publish_at, p.account_id, -1, 0 FROM slot {slot_join}) on_slots")
        for minute in slot_minutes:
            params += [prep(minute), prep(minute + timedelta(minutes=1))]
        params += slot_params
    return sql, params


def grid_read(posts: QuerySet[Post], lo: datetime, starts: list[datetime], hi: datetime, cap: int,
              day_cap: int | None = None, slot_minutes: list[datetime] | None = None,
              slot_accounts: set[int] | None = None) -> GridRead:
    """One query: the first `cap` posts of every cell, each cell's count, and (week) the posts standing on a posting
    slot's minute. `posts` are the posts the user may see with the page's filters, at any time; the window is
    [lo, hi). Cells begin at `starts` (from accounts/localtime: a 23- or 25-hour day is one cell) and the last
    ends at `hi`.

    The query joins a table of the cells' ranges to one small index range read per cell (ORDER BY publish_at, id
    LIMIT cap) and one count per cell for "+N more", plus the slot minutes' posts (`_cell_reads`). It reads `cap`
    rows a cell and counts the rest from the index: ROW_NUMBER() OVER the cells cost a sort of every post of the
    window (SQLite: 10 ms for a busy month). Each read is compiled once, with stand-in bounds that become the
    range table's columns (`_in_range_of`).

    With `day_cap` (week: 24 hour cells a day), only the first `day_cap` of a day's capped posts are kept as ids: a
    stored card drawn in a day is among them whatever the series' dates add (each earlier cell holds at most as many
    capped stored posts as it draws cards; a series' date only takes the place of a later one)."""
    sql, params = _cell_reads(posts, lo, starts, hi, cap, slot_minutes or [], slot_accounts or set())
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    out = GridRead(ids=[], totals={}, taken=set())
    firsts = []
    for part, pk, at, account_id, index, n in rows:
        if n:  # a cell's count (a row of its own)
            out.totals[index] = n
        if part == 1:
            continue
        at = db_instant(at)
        out.taken.add((account_id, at.replace(second=0, microsecond=0)))
        if part == 0:
            firsts.append((index, at, pk))
    firsts.sort()
    per_day: dict[int, int] = defaultdict(int)
    for index, _, pk in firsts:
        if day_cap is not None:
            per_day[index // 24] += 1
            if per_day[index // 24] > day_cap:
                continue
        out.ids.append(pk)
    return out
