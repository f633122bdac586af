"""Several listener processes behind one port: each new connection goes to the process with the fewest open ones.

The policy is tested on real sockets (a connection's file descriptor really crosses to the channel), and the
command end to end: two associations held open at once are served by two different listener processes.
"""

import os
import socket
from pathlib import Path

import pytest
from pynetdicom import AE
from pynetdicom.sop_class import Verification

from curation.dicom import handoff
from curation.dicom.handoff import Handoff, ListenerGone

from .conftest import free_port
from .listeners import children, listener_processes, wait_for


@pytest.fixture
def spread():
    spread = Handoff("127.0.0.1", 0, 2)
    yield spread
    spread.close()
    for channel in spread.child_channels:
        channel.close()


def _connect(spread: Handoff) -> socket.socket:
    return socket.create_connection(spread.listening.getsockname()[:2], timeout=5)


def test_connections_go_to_the_least_busy_process_and_come_back_when_closed(spread):
    clients = [_connect(spread) for _ in range(3)]
    assert [spread.hand_one() for _ in clients] == [0, 1, 0]
    assert spread.open == [2, 1]

    handed, address = handoff.receive(spread.child_channels[1])
    assert address == clients[1].getsockname()[:2]
    clients[1].sendall(b"C-ECHO")
    assert handed.recv(16) == b"C-ECHO"  # the very connection, not a copy of its address

    handed.close()
    handoff.report_closed(spread.child_channels[1])
    spread.closed(1)
    assert spread.open == [2, 0]
    clients.append(_connect(spread))
    assert spread.hand_one() == 1
    for client in clients:
        client.close()


def test_a_process_that_ends_is_noticed(spread):
    spread.child_channels[0].close()
    with pytest.raises(ListenerGone):
        spread.closed(0)


def _serving_pids(port: int, pids: list[int]) -> set[int]:
    """The processes holding the server side of the established connections on `port` (from /proc)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port, state = int(fields[1].split(":")[1], 16), fields[3]
        if local_port == port and state == "01":  # ESTABLISHED
            inodes.add(fields[9])
    owners = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                owners.add(pid)
    return owners


@pytest.mark.django_db(transaction=True)
def test_two_associations_at_once_are_served_by_two_listener_processes(tmp_path, settings, test_data_dir):
    port, log = free_port(), tmp_path / "listener.log"
    associations = []
    with listener_processes(port=port, processes=2, settings=settings, data_dir=test_data_dir, log=log) as listener:
        assert wait_for(lambda: len(children(listener.pid)) == 2 and "Listening as" in log.read_text(),
                        timeout=60), log.read_text()
        serving = children(listener.pid)
        try:
            for _ in range(2):
                ae = AE(ae_title="MODALITY")
                ae.add_requested_context(Verification)
                assoc = ae.associate("127.0.0.1", port, ae_title="RADCURATE")
                assert assoc.is_established, log.read_text()
                associations.append(assoc)
            assert all(assoc.send_c_echo().Status == 0 for assoc in associations)
            assert _serving_pids(port, serving) == set(serving)
            assert _serving_pids(port, [listener.pid]) == set()  # the parent hands connections over, keeps none
        finally:
            for assoc in associations:
                assoc.release()
    assert listener.returncode == 0, log.read_text()
