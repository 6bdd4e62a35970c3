"""Requests to another process (the one running a device's tests) over Redis.

A request is published on the callee's channel ``<prefix>:calls:<process>``; the callee runs
it and pushes the answer onto a list named in the request, which the caller waits on
(``BLPOP``). A channel nobody listens on (``PUBLISH`` reaches 0) means the callee is gone.
Errors travel as ``{"code", "message"}`` and are raised again as the same error class.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError

from sensorhub.cluster._redis import translated
from sensorhub.devices import Backoff
from sensorhub.errors import OwnerUnreachable, SensorhubError
from sensorhub.logs import log_event
from sensorhub.tasks import BackgroundTasks
from sensorhub.types import JSONDict

if TYPE_CHECKING:
    from redis.asyncio import Redis

logger = logging.getLogger(__name__)

Handler = Callable[[str, JSONDict], Awaitable[JSONDict]]
# An answer left unread (its caller gave up) disappears after this long.
ANSWER_KEPT_S = 30
# After losing Redis, subscribing again is tried after this pause, doubling up to the most.
RESUBSCRIBE_FIRST_S = 0.5
RESUBSCRIBE_MAX_S = 5.0


class Calls:
    def __init__(self, redis: Redis, prefix: str, me: str, timeout_s: float) -> None:
        self._redis = redis
        self._prefix = prefix
        self._me = me
        self._timeout_s = timeout_s
        self._tasks = BackgroundTasks()
        self.listening = False

    def _channel(self, process: str) -> str:
        return f"{self._prefix}:calls:{process}"

    async def call(self, process: str, op: str, args: JSONDict) -> JSONDict:
        """Run ``op`` on ``process``; its answer, or its error raised here."""
        answer_key = f"{self._prefix}:answer:{uuid.uuid4().hex}"
        request = json.dumps({"op": op, "args": args, "answer": answer_key})
        unreachable = OwnerUnreachable(
            f"the server process running device {args.get('device_id')!r} does not answer; "
            "try again",
            retry_after_s=self._timeout_s,
        )
        with translated():
            if not await self._redis.publish(self._channel(process), request):
                raise unreachable
            popped = await self._redis.blpop([answer_key], timeout=self._timeout_s)
        if popped is None:
            raise unreachable
        answer: JSONDict = json.loads(popped[1])
        if "error" in answer:
            raise _error(answer["error"])
        result: JSONDict = answer["ok"]
        return result

    async def serve(self, handler: Handler) -> None:
        """Answer requests to this process until cancelled. A lost connection (Redis
        restarted) subscribes again after a growing pause; a malformed request is logged and
        skipped. ``listening`` says whether requests reach this process now."""
        backoff = Backoff(RESUBSCRIBE_FIRST_S, RESUBSCRIBE_MAX_S)
        try:
            while True:
                try:
                    await self._listen(handler, backoff)
                except (RedisError, OSError) as exc:
                    self.listening = False
                    log_event(logger, "calls_listener_lost", logging.WARNING, error=repr(exc))
                await asyncio.sleep(backoff.next_delay())
        finally:
            self.listening = False
            await self._tasks.cancel_all()

    async def _listen(self, handler: Handler, backoff: Backoff) -> None:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self._channel(self._me))
            self.listening = True
            backoff.reset()
            log_event(logger, "calls_listening")
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    self._take(handler, message["data"])
        finally:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.aclose()

    def _take(self, handler: Handler, data: Any) -> None:
        try:
            request = json.loads(data)
            op, answer = str(request["op"]), str(request["answer"])
            args = request["args"]
            if not isinstance(args, dict):
                raise TypeError("args is not an object")
        except (ValueError, KeyError, TypeError) as exc:  # nobody to answer: log, go on
            log_event(logger, "call_malformed", logging.ERROR, error=repr(exc)[:300])
            return
        request = {"op": op, "args": args, "answer": answer}
        self._tasks.spawn(self._answer(handler, request), f"call-{op}")

    async def _answer(self, handler: Handler, request: dict[str, Any]) -> None:
        try:
            answer: JSONDict = {"ok": await handler(request["op"], request["args"])}
        except SensorhubError as exc:
            answer = {
                "error": {"code": exc.code, "message": exc.message, "retry": exc.retry_after_s}
            }
        except Exception as exc:  # the caller must hear of it rather than wait out its timeout
            log_event(logger, "call_failed", logging.ERROR, op=request["op"], error=repr(exc))
            answer = {"error": {"code": SensorhubError.code, "message": "internal error"}}
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.rpush(request["answer"], json.dumps(answer))
            pipe.expire(request["answer"], ANSWER_KEPT_S)
            await pipe.execute()


def _error(payload: JSONDict) -> SensorhubError:
    """The error class with ``code`` (a subclass of ``SensorhubError``), as raised there."""
    kind = _by_code().get(payload["code"], SensorhubError)
    return kind(payload["message"], retry_after_s=payload.get("retry"))


def _by_code() -> dict[str, type[SensorhubError]]:
    found: dict[str, type[SensorhubError]] = {}
    pending: list[type[SensorhubError]] = [SensorhubError]
    while pending:
        kind = pending.pop()
        found.setdefault(kind.code, kind)
        pending.extend(kind.__subclasses__())
    return found
