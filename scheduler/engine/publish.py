"""Process one claimed post: containers → (poll) → publish-started mark → media_publish → done.

Every remote step's result is committed before the next step, guarded by the claim token, so a
crash at any point leaves a row the reaper can finish without publishing twice:
- no containers yet: create them;
- containers exist: read the last one's status_code — PUBLISHED means it already went out
  (record it), FINISHED means publishing that same container is safe, IN_PROGRESS means wait,
  EXPIRED/ERROR means build new ones;
- an error after the mark is never retried blindly: it goes through the same status read.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from accounts.crypto import EncryptionKeyError
from accounts.models import InstagramAccount
from accounts.permissions import Role
from accounts.services.instagram import graph_client_for, instagram_account_mark_reconnect
from accounts.services.notifications import notify
from instagram.client import GraphClient
from instagram.conf import thread_session
from instagram.errors import (
    GraphAPIError,
    NeedsNewContainer,
    PublishingLimitReached,
    RateLimited,
    TokenInvalid,
    Transient,
)
from scheduler.engine.claims import Claim, guarded
from scheduler.engine.limits import Deferral, check_daily_cap, check_quota
from scheduler.engine.series import series_materialize_next
from scheduler.models import Post, PostMedia, PublishAttempt

log = logging.getLogger(__name__)
Outcome = PublishAttempt.Outcome


class LostClaim(Exception):
    """The claim token no longer matches: another worker (or the reaper) owns the post now."""


def backoff_seconds(retry: int) -> float:
    """≈ 1, 3, 7 … minutes (base·(2ⁿ−1)), capped, with ±20 % jitter so retries do not stampede."""
    base = settings.PUBLISH_BACKOFF_BASE_SECONDS
    delay = min(settings.PUBLISH_BACKOFF_CAP_SECONDS, base * (2**retry - 1))
    return delay * random.uniform(0.8, 1.2)


def _media_url(item, *, rendition: bool) -> str:  # noqa: ANN001
    from scheduler.media.storage import public_url

    return public_url(item.asset, use_rendition=rendition)


class Publisher:
    """Holds one claim; every write goes through `_save`, which fails when the claim was lost."""

    def __init__(self, claim: Claim, *, client: GraphClient | None = None) -> None:
        self.claim = claim
        self.post = (
            # Author and assignee are read only when a notification needs them (rare; not worth a join per post).
            Post.objects.select_related("account", "account__workspace", "workspace")
            .prefetch_related(Prefetch("items", queryset=PostMedia.objects.select_related("asset")))
            .get(pk=claim.post_id)
        )
        self.account: InstagramAccount = self.post.account
        self._client = client
        self.attempt: PublishAttempt | None = None

    # --- persistence ---------------------------------------------------------------------------------
    def _save(self, **fields: object) -> None:
        if Post.objects.filter(guarded(self.claim)).update(**fields) != 1:
            raise LostClaim(f"post {self.claim.post_id}: claim lost")
        for name, value in fields.items():
            setattr(self.post, name, value)

    def _release(self, *, status: str, **fields: object) -> None:
        """Leave processing: the final write that gives up the claim."""
        self._save(status=status, claim_token="", **fields)

    def _finish_attempt(self, outcome: str, exc: GraphAPIError | None = None, message: str = "") -> None:
        if self.attempt is None:
            return
        self.attempt.outcome = outcome
        self.attempt.finished_at = timezone.now()
        if exc is not None:
            self.attempt.error_code = "" if exc.code is None else str(exc.code)
            self.attempt.error_subcode = "" if exc.subcode is None else str(exc.subcode)
            self.attempt.fbtrace_id = exc.fbtrace_id[:64]
            self.attempt.error_message = exc.user_message or exc.message
        elif message:
            self.attempt.error_message = message
        if self.post.container_ids:
            self.attempt.container_id = self.post.container_ids[-1]
        self.attempt.save()

    @property
    def client(self) -> GraphClient:
        if self._client is None:
            self._client = graph_client_for(self.account, session=thread_session())
        return self._client

    # --- entry point ---------------------------------------------------------------------------------
    def run(self, *, now: datetime | None = None) -> str:
        now = now or timezone.now()
        post = self.post
        self.attempt = PublishAttempt.objects.create(post=post, number=post.attempt_count, started_at=now)
        try:
            if not post.container_ids and not post.publish_started_at:
                if post.manual_reason or self.account.status == InstagramAccount.Status.DISCONNECTED:
                    return self._to_manual()
                deferral = check_daily_cap(account=self.account, now=now) or check_quota(
                    account=self.account, client=self.client, now=now
                )
                if deferral:
                    return self._defer(deferral)
                ids = self._create_containers(now)
                if not self._is_video() and post.reconcile_attempts == 0:
                    # An image container is ready as soon as Instagram answers (it fetched and checked the media
                    # before answering), so it is published at once, without a status read (as `_advance` does for
                    # fresh image containers): its ids and the publish-started mark go in one guarded write — both
                    # committed before media_publish. After a reconcile, the status is read first, as before.
                    self._save(container_ids=ids, containers_created_at=now, publish_started_at=now)
                    return self._publish_marked(ids[-1])
                # Committed before anything else happens: a crash from here on resumes with these containers.
                self._save(container_ids=ids, containers_created_at=now)
            return self._advance(now)
        except LostClaim:
            self._finish_attempt(Outcome.FAILED, message="Another worker took over this post.")
            return "lost"
        except PublishingLimitReached as exc:
            return self._defer(Deferral(now + timedelta(hours=1), exc.user_message), exc)
        except TokenInvalid as exc:
            return self._wait_for_reconnect(exc)
        except NeedsNewContainer as exc:
            return self._retry(exc, now, new_container=True)
        except (Transient, RateLimited, EncryptionKeyError) as exc:
            return self._after_error(exc, now)
        except GraphAPIError as exc:
            return self._fail(exc)
        except Exception as exc:  # a bug or an unexpected answer must not leave the post stuck
            log.exception("publishing post %s failed unexpectedly", post.pk)
            return self._after_error(exc, now)

    # --- steps ---------------------------------------------------------------------------------------
    def _create_containers(self, now: datetime) -> list[str]:
        """Create the post's container(s) and return their ids, the one to publish last (the caller commits them
        before its next remote call; a carousel's children are committed one by one as they are made)."""
        post, client, ig = self.post, self.client, self.account.ig_user_id
        items = list(post.items.all())
        if not items:
            raise GraphAPIError("This post has no media.", user_message="This post has no media to publish.")
        ids: list[str] = []
        common = {"collaborators": post.collaborators or None, "location_id": post.location_id or None}
        if post.kind == Post.Kind.CAROUSEL:
            for item in items:
                is_video = item.asset.kind == "video"
                url = _media_url(item, rendition=not is_video)
                ids.append(
                    client.create_carousel_item(
                        ig, video_url=url if is_video else None, image_url=None if is_video else url,
                        alt_text=item.alt_text or item.asset.alt_text or None,
                    )
                )
                self._save(container_ids=list(ids), containers_created_at=now)
            ids.append(client.create_carousel_container(ig, ids, caption=post.caption or None, **common))
        elif post.kind == Post.Kind.REEL:
            ids.append(
                client.create_reel_container(
                    ig, _media_url(items[0], rendition=False), caption=post.caption or None,
                    share_to_feed=post.share_to_feed, user_tags=post.user_tags or None, **common,
                )
            )
        elif post.kind == Post.Kind.STORY:
            item = items[0]
            is_video = item.asset.kind == "video"
            url = _media_url(item, rendition=not is_video)
            ids.append(client.create_story_container(ig, image_url=None if is_video else url,
                                                     video_url=url if is_video else None))
        else:
            item = items[0]
            ids.append(
                client.create_image_container(
                    ig, _media_url(item, rendition=True), caption=post.caption or None,
                    alt_text=item.alt_text or item.asset.alt_text or None, user_tags=post.user_tags or None, **common,
                )
            )
        return ids

    def _is_video(self) -> bool:
        return self.post.kind == Post.Kind.REEL or any(i.asset.kind == "video" for i in self.post.items.all())

    def _advance(self, now: datetime) -> str:
        """Containers exist: decide from Instagram's own view of the last container."""
        post = self.post
        container = post.container_ids[-1]
        # Fresh image containers are ready at once; skipping the status read saves a call per post.
        fresh_image = post.publish_started_at is None and not self._is_video() and post.reconcile_attempts == 0 \
            and post.containers_created_at and post.containers_created_at >= now - timedelta(seconds=5)
        status = "FINISHED" if fresh_image else self.client.container_status(container).status_code
        if status == "PUBLISHED":
            return self._record_published(media_id=self._find_media_id(), reconciled=True)
        if status == "FINISHED":
            return self._publish(container, now)
        if status == "IN_PROGRESS":
            waited = (now - (post.containers_created_at or now)).total_seconds()
            if waited > settings.CONTAINER_WAIT_MAX_SECONDS:
                raise NeedsNewContainer("Instagram did not finish processing the media in time.",
                                        user_message="Instagram took too long to process the video.")
            return self._park(now + timedelta(seconds=settings.VIDEO_POLL_SECONDS), Outcome.WAITING)
        # EXPIRED, ERROR or unknown: the container can never be published; it was not published either.
        raise NeedsNewContainer(f"Instagram reports the prepared media as {status or 'unknown'}.",
                                user_message=f"Instagram could not use the prepared media ({status or 'unknown'}).")

    def _publish(self, container: str, now: datetime) -> str:
        self._save(publish_started_at=now)  # the mark: from here on, errors are reconciled, not retried
        return self._publish_marked(container)

    def _publish_marked(self, container: str) -> str:
        media_id = self.client.media_publish(self.account.ig_user_id, container)
        return self._record_published(media_id=media_id, reconciled=False)

    def _record_published(self, *, media_id: str, reconciled: bool) -> str:
        post, now = self.post, timezone.now()
        self._release(status=Post.Status.PUBLISHED, ig_media_id=media_id or "", published_at=now,
                      last_error="", last_error_code="", deferred_reason="", next_attempt_at=None)
        self._finish_attempt(Outcome.RECONCILED if reconciled else Outcome.PUBLISHED)
        self._after_publish(media_id)
        series_materialize_next(post=post)
        if post.notify_on_publish and post.author_id:
            notify(workspace=post.workspace, kind="post_published", title=f"Published: {post}",
                   body=post.permalink or "", users=[post.author], level="success")
        return "published"

    def _after_publish(self, media_id: str) -> None:
        """Permalink and first comment: useful, but the post is already out — failures only get noted."""
        post = self.post
        if not media_id:
            return
        try:
            info = self.client.get_media(media_id, "id,permalink")
            comment_id = self.client.post_comment(media_id, post.first_comment) if post.first_comment else ""
            Post.objects.filter(pk=post.pk).update(permalink=info.get("permalink", "")[:500], first_comment_id=comment_id)
        except GraphAPIError as exc:
            Post.objects.filter(pk=post.pk).update(last_error=f"Published, but: {exc.user_message}")

    def _find_media_id(self) -> str:
        """Instagram says the container is PUBLISHED but the answer was lost: find the media it became."""
        post = self.post
        since = (post.publish_started_at or post.containers_created_at or post.claimed_at) - timedelta(minutes=2)
        for media in self.client.list_media(self.account.ig_user_id, fields="id,caption,timestamp", limit=25, max_pages=2):
            stamp = datetime.fromisoformat(media.get("timestamp", "1970-01-01T00:00:00+00:00").replace("+0000", "+00:00"))
            if stamp >= since and (media.get("caption") or "") == (post.caption or ""):
                return str(media["id"])
        return ""

    # --- outcomes ------------------------------------------------------------------------------------
    def _park(self, check_at: datetime, outcome: str) -> str:
        self._save(claim_token="", next_check_at=check_at)
        self._finish_attempt(outcome)
        return "waiting"

    def _defer(self, deferral: Deferral, exc: GraphAPIError | None = None) -> str:
        self._release(status=Post.Status.APPROVED, next_attempt_at=deferral.until, deferred_reason=deferral.reason)
        self._finish_attempt(Outcome.DEFERRED, exc, message=deferral.reason)
        return "deferred"

    def _to_manual(self) -> str:
        post = self.post
        reason = post.manual_reason or Post.ManualReason.ACCOUNT
        self._release(status=Post.Status.MANUAL, manual_reason=reason)
        self._finish_attempt(Outcome.FAILED, message="Sent to the manual queue: it needs a person to post it.")
        from django.urls import reverse

        links = "\n".join(_media_url(i, rendition=False) for i in post.items.all())
        notify(
            workspace=post.workspace, kind="manual_due", level="warning",
            title=f"Post by hand now on @{self.account.username}",
            body=f"{post.caption}\n\nMedia:\n{links}",
            url=reverse("scheduler:manual_queue", kwargs={"ws": post.workspace.slug}),
            users=[post.assignee] if post.assignee_id else None, roles=(Role.SOCIAL,),
        )
        return "manual"

    def _wait_for_reconnect(self, exc: TokenInvalid) -> str:
        instagram_account_mark_reconnect(account=self.account, reason=exc.user_message)
        if self.post.publish_started_at:
            return self._after_error(exc, timezone.now())
        self._release(status=Post.Status.APPROVED, deferred_reason=f"Waiting for @{self.account.username} to be reconnected.")
        self._finish_attempt(Outcome.RETRY, exc)
        return "waiting_reconnect"

    def _after_error(self, exc: Exception, now: datetime) -> str:
        if self.post.publish_started_at:
            return self._reconcile_later(exc, now)
        return self._retry(exc, now)

    def _retry(self, exc: Exception, now: datetime, *, new_container: bool = False) -> str:
        post = self.post
        if post.publish_started_at and not new_container:
            return self._reconcile_later(exc, now)
        graph = exc if isinstance(exc, GraphAPIError) else None
        message = graph.user_message if graph else f"Unexpected problem: {exc.__class__.__name__}"
        retries = post.retry_count + 1
        if retries > post.workspace.max_publish_retries:
            return self._fail(graph, message=f"Gave up after {post.retry_count} retries: {message}")
        delay = backoff_seconds(retries)
        if isinstance(exc, RateLimited) and exc.retry_after_seconds:
            delay = max(delay, exc.retry_after_seconds)
        fields: dict[str, object] = {"retry_count": retries, "next_attempt_at": now + timedelta(seconds=delay),
                                     "last_error": message, "last_error_code": _code(graph), "deferred_reason": ""}
        if new_container or post.publish_started_at:
            fields.update(container_ids=[], containers_created_at=None, publish_started_at=None)
        self._release(status=Post.Status.APPROVED, **fields)
        self._finish_attempt(Outcome.RETRY, graph, message=message)
        return "retry"

    def _reconcile_later(self, exc: Exception, now: datetime) -> str:
        """After the mark we do not know whether it went out: come back and read the container."""
        post = self.post
        graph = exc if isinstance(exc, GraphAPIError) else None
        attempts = post.reconcile_attempts + 1
        if attempts > settings.RECONCILE_MAX_ATTEMPTS:
            return self._needs_review(graph)
        self._save(claim_token="", reconcile_attempts=attempts,
                   next_check_at=now + timedelta(seconds=backoff_seconds(min(attempts, 3))),
                   last_error=graph.user_message if graph else str(exc)[:500])
        self._finish_attempt(Outcome.WAITING, graph, message="Publishing was interrupted; checking with Instagram.")
        return "reconcile"

    def _needs_review(self, exc: GraphAPIError | None) -> str:
        post = self.post
        message = ("Pressroom could not confirm whether Instagram published this post. "
                   "Check the account and mark it posted or reschedule it.")
        self._release(status=Post.Status.NEEDS_REVIEW, last_error=message)
        self._finish_attempt(Outcome.NEEDS_REVIEW, exc, message=message)
        notify(workspace=post.workspace, kind="post_needs_review", level="error", title=f"Check post on @{self.account.username}",
               body=f"{message}\n\n{post.caption[:300]}", roles=(Role.ADMIN, Role.SOCIAL))
        return "needs_review"

    def _fail(self, exc: GraphAPIError | None, *, message: str = "") -> str:
        post = self.post
        message = message or (exc.user_message if exc else "Publishing failed.")
        self._release(status=Post.Status.FAILED, last_error=message, last_error_code=_code(exc), next_attempt_at=None)
        self._finish_attempt(Outcome.FAILED, exc, message=message)
        notify(workspace=post.workspace, kind="post_failed", level="error",
               title=f"Post on @{self.account.username} failed", body=f"{message}\n\n{post.caption[:300]}",
               roles=(Role.ADMIN, Role.SOCIAL),
               users=None)
        series_materialize_next(post=post)
        return "failed"


def _code(exc: GraphAPIError | None) -> str:
    if exc is None or exc.code is None:
        return ""
    return f"{exc.code}/{exc.subcode}" if exc.subcode else str(exc.code)


def publish_claimed(claim: Claim, *, client: GraphClient | None = None) -> str:
    """Process one claimed post to its next resting state; returns a short outcome word."""
    # No surrounding transaction on purpose: each step commits on its own, before the next remote call.
    return Publisher(claim, client=client).run()
