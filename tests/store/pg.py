"""A throwaway PostgreSQL cluster for the tests: Debian's binaries, a unix socket in a temp dir, no TCP.

``initdb`` refuses to run as root (CI runs as root), so the server runs as the ``postgres`` system user (or
``nobody``) through ``runuser``. Durability is switched off: the cluster lives for one test session.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[2]
MIGRATIONS = REPO / "supabase" / "migrations"
BOOTSTRAP = Path(__file__).with_name("supabase_bootstrap.sql")
PORT = 55432
DATABASE = "barb"


def _bin_dir() -> Path:
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found: apt-get install -y postgresql")
    return Path(found[-1]).parent


def _server_user() -> str | None:
    """The account to run the server as when we are root (None: run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("running as root and neither 'postgres' nor 'nobody' exists")


class PgCluster:
    """One initialised and started cluster; ``conninfo`` reaches its database as the superuser."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="barb-pg-"))
        self.data = self.root / "data"
        self._bin = _bin_dir()
        self._user = _server_user()
        if self._user:
            account = pwd.getpwnam(self._user)
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self.conninfo = f"host={self.root} port={PORT} user=postgres dbname={DATABASE}"

    def _run(self, *args: str) -> None:
        command = [str(self._bin / args[0]), *args[1:]]
        if self._user:
            command = ["runuser", "-u", self._user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")
        options = (
            f"-k {self.root} -p {PORT} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
            " -c full_page_writes=off -c jit=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")
        admin = f"host={self.root} port={PORT} user=postgres dbname=postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"create database {DATABASE}")

    def apply_schema(self) -> None:
        """The Supabase stand-in, then every migration in file-name order (as ``supabase db push`` does)."""
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            for path in [BOOTSTRAP, *sorted(MIGRATIONS.glob("*.sql"))]:
                conn.execute(path.read_text())

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def acting_as(
    conn: psycopg.Connection, sub: str | None, role: str = "authenticated"
) -> Iterator[psycopg.Cursor]:
    """A transaction that runs as PostgREST runs a request: ``role`` plus the JWT claims, local to it."""
    claims = {"sub": sub, "role": role, "aud": "authenticated"} if sub else {"role": role}
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(
            "select set_config('role', %s, true), set_config('request.jwt.claims', %s, true)",
            (role, json.dumps(claims)),
        )
        yield cur
