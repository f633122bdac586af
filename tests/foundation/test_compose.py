"""The compose stack and the image's entrypoint agree: each service runs a role the entrypoint knows, the listener
roles run manage.py commands that exist, and each listener's health check probes the port its service publishes.
(Building and starting the stack is `make stack-test`; this is what can be checked without images.)"""

import re
from pathlib import Path

import yaml
from django.core.management import get_commands

DOCKER = Path(__file__).resolve().parents[2] / "docker"
SERVICES = yaml.safe_load((DOCKER / "compose.yaml").read_text())["services"]
ENTRYPOINT = (DOCKER / "entrypoint.sh").read_text()
LISTENERS = {"listener": "dicom_listener", "hl7-listener": "hl7_listener"}


def _role_block(role: str) -> str:
    """The entrypoint's case branch for `role`, up to its `;;`."""
    match = re.search(rf"^  {re.escape(role)}\)(.*?);;", ENTRYPOINT, re.MULTILINE | re.DOTALL)
    assert match, f"the entrypoint has no role {role!r}"
    return match.group(1)


def test_every_service_runs_a_role_of_the_entrypoint():
    commands = {name: service["command"][0] for name, service in SERVICES.items() if "command" in service}
    assert set(LISTENERS) <= set(commands.values())
    for role in commands.values():
        _role_block(role)


def test_each_listener_role_runs_its_management_command_on_all_interfaces():
    known = get_commands()
    for role, command in LISTENERS.items():
        block = _role_block(role)
        assert f"manage.py {command} --host 0.0.0.0" in block
        assert "wait_for_migrations" in block
        assert command in known


def test_each_listener_probes_the_port_it_publishes():
    for name, service in SERVICES.items():
        if service.get("command", [None])[0] not in LISTENERS:
            continue
        (published,) = service["ports"]
        container_port = published.rsplit(":", 1)[1]
        assert f"--port {container_port}" in " ".join(service["healthcheck"]["test"]), name
        default_port = re.search(r'--port "\$\{\w+:-(\d+)\}"', _role_block(service["command"][0])).group(1)
        assert default_port == container_port, name
