"""Calendar moves in the service layer: one date, a series from a date on, and the rule shifted with it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from scheduler import recurrence
from scheduler.models import Post
from scheduler.recurrence import shift_rule
from scheduler.rules import TransitionError
from scheduler.services.calendar import calendar_move
from scheduler.services.lifecycle import ConflictError
from tests.scheduler.calendar_support import local, post_at, series_at

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


pytestmark = pytest.mark.usefixtures("frozen_at_module_now")  # tests/scheduler/calendar_support.py


def dates(root: Post, lo: str, hi: str) -> list[str]:
    ws = root.workspace
    got = recurrence.occurrences_between(rule=root.rrule, series_start_utc=root.occurrence_at or root.publish_at,
                                         tz=ws.timezone, start_utc=local(ws, lo), end_utc=local(ws, hi))
    return [t.astimezone(ws.tzinfo).strftime("%a %d %H:%M") for t in got]


def test_shift_rule_follows_weekday_and_time():
    old = datetime(2027, 3, 1, 10, 0)  # a Monday
    new = datetime(2027, 3, 3, 11, 30)  # Wednesday
    assert shift_rule("FREQ=WEEKLY;BYDAY=MO,FR", old, new) == "FREQ=WEEKLY;BYDAY=WE,SU"
    assert shift_rule("FREQ=DAILY;BYHOUR=10;BYMINUTE=0", old, new) == "FREQ=DAILY;BYHOUR=11;BYMINUTE=30"
    assert shift_rule("FREQ=MONTHLY;BYMONTHDAY=1", old, new) == "FREQ=MONTHLY;BYMONTHDAY=3"


def test_this_date_only_moves_the_first_date_and_keeps_the_rule(social, workspace):
    root = series_at(workspace, local(workspace, "2027-03-02 10:00"), rule="FREQ=WEEKLY;COUNT=5")
    moved = calendar_move(user=social, post=root, publish_at=local(workspace, "2027-03-04 15:00"),
                          expected_version=root.version, scope="this")
    assert moved.publish_at == local(workspace, "2027-03-04 15:00")
    assert moved.occurrence_at == local(workspace, "2027-03-02 10:00")  # the series still counts from Tuesday
    assert moved.rrule == "FREQ=WEEKLY;COUNT=5"
    assert dates(moved, "2027-03-05 00:00", "2027-04-30 00:00") == [
        "Tue 09 10:00", "Tue 16 10:00", "Tue 23 10:00", "Tue 30 10:00"]  # 10:00 local after the DST change too


def test_this_and_following_from_a_future_date_splits_the_series(social, workspace):
    root = series_at(workspace, local(workspace, "2027-03-02 10:00"), rule="FREQ=WEEKLY;BYDAY=TU;COUNT=6")
    virtual = local(workspace, "2027-03-16 10:00")  # the 3rd date, not stored
    cont = calendar_move(user=social, post=root, publish_at=local(workspace, "2027-03-18 08:15"),
                         expected_version=root.version, scope="following", occurrence_utc=virtual)
    root.refresh_from_db()
    assert "UNTIL=20270316T085959Z" in root.rrule and "COUNT" not in root.rrule
    assert dates(root, "2027-03-01 00:00", "2027-06-01 00:00") == ["Tue 02 10:00", "Tue 09 10:00"]
    assert cont.pk != root.pk and cont.status == Post.Status.APPROVED and cont.items.count() == 1
    assert cont.rrule == "FREQ=WEEKLY;COUNT=4;BYDAY=TH"
    assert dates(cont, "2027-03-01 00:00", "2027-06-01 00:00") == [
        "Thu 18 08:15", "Thu 25 08:15", "Thu 01 08:15", "Thu 08 08:15"]


def test_this_and_following_from_the_stored_next_date(social, workspace):
    root = series_at(workspace, local(workspace, "2027-02-23 10:00"), rule="FREQ=WEEKLY",
                     status=Post.Status.PUBLISHED)
    nxt = post_at(workspace, local(workspace, "2027-03-02 10:00"), series_root=root, occurrence_index=1,
                  occurrence_at=local(workspace, "2027-03-02 10:00"))
    moved = calendar_move(user=social, post=nxt, publish_at=local(workspace, "2027-03-03 12:00"),
                          expected_version=nxt.version, scope="following")
    assert moved.pk == nxt.pk and moved.series_root_id is None and moved.rrule == "FREQ=WEEKLY"
    assert dates(moved, "2027-03-01 00:00", "2027-03-20 00:00") == ["Wed 03 12:00", "Wed 10 12:00", "Wed 17 12:00"]
    root.refresh_from_db()
    assert dates(root, "2027-02-01 00:00", "2027-04-01 00:00") == ["Tue 23 10:00"]


def test_refusals(social, editor, workspace):
    root = series_at(workspace, local(workspace, "2027-03-02 10:00"))
    with pytest.raises(TransitionError, match="no date at that time"):
        calendar_move(user=social, post=root, publish_at=local(workspace, "2027-03-10 10:00"), expected_version=1,
                      scope="this", occurrence_utc=local(workspace, "2027-03-09 11:00"))
    with pytest.raises(ValidationError, match="in the past"):
        calendar_move(user=social, post=root, publish_at=local(workspace, "2027-02-10 10:00"), expected_version=1)
    with pytest.raises(ConflictError):
        calendar_move(user=social, post=root, publish_at=local(workspace, "2027-03-10 10:00"), expected_version=7)
    with pytest.raises(PermissionDenied):
        calendar_move(user=editor, post=root, publish_at=local(workspace, "2027-03-10 10:00"), expected_version=1)


def test_this_date_only_for_a_date_not_stored_yet(social, workspace):
    root = series_at(workspace, local(workspace, "2027-03-02 10:00"), rule="FREQ=WEEKLY;COUNT=5", caption="Tip")
    single = calendar_move(user=social, post=root, publish_at=local(workspace, "2027-03-18 09:00"),
                           expected_version=root.version, scope="this",
                           occurrence_utc=local(workspace, "2027-03-16 10:00"))
    root.refresh_from_db()
    assert dates(root, "2027-03-01 00:00", "2027-06-01 00:00") == ["Tue 02 10:00", "Tue 09 10:00"]
    assert single.publish_at == local(workspace, "2027-03-18 09:00") and single.rrule == ""
    assert single.status == Post.Status.APPROVED and single.items.count() == 1
    rest = Post.objects.exclude(pk__in=[root.pk, single.pk]).get(caption="Tip")
    assert rest.rrule == "FREQ=WEEKLY;COUNT=2"
    assert dates(rest, "2027-03-01 00:00", "2027-06-01 00:00") == ["Tue 23 10:00", "Tue 30 10:00"]  # 5 dates in all
