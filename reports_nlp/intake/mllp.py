"""The HL7 v2 listener: MLLP over TCP (python-hl7's asyncio server), one ACK per message, in order per connection.

The event loop only frames and answers; each message is handled in a worker thread (the import writes to
the database), so several RIS connections are served at once. A connection that breaks the framing (no
<VT> start block) is closed: there is no message to acknowledge. The listener counts what it saw.
"""

import asyncio
import logging
import queue
import signal
import threading
from collections import Counter
from collections.abc import Callable

from hl7.mllp import InvalidBlockError, start_hl7_server

logger = logging.getLogger(__name__)

Handle = Callable[[str], tuple[str, str]]  # raw message -> (ACK message, outcome or error kind)
MAX_MESSAGE_BYTES = 4 * 1024 * 1024  # a report message is kilobytes; a larger block is refused, not buffered


def decode(block: bytes) -> str:
    """HL7 v2 defaults to ASCII; feeds send UTF-8 or Latin-1 (MSH-18). Latin-1 decodes any byte."""
    try:
        return block.decode("utf-8")
    except UnicodeDecodeError:
        return block.decode("latin-1")


def _settle(future: asyncio.Future, result=None, error: BaseException | None = None) -> None:
    if future.cancelled():  # the connection went away while its message was imported
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class _Workers:
    """Threads that import messages; each runs `on_exit` when it ends (its own database connection to close)."""

    def __init__(self, count: int, handle: Handle, on_exit: Callable[[], None] | None):
        self.handle, self.on_exit = handle, on_exit
        self.jobs: queue.Queue = queue.Queue()
        self.threads = [threading.Thread(target=self._work, name=f"hl7-worker-{i}", daemon=True)
                        for i in range(count)]
        for thread in self.threads:
            thread.start()

    def _work(self) -> None:
        try:
            while (job := self.jobs.get()) is not None:
                loop, future, raw = job
                try:
                    result = self.handle(raw)
                except Exception as exc:  # noqa: BLE001  (handed to the connection, which closes)
                    loop.call_soon_threadsafe(_settle, future, None, exc)
                else:
                    loop.call_soon_threadsafe(_settle, future, result)
        finally:
            if self.on_exit is not None:
                self.on_exit()

    async def run(self, raw: str) -> tuple[str, str]:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.jobs.put((loop, future, raw))
        return await future

    def stop(self) -> None:
        for _ in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join(30)


class HL7Listener:
    """`start()` serves in a background thread (tests, demo, bench); `serve_forever()` in this one (the command)."""

    def __init__(self, *, handle: Handle, host: str = "127.0.0.1", port: int = 2575, workers: int = 4,
                 on_worker_exit: Callable[[], None] | None = None):
        self.handle = handle
        self.workers = workers
        self.on_worker_exit = on_worker_exit  # e.g. close the worker thread's database connection
        self._pool: _Workers | None = None
        self.host, self.port = host, port
        self.counts: Counter[str] = Counter()  # outcome or error kind -> messages; "unknown-sender" = refusals
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server = None
        self._task: asyncio.Task | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def refusals(self) -> int:
        return self.counts["unknown-sender"]

    async def _client(self, reader, writer) -> None:
        peer = writer.get_extra_info("peername")
        try:
            while True:
                try:
                    block = await reader.readblock()
                except asyncio.IncompleteReadError:
                    break  # the peer closed the connection
                except (InvalidBlockError, ValueError) as exc:
                    self.counts["bad-framing"] += 1
                    logger.warning("HL7 connection from %s closed: not MLLP framed (%s)", peer, type(exc).__name__)
                    break
                reply, kind = await self._pool.run(decode(block))
                self.counts[kind] += 1
                writer.writeblock(reply.encode("utf-8"))
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def _serve(self) -> None:
        self._server = await start_hl7_server(self._client, self.host, self.port, limit=MAX_MESSAGE_BYTES)
        self.port = self._server.sockets[0].getsockname()[1]  # port 0: the one the OS chose
        logger.info("HL7 listener on %s:%s (MLLP)", self.host, self.port)
        self._ready.set()
        async with self._server:
            await self._server.serve_forever()

    def serve_forever(self) -> None:
        self._pool = _Workers(self.workers, self.handle, self.on_worker_exit)
        self._loop = asyncio.new_event_loop()
        self._task = self._loop.create_task(self._serve())
        if threading.current_thread() is threading.main_thread():
            # The command: SIGTERM (docker stop, systemd) and Ctrl-C stop it cleanly, connections closed.
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._loop.add_signal_handler(signum, self._task.cancel)
        try:
            self._loop.run_until_complete(self._task)
        except asyncio.CancelledError:
            pass
        finally:
            self._loop.close()
            self._pool.stop()

    def start(self) -> "HL7Listener":
        self._thread = threading.Thread(target=self.serve_forever, name="hl7-listener", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError(f"the HL7 listener did not start on {self.host}:{self.port}")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._task is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._task.cancel)
        if self._thread is not None:
            self._thread.join(10)
