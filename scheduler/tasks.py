"""Thin django-q2 entry points: take ids, call a service, return."""

from scheduler.services.system import heartbeat_beat


def heartbeat() -> None:
    heartbeat_beat(name="cluster")


def dispatch_due() -> dict[str, int]:
    from scheduler.engine.dispatcher import dispatch_run, fail_expired_reconnect_waits
    from scheduler.services.system import dispatcher_loop_alive

    if dispatcher_loop_alive():  # `runworker` clusters publish on their own loops; the upkeep stays here
        fail_expired_reconnect_waits()
        return {"skipped": 1}
    return dispatch_run()


def metrics_refresh() -> int:
    """Hourly: post insights, then yesterday's account figures (no call for an account that has them)."""
    from scheduler.engine.metrics import account_days_refresh
    from scheduler.engine.metrics import metrics_refresh as refresh

    snapshots = refresh()
    account_days_refresh()
    return snapshots


def reviews_expire() -> int:
    from scheduler.services.review_expiry import reviews_expire as expire

    return len(expire())


def cleanup_uploads() -> int:
    from scheduler.media.storage import cleanup_temp_files

    return cleanup_temp_files()


def reports_send_monthly() -> int:
    from scheduler.services.reports import monthly_reports_send

    return monthly_reports_send()
