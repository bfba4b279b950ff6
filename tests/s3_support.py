"""S3 for tests: moto's server mode on a loopback port (a real S3 HTTP endpoint) and the settings that point at it."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from django.core.files.storage import storages


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def use_s3(settings, endpoint: str, bucket: str) -> Iterator:  # noqa: ANN001
    """Point default storage at `bucket` on the moto server (created here); yields a boto3 client of it."""
    import boto3

    settings.USE_S3 = True
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    settings.AWS_S3_ENDPOINT_URL = endpoint
    settings.AWS_S3_REGION_NAME = "us-east-1"
    settings.AWS_ACCESS_KEY_ID = "testing"
    settings.AWS_SECRET_ACCESS_KEY = "testing"
    settings.AWS_QUERYSTRING_AUTH = True
    settings.AWS_S3_SIGNATURE_VERSION = "s3v4"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage"}}
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing")
    client.create_bucket(Bucket=bucket)
    storages._storages.pop("default", None)  # the storage handler caches instances
    yield client
    storages._storages.pop("default", None)
