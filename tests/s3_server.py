"""A throwaway S3-compatible server (moto's server mode) on a free loopback port, for tests and benchmarks.

With ``enforce_auth`` (the default) the server checks every request's signature against its own IAM users, as a
real bucket does: the first three requests make one IAM user with an s3:* policy and its access key (moto's
``INITIAL_NO_AUTH_ACTION_COUNT``), and after that an anonymous request or a made-up key is refused. ``key`` and
``secret`` are that user's; ``read_key`` and ``read_secret`` a second user's who may only read. ``stop()`` ends
the server process (started here, stopped by its own id).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

NO_AUTH_ACTIONS = 6  # CreateUser, PutUserPolicy, CreateAccessKey: for the writer, then for a read-only user
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
READ_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}],
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayS3:
    def __init__(self, bucket: str = "commons-test", enforce_auth: bool = True):
        self.bucket, self.enforce_auth = bucket, enforce_auth
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.key = self.secret = "unset"
        self.process: subprocess.Popen | None = None

    def start(self) -> ThrowawayS3:
        env = dict(os.environ, AWS_DEFAULT_REGION="us-east-1")
        if self.enforce_auth:
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(NO_AUTH_ACTIONS)
        moto = Path(sys.executable).parent / "moto_server"
        self.process = subprocess.Popen(
            [str(moto), "-H", "127.0.0.1", "-p", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:  # a bare connect, not a request: requests count against the unauthenticated ones
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError as err:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"moto_server did not start on port {self.port}") from err
                time.sleep(0.1)
        if self.enforce_auth:
            self.key, self.secret = self._make_user("commons-data-api", POLICY)
            self.read_key, self.read_secret = self._make_user("commons-register", READ_POLICY)
        else:
            self.key = self.secret = self.read_key = self.read_secret = "test"
        self.client().create_bucket(Bucket=self.bucket)
        return self

    def _make_user(self, name: str, policy: dict) -> tuple[str, str]:
        iam = self._boto("iam", "bootstrap", "bootstrap")
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="store", PolicyDocument=json.dumps(policy))
        made = iam.create_access_key(UserName=name)["AccessKey"]
        return made["AccessKeyId"], made["SecretAccessKey"]

    def _boto(self, service: str, key: str, secret: str):
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            region_name="us-east-1",
        )

    def client(self):
        return self._boto("s3", self.key, self.secret)

    def url(self, prefix: str = "commons") -> str:
        return f"s3://{self.bucket}/{prefix}"

    def environment(self, prefix: str = "commons") -> dict[str, str]:
        """The settings that point the commons' store at this server, credentials as the standard variables."""
        return {
            "COMMONS_STORE_URL": self.url(prefix),
            "COMMONS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.key,
            "AWS_SECRET_ACCESS_KEY": self.secret,
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def read_credentials_file(self, path: Path) -> Path:
        """The read-only user's keys in the AWS INI form COMMONS_S3_READ_CREDENTIALS_FILE reads."""
        path.write_text(f"[default]\naws_access_key_id = {self.read_key}\naws_secret_access_key = {self.read_secret}\n")
        path.chmod(0o600)
        return path

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
