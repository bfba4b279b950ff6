"""Thin django-q2 entry points: take ids, call a service, return."""

from scheduler.services_system import heartbeat_beat


def heartbeat() -> None:
    heartbeat_beat(name="cluster")
