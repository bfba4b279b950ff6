"""The calendar grid's one query: the cells of a month (local days) or a week (local hours), the first cards of
each cell and each cell's count for "+N more" (see `grid_read`). Read by scheduler/selectors/calendar.py's `build`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, IntegerField, Q, QuerySet
from django.db.models.expressions import RawSQL

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


def _cell_of(starts: list[datetime]) -> RawSQL:
    """The cell number of publish_at (cell i begins at starts[i]) as a CASE that halves the cells at each level: a
    row costs log2(cells) comparisons, not one per cell. Written as SQL text: the 168 cells of a week as nested
    Case/When objects cost more to compile than the query costs to run."""
    column = f"{connection.ops.quote_name(Post._meta.db_table)}.{connection.ops.quote_name('publish_at')}"
    params: list[Any] = []

    def level(first: int, end: int) -> str:
        if end - first == 1:
            return str(first)
        mid = (first + end) // 2
        params.append(connection.ops.adapt_datetimefield_value(starts[mid]))
        low = level(first, mid)
        return f"CASE WHEN {column} < %s THEN {low} ELSE {level(mid, end)} END"

    sql = level(0, len(starts))
    return RawSQL(sql, tuple(params), output_field=IntegerField())


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


def _cell_reads(posts: QuerySet[Post], lo: datetime, starts: list[datetime], hi: datetime, cap: int,
                parts: list[str], params: list[Any]) -> None:
    """(SQLite) One small index range read per cell, each row carrying its cell's count, as UNION ALL members. A cell
    is bounded by its own instants alone: with the window's bounds beside them, SQLite walked the index from the
    window's start to reach each cell (6 ms at 50,000 posts). The count is an uncorrelated subquery over the same
    range (SQLite runs it once per cell): one GROUP BY of the window's rows by a CASE of the cells cost three
    times as much at 50,000 posts. A cell without a first row has no posts, so no count is lost."""
    prep = connection.ops.adapt_datetimefield_value
    in_cell = posts.filter(publish_at__gte=_LOW, publish_at__lt=_HIGH).order_by()
    first_sql, first_params = _sql(in_cell.order_by("publish_at", "id").values_list("id", "publish_at",
                                                                                  "account_id")[:cap])
    count_sql, count_params = _sql(in_cell.values("workspace").annotate(n=Count("id")).values_list("n"))
    # In the order their placeholders come in a member's text: the count (select list), then the read (FROM).
    stand_ins = [(count_params, count_params.index(prep(_LOW)), count_params.index(prep(_HIGH))),
                 (first_params, first_params.index(prep(_LOW)), first_params.index(prep(_HIGH)))]
    bounds = list(zip(starts, starts[1:] + [hi], strict=True))
    for i, (a, b) in enumerate(bounds):
        a = max(a, lo)  # the window's bounds hold for every cell
        if a >= b:
            continue  # an hour that does not exist: nothing can be in it
        for template, low, high in stand_ins:
            cell_params = list(template)
            cell_params[low], cell_params[high] = prep(a), prep(b)
            params += cell_params
        parts.append(f"SELECT 0, c{i}.*, {i}, ({count_sql}) FROM ({first_sql}) c{i}")


def grid_read(posts: QuerySet[Post], lo: datetime, starts: list[datetime], hi: datetime, cap: int,
              day_cap: int | None = None, slot_minutes: list[datetime] | None = None,
              slot_accounts: set[int] | None = None) -> GridRead:
    """One query: the first `cap` posts of every cell, each cell's count, and (week) the posts standing on a posting
    slot's minute. `posts` are the posts the user may see with the page's filters, at any time; the window is
    [lo, hi). Cells begin at `starts` (from accounts/localtime: a 23- or 25-hour day is one cell) and the last
    ends at `hi`.

    On SQLite the query is a UNION ALL of one small index range read per cell (ORDER BY publish_at, id LIMIT cap), its
    rows carrying the cell's count for "+N more" (`_cell_reads`), and the slot minutes' posts. It
    reads `cap` rows a cell and counts the rest from the index: ROW_NUMBER() OVER the cells cost a sort of every
    post of the window (SQLite: 10 ms for a busy month). The cell's read is compiled once with stand-in bounds and
    its parameters swapped per cell.

    With `day_cap` (week: 24 hour cells a day), only the first `day_cap` of a day's capped posts are kept as ids: a
    stored card drawn in a day is among them whatever the series' dates add (each earlier cell holds at most as many
    capped stored posts as it draws cards; a series' date only takes the place of a later one)."""
    qs = posts.filter(publish_at__gte=lo, publish_at__lt=hi)
    parts: list[str] = []
    params: list[Any] = []
    if connection.vendor == "postgresql":
        # PostgreSQL plans 192 union members (a week) slower than it sorts a window's rows: ROW_NUMBER() over the
        # cells there, each cell's count from the same pass (on its first rows: `n`).
        cell_sql, cell_params = _sql(qs.annotate(cell=_cell_of(starts)).order_by()
                                     .values_list("id", "publish_at", "account_id", "cell"))
        parts.append(f"SELECT 0, r.id, r.publish_at, r.account_id, r.cell, r.n FROM (SELECT b.*, ROW_NUMBER() OVER "
                     f"(PARTITION BY b.cell ORDER BY b.publish_at, b.id) AS rn, COUNT(*) OVER (PARTITION BY b.cell) AS n "
                     f"FROM ({cell_sql}) b) r WHERE r.rn <= {int(cap)}")
        params += cell_params
    else:
        _cell_reads(posts, lo, starts, hi, cap, parts, params)
    if slot_minutes and slot_accounts:
        on_minute = Q()
        for minute in slot_minutes:
            on_minute |= Q(publish_at__gte=minute, publish_at__lt=minute + timedelta(minutes=1))
        slot_sql, slot_params = _sql(qs.filter(on_minute, account_id__in=sorted(slot_accounts)).order_by()
                                     .values_list("id", "publish_at", "account_id"))
        parts.append(f"SELECT 2, s.*, -1, 0 FROM ({slot_sql}) s")
        params += slot_params
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    out = GridRead(ids=[], totals={}, taken=set())
    firsts = []
    for part, pk, at, account_id, index, n in rows:
        if n:  # the cell's count, carried by each of its first rows (both databases)
            out.totals[index] = n
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
