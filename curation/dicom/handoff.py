"""Handing incoming associations to listener processes: the process with the fewest open associations first.

With several listener processes on one port, each process's threads share one interpreter (one core's worth of
Python), so what scales is how the associations are spread. SO_REUSEPORT spreads them by a hash of the
connection's addresses, blind to how busy each process is: two associations arriving at once land in one process
half the time while the other idles. Here the parent accepts every connection and passes its file descriptor
(SCM_RIGHTS over a Unix socket pair) to the least busy process; each process says when one of its connections
has closed.
"""

import selectors
import socket
from collections.abc import Iterable

ENDED = b"."
_ADDRESS_BYTES = 256


class ListenerGone(Exception):
    """A listener process closed its channel: it has ended."""


class Handoff:
    """The parent's side: the listening socket, one channel per listener process, and their open connections."""

    def __init__(self, host: str, port: int, processes: int):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.listening = socket.create_server((host, port), family=family, backlog=128)
        pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET) for _ in range(processes)]
        self.channels = [mine for mine, _ in pairs]
        self.child_channels = [theirs for _, theirs in pairs]
        self.open = [0] * processes
        self._next = 0  # ties go round the processes, so a quiet listener's processes are all used

    def forked(self) -> None:
        """In the parent once the processes run: their channel ends belong to them."""
        for channel in self.child_channels:
            channel.close()

    def serve(self, stop_when: Iterable[int] = ()) -> None:
        """Hand connections over until a listener process ends (its channel closes, or one of `stop_when`, file
        descriptors such as process sentinels, becomes readable)."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.listening, selectors.EVENT_READ, "listening")
            for k, channel in enumerate(self.channels):
                selector.register(channel, selectors.EVENT_READ, k)
            for fd in stop_when:
                selector.register(fd, selectors.EVENT_READ, "stop")
            while True:
                for key, _ in selector.select():
                    if key.data == "stop":
                        return
                    if key.data == "listening":
                        self.hand_one()
                    else:
                        self.closed(key.data)

    def hand_one(self) -> int | None:
        """Accept one connection and pass it on; returns the process it went to (None: nothing to accept)."""
        try:
            conn, address = self.listening.accept()
        except (BlockingIOError, ConnectionAbortedError):
            return None
        with conn:
            k = self._least_busy()
            message = f"{address[0]} {address[1]}".encode()
            socket.send_fds(self.channels[k], [message], [conn.fileno()])
        self.open[k] += 1
        return k

    def closed(self, k: int) -> None:
        """Read process k's word that a connection of its own closed."""
        message = self.channels[k].recv(64)
        if not message:
            raise ListenerGone(f"listener process {k} ended")
        self.open[k] = max(0, self.open[k] - message.count(ENDED))

    def _least_busy(self) -> int:
        n = len(self.open)
        k = min(range(n), key=lambda i: (self.open[i], (i - self._next) % n))
        self._next = (k + 1) % n
        return k

    def close(self) -> None:
        self.listening.close()
        for channel in self.channels:
            channel.close()


def receive(channel: socket.socket) -> tuple[socket.socket, tuple[str, int]]:
    """In a listener process: the next connection the parent handed over, with its peer's address."""
    message, fds, _, _ = socket.recv_fds(channel, _ADDRESS_BYTES, 1)
    if not fds:
        raise ListenerGone("the listener's parent process ended")
    host, port = message.decode().rsplit(" ", 1)
    return socket.socket(fileno=fds[0]), (host, int(port))


def report_closed(channel: socket.socket) -> None:
    """In a listener process: one of its connections has closed."""
    try:
        channel.send(ENDED)
    except OSError:  # the parent is gone; this process is being stopped
        pass
