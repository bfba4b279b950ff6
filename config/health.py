"""/healthz: JSON status of the database, task cluster heartbeat, storage and encryption key."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True, "vendor": connection.vendor}


def _cluster() -> dict[str, Any]:
    from scheduler.models import Heartbeat

    beat = Heartbeat.objects.filter(name="cluster").first()
    if beat is None:
        return {"ok": False, "error": "the task cluster has never reported a heartbeat"}
    age = (timezone.now() - beat.beat_at).total_seconds()
    ok = age <= settings.HEARTBEAT_STALE_SECONDS
    result: dict[str, Any] = {"ok": ok, "last_beat_seconds_ago": round(age)}
    if not ok:
        result["error"] = f"no heartbeat for {round(age)} s (limit {settings.HEARTBEAT_STALE_SECONDS} s)"
    return result


def _storage() -> dict[str, Any]:
    name = default_storage.save(f"tmp/healthz-{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)
    return {"ok": True, "backend": default_storage.__class__.__name__}


def _encryption() -> dict[str, Any]:
    from accounts.crypto import canary_status

    ok, message = canary_status()
    return {"ok": True} if ok else {"ok": False, "error": message}


CHECKS = {"database": _database, "cluster": _cluster, "storage": _storage, "encryption": _encryption}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, Any] = {}
    for name, check in CHECKS.items():
        if name != "database" and not results.get("database", {}).get("ok", False):
            results[name] = {"ok": False, "error": "skipped: database unavailable"}
            continue
        try:
            results[name] = check()
        except Exception as exc:  # a health check reports failures, it never raises them
            results[name] = {"ok": False, "error": f"{exc.__class__.__name__}: {str(exc)[:200]}"}
    failing = [name for name, r in results.items() if not r["ok"]]
    body = {
        "status": "ok" if not failing else "unhealthy",
        "failing": failing,
        "checks": results,
        "time": timezone.now().isoformat(),
    }
    return JsonResponse(body, status=200 if not failing else 503)


