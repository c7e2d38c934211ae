"""A fresh bucket on the local S3 server (moto) that the ``s3_endpoint`` fixture (conftest.py) starts."""

from __future__ import annotations

import uuid

import pytest

boto3 = pytest.importorskip("boto3")
s3fs = pytest.importorskip("s3fs")


def aws_env(endpoint: str) -> dict[str, str]:
    return {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}


def fresh_bucket(endpoint: str, monkeypatch, files: dict[str, bytes], prefix: str = "", stem: str = "curate"):
    """A new bucket holding ``files`` under ``prefix``, with the AWS settings pointing at moto
    (spawned workers inherit them); yields its name. s3fs caches instances with their settings,
    so the cache is cleared around each bucket."""
    for name, value in aws_env(endpoint).items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    s3fs.S3FileSystem.clear_instance_cache()
    name = f"{stem}-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3")
    client.create_bucket(Bucket=name)
    for key, data in files.items():
        client.put_object(Bucket=name, Key=f"{prefix}{key}", Body=data)
    yield name
    s3fs.S3FileSystem.clear_instance_cache()


def without_credentials(monkeypatch, folder) -> None:
    """No AWS credentials anywhere: not in the environment, not in (empty) config files."""
    empty = folder / "empty-aws-config"
    empty.write_text("")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    s3fs.S3FileSystem.clear_instance_cache()  # an instance made before holds the old credentials
