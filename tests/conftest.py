"""Fixtures shared by several test modules."""

from __future__ import annotations

import socket

import pytest


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on a free loopback port, for one module's tests."""
    moto_server = pytest.importorskip("moto.server")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()
