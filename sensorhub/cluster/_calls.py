"""Requests to another process (the one running a device's tests) over Redis.

A request is published on the callee's channel ``<prefix>:calls:<process>``; the callee runs
it and pushes the answer onto a list named in the request, which the caller waits on
(``BLPOP``). A channel nobody listens on (``PUBLISH`` reaches 0) means the callee is gone.
Errors travel as ``{"code", "message"}`` and are raised again as the same error class.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from sensorhub.cluster._redis import translated
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


class Calls:
    def __init__(self, redis: Redis, prefix: str, me: str, timeout_s: float) -> None:
        self._redis = redis
        self._prefix = prefix
        self._me = me
        self._timeout_s = timeout_s
        self._tasks = BackgroundTasks()

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
        """Answer requests to this process until cancelled."""
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self._channel(self._me))
        try:
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    request = json.loads(message["data"])
                    self._tasks.spawn(self._answer(handler, request), f"call-{request['op']}")
        finally:
            await self._tasks.cancel_all()
            await pubsub.aclose()

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
