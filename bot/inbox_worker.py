"""The worker side of the inbox (``bot/inbox.py``): one per channel per process.

:meth:`InboxWorker.submit` stores a webhook's messages (durable before the route answers ``200``)
and starts, for each person, a task that takes the person's lease and handles their pending
messages in order: ``handle`` (the dialogue engine) → replies stored → ``respond`` (the channel
sends them) → done. Any worker can take any message; the lease keeps one worker per person. The
sweep (:meth:`InboxWorker.sweep_forever`) takes over people whose messages wait with no live
lease — the worker that had them died — so a killed worker loses nothing.

The channel-neutral part: the channel gives a ``respond`` callback and whatever it needs to reply
rides along with the message as ``meta`` (sealed in the row with the message).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.inbox import Inbox, NewMessage, Pending, State
from bot.messages import Choice, Inbound, InboundKind, Location, Outbound
from bot.sealing import Sealer
from bot.sessions import held_saves

log = logging.getLogger(__name__)

Handler = Callable[[Inbound], Awaitable[list[Outbound]]]
DEFAULT_LEASE = timedelta(seconds=30)
DEFAULT_SWEEP_EVERY = 5.0  # seconds
RETENTION = timedelta(days=2)  # done rows: a duplicate cannot arrive later than this
PRUNE_EVERY = 3600.0


@dataclass(frozen=True, slots=True)
class Received:
    """A stored message as the worker gives it back: the canonical message and the channel's
    own reply details (e.g. WhatsApp's send time, Telegram's callback query id)."""

    inbound: Inbound
    meta: dict[str, Any] = field(default_factory=dict)


class Deliveries:
    """The channel sends of one message's replies, counted. The channel asks :meth:`next` before
    each send (a Bot API or Graph API call that puts a message in front of the person): ``False``
    means that send went out before the worker that had the message was killed — skip it. Before
    each send after the first, the count of those already out is written (one short statement),
    so that a worker killed between two sends is followed by one that sends only the rest; the
    last send is covered by the message being marked done."""

    def __init__(self, already: int, record: Callable[[int], Awaitable[None]]) -> None:
        self._already = already
        self._record = record
        self._count = 0

    @classmethod
    def every(cls) -> Deliveries:
        """Every send due, nothing recorded: replies sent outside the inbox (staff replies)."""

        async def nothing(_: int) -> None:
            return None

        return cls(0, nothing)

    async def next(self) -> bool:
        position = self._count
        self._count += 1
        if position < self._already:
            return False
        if position > self._already:  # the send before this one went out from here
            await self._record(position)
        return True


Responder = Callable[[str, Received, list[Outbound], Deliveries], Awaitable[None]]
# (session id, message, replies, the count of their sends)


# -- payloads ------------------------------------------------------------------------------------


def inbound_to_json(inbound: Inbound) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": inbound.channel,
        "user": inbound.user_id,
        "kind": inbound.kind.value,
        "id": inbound.message_id,
    }
    if inbound.text:
        data["text"] = inbound.text
    if inbound.choice:
        data["choice"] = inbound.choice
    if inbound.location is not None:
        data["location"] = [inbound.location.latitude, inbound.location.longitude]
    return data


def inbound_from_json(data: dict[str, Any]) -> Inbound:
    loc = data.get("location")
    return Inbound(
        channel=data["channel"],
        user_id=data["user"],
        kind=InboundKind(data["kind"]),
        text=data.get("text", ""),
        choice=data.get("choice", ""),
        location=Location(loc[0], loc[1]) if loc else None,
        message_id=data.get("id", ""),
    )


def outbound_to_json(reply: Outbound) -> dict[str, Any]:
    data: dict[str, Any] = {"text": reply.text}
    if reply.choices:
        data["choices"] = [[c.id, c.label] for c in reply.choices]
    if reply.location is not None:
        data["location"] = [reply.location.latitude, reply.location.longitude]
    if reply.location_title:
        data["location_title"] = reply.location_title
    if reply.request_location:
        data["request_location"] = reply.request_location
    if reply.audio is not None:
        data["audio"] = str(reply.audio)
    return data


def outbound_from_json(data: dict[str, Any]) -> Outbound:
    loc = data.get("location")
    audio = data.get("audio")
    return Outbound(
        text=data["text"],
        choices=tuple(Choice(c[0], c[1]) for c in data.get("choices", ())),
        location=Location(loc[0], loc[1]) if loc else None,
        location_title=data.get("location_title", ""),
        request_location=data.get("request_location", ""),
        audio=Path(audio) if audio else None,
    )


# -- the worker ----------------------------------------------------------------------------------


class InboxWorker:
    def __init__(
        self,
        *,
        channel: str,
        inbox: Inbox,
        handle: Handler,
        respond: Responder,
        sealer: Sealer,
        pseudonymize: Callable[[str, str], str],
        lease: timedelta = DEFAULT_LEASE,
        sweep_every: float = DEFAULT_SWEEP_EVERY,
        max_active: int = 48,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.channel = channel
        self.owner = uuid.uuid4().hex  # this worker's name on the leases it takes
        self._inbox = inbox
        self._handle = handle
        self._respond = respond
        self._sealer = sealer
        self._pseudonymize = pseudonymize
        self._lease = lease
        self._sweep_every = sweep_every
        self._clock = clock
        self.running: set[str] = set()  # people this worker is handling now
        # people to handle once fewer than max_active are running, in the order they came
        self.waiting: dict[str, None] = {}
        self._again: set[str] = set()  # running people kicked again: their task looks once more
        self._max_active = max_active
        self._tasks: set[asyncio.Task[None]] = set()
        self._background: list[asyncio.Task[None]] = []

    # -- receiving -----------------------------------------------------------------------------

    def key(self, message_id: str) -> str:
        """What the inbox stores for a channel's message id: a keyed hash. A WhatsApp ``wamid``
        carries the sender's phone number (base64); the same id still gives the same key, so a
        retried delivery is still recognised."""
        return self._pseudonymize(self.channel, message_id)

    async def submit(self, messages: Sequence[tuple[str, Received]]) -> list[bool]:
        """Store ``(session id, message)`` pairs, then start handling them. Returns, per message,
        whether it was new (``False``: a duplicate delivery, answered once). Raises when the
        database refuses: the route must then not answer ``200``."""
        rows = [
            NewMessage(
                channel=self.channel,
                message_id=self.key(m.inbound.message_id) if m.inbound.message_id else uuid.uuid4().hex,
                session_id=sid,
                payload=self._seal({"in": inbound_to_json(m.inbound), "meta": m.meta}),
            )
            for sid, m in messages
        ]
        fresh = await self._inbox.receive(rows)
        for sid, _ in messages:
            self.kick(sid)  # also for a duplicate: its first delivery may be waiting on a dead worker
        return fresh

    @property
    def busy(self) -> int:
        """People handled or waiting to be handled here."""
        return len(self.running) + len(self.waiting)

    def kick(self, session_id: str) -> None:
        """Handle the person's pending messages here unless this worker already is. At most
        ``max_active`` people at once: the rest wait their turn (their messages are stored), so
        that a surge queues in the inbox instead of thrashing the event loop, the database pool
        and the NLU service, and webhooks keep being answered quickly."""
        if session_id in self.running:
            self._again.add(session_id)  # the running task looks again before it stops
            return
        if session_id in self.waiting:
            return
        if len(self.running) >= self._max_active:
            self.waiting[session_id] = None
            return
        self._start(session_id)

    def _start(self, session_id: str) -> None:
        self.running.add(session_id)
        task = asyncio.create_task(self._run(session_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _next_waiting(self) -> None:
        while self.waiting and len(self.running) < self._max_active:
            session_id = next(iter(self.waiting))
            del self.waiting[session_id]
            self._start(session_id)

    # -- handling ------------------------------------------------------------------------------

    async def _run(self, sid: str) -> None:
        """Take the person's lease and handle their pending messages in order; give it back;
        start again if a message was stored meanwhile (by another worker: ``done`` or ``release``
        sees it; by this one: ``kick`` says so). Three calls for one message: claim (the lease,
        then the first message with the person's session), answered (the replies with the
        session they advanced), done (+ the lease given back when nothing else is pending, or the
        next message) — one statement each on PostgreSQL; and one more before each channel send
        after the first."""
        try:
            while True:
                acquired, row = await self._inbox.claim(sid, self.owner, self._clock() + self._lease)
                if not acquired:
                    break  # another worker holds the lease; its release sees what is pending
                stop = asyncio.Event()
                keeper = asyncio.create_task(self._keep_lease(sid, stop))
                released = False
                try:
                    while row is not None:
                        row, released = await self._one(sid, row)
                finally:
                    stop.set()
                    await keeper  # a renewal is an update: it cannot take back a given-up lease
                    left = False
                    if not released:  # a failure, or the pending message vanished (deleted data)
                        # A kick from here on may come after release looked for pending messages.
                        self._again.discard(sid)
                        left = await self._inbox.release(sid, self.owner)
                if not left and sid not in self._again:
                    break
        except Exception as exc:  # the database failed: the rows stay pending, the sweep retries
            log.error("inbox %s run failed session=%s error=%s", self.channel, sid[:12], type(exc).__name__)
        finally:
            self._again.discard(sid)
            self.running.discard(sid)
            self._next_waiting()

    async def _keep_lease(self, sid: str, stop: asyncio.Event) -> None:
        """Renew the lease every third of it until ``stop``: a slow message (NLU timeouts, channel
        retries) or a long queue must not look like a dead worker to the others' sweep."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._lease.total_seconds() / 3)
                return
            try:
                if not await self._inbox.renew(sid, self.owner, self._clock() + self._lease):
                    return  # given back, or taken over after this worker stalled past the lease
            except Exception as exc:  # the next renewal may work; the sweep is the backstop
                log.warning("inbox %s lease renewal failed error=%s", self.channel, type(exc).__name__)

    async def _one(self, sid: str, row: Pending) -> tuple[Pending | None, bool]:
        """Handle one message; returns the person's next pending one, or ``(None, True)`` when
        nothing else was pending and the lease was given back."""
        message = self._open_message(row)
        if message is None:
            log.error("inbox %s message unreadable session=%s (key changed?)", self.channel, sid[:12])
            return await self._done(sid, row)
        already = 0
        if row.state is State.ANSWERED and row.replies is not None:
            replies = self._open_replies(row.replies)  # the session moved on already: send, no re-handle
            already = row.sent  # and some of them may have gone out already
        else:
            # The session the engine saves is written with the replies, in one transaction.
            holding: contextlib.AbstractContextManager[list[dict[str, Any]]] = (
                held_saves(row.session) if self._inbox.writes_sessions else contextlib.nullcontext([])
            )
            with holding as sessions:
                try:
                    replies = await self._handle(message.inbound)
                except Exception as exc:  # the engine has its own catch-all; this is the last resort
                    log.error(
                        "inbox %s handling failed session=%s error=%s",
                        self.channel,
                        sid[:12],
                        type(exc).__name__,
                    )
                    replies = []
            await self._inbox.answered(row.id, self._seal([outbound_to_json(r) for r in replies]), sessions)
        if replies:
            try:
                await self._respond(sid, message, replies, Deliveries(already, self._recorder(row.id)))
            except Exception as exc:  # the boundary: a reply that cannot go out must not block the person
                log.error(
                    "inbox %s reply failed session=%s error=%s", self.channel, sid[:12], type(exc).__name__
                )
        return await self._done(sid, row)

    async def _done(self, sid: str, row: Pending) -> tuple[Pending | None, bool]:
        # A kick from here on may come after ``done`` looked for pending messages: the task then
        # looks once more (the message was stored before the kick).
        self._again.discard(sid)
        return await self._inbox.done(row.id, sid, self.owner)

    def _recorder(self, message: int) -> Callable[[int], Awaitable[None]]:
        async def record(sent: int) -> None:
            try:
                await self._inbox.progress(message, sent)
            except Exception as exc:  # the send still goes out; only a kill right now would repeat it
                log.warning("inbox %s progress not recorded error=%s", self.channel, type(exc).__name__)

        return record

    def _seal(self, data: object) -> str:
        return self._sealer.seal(json.dumps(data, ensure_ascii=False, separators=(",", ":")))

    def _open_message(self, row: Pending) -> Received | None:
        opened = self._sealer.open(row.payload) if row.payload else None
        if opened is None:
            return None
        data = json.loads(opened)
        return Received(inbound_from_json(data["in"]), data.get("meta") or {})

    def _open_replies(self, sealed: str) -> list[Outbound]:
        opened = self._sealer.open(sealed)
        return [outbound_from_json(r) for r in json.loads(opened)] if opened else []

    # -- recovery and lifecycle ----------------------------------------------------------------

    async def sweep(self) -> int:
        """Take over people whose messages wait with no live lease; how many were kicked."""
        stale = await self._inbox.stale_sessions(self.channel, self._clock() - self._lease)
        for sid in stale:
            self.kick(sid)
        if stale:
            log.warning("inbox %s sweep took over %d conversations", self.channel, len(stale))
        return len(stale)

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self._sweep_every)
            try:
                await self.sweep()
            except Exception as exc:  # the database may be briefly unavailable; try again later
                log.warning("inbox %s sweep failed error=%s", self.channel, type(exc).__name__)

    async def _prune_forever(self) -> None:
        while True:
            try:
                removed = await self._inbox.prune(self._clock() - RETENTION)
                log.info("inbox %s pruned=%d", self.channel, removed)
            except Exception as exc:
                log.warning("inbox %s prune failed error=%s", self.channel, type(exc).__name__)
            await asyncio.sleep(PRUNE_EVERY)

    def start(self) -> None:
        if not self._background:
            self._background = [
                asyncio.create_task(self._sweep_forever()),
                asyncio.create_task(self._prune_forever()),
            ]

    async def join(self) -> None:
        """Wait until every started handling task is over (tests, shutdown)."""
        while self._tasks or self.waiting:
            if not self._tasks:
                self._next_waiting()
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self, grace: float) -> int:
        """Stop the sweep; give running tasks ``grace`` seconds; returns how many were cut short
        (their messages stay pending: the sweep of a live worker finishes them)."""
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        self._background = []
        late: set[asyncio.Task[None]] = set()
        if self._tasks:
            _, late = await asyncio.wait(list(self._tasks), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        return len(late)
