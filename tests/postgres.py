"""A throwaway PostgreSQL server for the store tests.

``postgres_server`` (session scope) yields a SQLAlchemy URL
(``postgresql+psycopg://...``). With ``FAQBOT_TEST_PG_URL`` set it uses that
server; otherwise it finds ``initdb``/``pg_ctl`` (on PATH or under
``/usr/lib/postgresql/*/bin``), creates a cluster in a temporary directory,
starts it on 127.0.0.1 on a free port with its socket inside that directory,
creates a database, and stops and removes everything at the end. As root,
initdb refuses to run, so the commands run as the ``postgres`` system user.

Tests skip (with the reason) when there is neither a URL nor the server binaries.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_URL_ENV = "FAQBOT_TEST_PG_URL"
NOT_FOUND = "PostgreSQL server binaries (initdb) not found; install postgresql"
DATABASE = "faqbot_test"
USER = "faqbot"


def find_bin_dir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``, or None."""
    found = shutil.which("initdb")
    if found:
        directory = Path(found).resolve().parent
        if (directory / "pg_ctl").exists():
            return directory
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: [int(part) if part.isdigit() else 0 for part in Path(path).parts[-3].split(".")],
    )
    for initdb in reversed(candidates):
        directory = Path(initdb).parent
        if (directory / "pg_ctl").exists():
            return directory
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Cluster:
    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.as_user: list[str] = []
        self.root = Path(tempfile.mkdtemp(prefix="faqbot-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            self._drop_root()

    def _drop_root(self) -> None:
        import pwd

        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            self.cleanup()
            pytest.skip("running as root and there is no 'postgres' user to run initdb as")
        runner = shutil.which("runuser")
        if runner:
            self.as_user = [runner, "-u", "postgres", "--"]
        elif shutil.which("su"):
            self.as_user = ["su", "postgres", "-s", "/bin/sh", "-c"]
        else:
            self.cleanup()
            pytest.skip("running as root and neither runuser nor su is available to run initdb")
        os.chown(self.root, account.pw_uid, account.pw_gid)
        os.chmod(self.root, 0o700)

    def run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.as_user and self.as_user[0] == "su":
            import shlex

            command = [*self.as_user, shlex.join(command)]
        else:
            command = [*self.as_user, *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=self.root)

    def start(self) -> None:
        init = self.run("initdb", "-D", str(self.data), "-U", USER, "-A", "trust", "-E", "UTF8",
                        "--locale=C", "--no-sync")
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
        for _attempt in range(3):  # the free port may be taken between probing and starting
            self.port = _free_port()
            options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -F -c max_connections=60"
            started = self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
                               "-w", "-t", "60", "start")
            if started.returncode == 0:
                return
        log = self.log.read_text(errors="replace") if self.log.exists() else ""
        raise RuntimeError(f"pg_ctl start failed:\n{started.stdout}\n{started.stderr}\n{log}")

    def stop(self) -> None:
        if self.data.exists():
            self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _create_database(port: int) -> None:
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=port, user=USER, dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{DATABASE}"')


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The SQLAlchemy URL of a PostgreSQL database for this test session."""
    pytest.importorskip("psycopg", reason="psycopg is not installed: pip install 'psycopg[binary]'")
    if os.environ.get(PG_URL_ENV):
        yield os.environ[PG_URL_ENV]
        return
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip(NOT_FOUND)
    cluster = _Cluster(bin_dir)
    try:
        cluster.start()
        _create_database(cluster.port)
        yield f"postgresql+psycopg://{USER}@127.0.0.1:{cluster.port}/{DATABASE}"
    finally:
        cluster.stop()
        cluster.cleanup()
