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
    from scheduler.engine.metrics import metrics_refresh as refresh

    return refresh()


def reviews_expire() -> int:
    from scheduler.services.review import reviews_expire as expire

    return len(expire())


def cleanup_uploads() -> int:
    from scheduler.media.storage import cleanup_temp_files

    return cleanup_temp_files()
