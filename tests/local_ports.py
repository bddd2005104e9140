"""A free TCP port on 127.0.0.1, for the servers the tests start (SMTP, PostgreSQL, Dagster), and a
query to the Dagster webserver's GraphQL API."""

from __future__ import annotations

import json
import socket
import urllib.request


def free_port() -> int:
    """A port nothing listens on now (the OS's choice; closed again at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def graphql(port: int, document: str, variables: dict | None = None) -> dict:
    """The ``data`` of a GraphQL query to the webserver on ``port`` (an AssertionError on errors)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", method="POST",
                                     data=json.dumps({"query": document, "variables": variables or {}}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    assert "errors" not in answer, answer
    return answer["data"]
