"""The load run: gunicorn with production settings on a free loopback port, wrk against each page.

    .venv/bin/python bench/run.py [--database-url postgres://…/fansite_bench] [--redis-url …]
        [--workers 2] [--duration 10] [--scale full|small] [--only home,videos]

Needs data from bench/generate.py. For each endpoint: a short warm-up, then
`wrk -t2 -c16 -d<duration>s --latency` (wrk runs on the same machine, so it shares the CPUs).
Reports requests/s, median and p99 latency, non-2xx/3xx answers and the share of the bare floor
(/bench/bare/: a view returning a short string, no middleware, no template; bench/wsgi.py), with
the template floor beside it (/bench/floor/: the middleware and a tiny template); peak RSS of
each gunicorn worker; how the video page grows with its talk (10, 10,000 and 200,000 comments);
signed-in fans' pages (home, /videos/, a release, a member, a list, the largest video page);
signed-in writes (rate, comment, add to list), then recounts every figure the writes touched; a
page under load while Redis is stopped and started again (a gunicorn and a redis-server of the
run's own). Afterwards, one request per endpoint in-process with its queries captured, and EXPLAIN
ANALYZE of the slowest query of the slowest pages.

Visitors get the home page, the video list and video pages from the page cache
(foundation/page_cache.py): those are measured as visitors get them, and again as rendered
("uncached": each request asks bench/wsgi.py to skip the page cache, as after a write elsewhere
made every page stale; what such a write leaves valid, the talk under a video, its catalog
part, the rating widget and the header, still comes from the cache). The growth series is
rendered from scratch ("render": no cache at all).

Results go to bench/results/run-<scale>.json and docs/performance.md (see bench/report.py).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import live  # noqa: E402  (bench/live.py, beside this file)
import report  # noqa: E402  (bench/report.py, beside this file)
from generate import BENCH_PASSWORD, BENCH_USERNAME, SLUG_PREFIX  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fansite_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
CACHE_PREFIX = "fansite-bench"
SEARCHES = ["fearless", "chaewon", "unforgiven 12", "antifragle", "perfect night"]
GROWTH_SIZES = (10, 10_000, 200_000)
NOISY = 25.0  # % of a CPU used by other processes that makes a measurement worth repeating


def say(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


STAGES: list[dict[str, Any]] = []


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    say(f"==> {name}")
    started = time.perf_counter()
    yield
    seconds = time.perf_counter() - started
    STAGES.append({"stage": name, "seconds": round(seconds, 1)})
    say(f"    ({seconds:.1f} s)")


# ---- Environment --------------------------------------------------------------------------------


def production_env(args: argparse.Namespace) -> dict[str, str]:
    """The settings gunicorn runs with: production, but plain HTTP on loopback."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",  # the site's, plus the floors
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CACHE_KEY_PREFIX": CACHE_PREFIX,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
    }


def code_version() -> dict[str, str]:
    """The commit, and a hash of the code and templates as they are on disk (others may be
    editing the tree: a run whose hash changes measured two versions)."""
    import hashlib

    digest = hashlib.sha256()
    for folder in ("foundation", "catalog", "community", "fansite", "templates"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in {".py", ".html"} and "migrations" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return {
        "commit": command_output("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"),
        "uncommitted_files": str(
            len(command_output("git", "-C", str(ROOT), "status", "--porcelain").splitlines())
        ),
        "tree_hash": digest.hexdigest()[:12],
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def command_output(*command: str) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def _redis_version(url: str) -> str:
    import redis

    try:
        return str(redis.Redis.from_url(url).info("server")["redis_version"])
    except Exception as error:  # reported, not fatal: the run itself will fail loudly
        return f"unknown ({error.__class__.__name__})"


def facts(args: argparse.Namespace) -> dict[str, Any]:
    import django
    import gunicorn
    from django.db import connection

    meminfo = Path("/proc/meminfo").read_text().splitlines()
    total_kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), "")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        postgres = cursor.fetchone()[0].split(" on ")[0]
        pg_settings = {}
        for name in ("shared_buffers", "work_mem", "effective_cache_size", "max_connections"):
            cursor.execute(f"SHOW {name}")
            pg_settings[name] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(total_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "wrk": command_output("wrk", "-v").splitlines()[0] if command_output("wrk", "-v") else "",
        "postgresql": postgres,
        "postgresql_settings": pg_settings,
        "database_size": size,
        "redis": _redis_version(args.redis_url),
    }


# ---- The data -----------------------------------------------------------------------------------


def data_shape() -> dict[str, int]:
    from catalog.models import MusicVideo
    from community.models import Comment, CommentLike, Rating, User, Watchlist, WatchlistItem

    return {
        "videos": MusicVideo.objects.published().count(),
        "bench_videos": MusicVideo.objects.filter(slug__startswith=SLUG_PREFIX).count(),
        "fans": User.objects.count(),
        "ratings": Rating.objects.count(),
        "comments": Comment.objects.count(),
        "comment_likes": CommentLike.objects.count(),
        "watchlists": Watchlist.objects.count(),
        "watchlist_items": WatchlistItem.objects.count(),
    }


def growth_videos() -> list[tuple[int, str, int]]:
    """(comments, slug, top-level comments) for the videos closest to each growth size."""
    from django.db.models import Count, Q

    from catalog.models import MusicVideo

    rows = list(
        MusicVideo.objects.filter(slug__startswith=SLUG_PREFIX)
        .annotate(total=Count("comments"), top=Count("comments", filter=Q(comments__parent=None)))
        .values_list("total", "slug", "top")
    )
    if not rows:
        raise SystemExit("No bench videos: run bench/generate.py first.")
    biggest = max(rows)[0]
    # At small scale the sizes are 1/100: the hot video stands for 200,000, and so on.
    scale = 1 if biggest >= GROWTH_SIZES[-1] else biggest / GROWTH_SIZES[-1]

    def nearest(wanted: int) -> tuple[int, str, int]:
        return min(rows, key=lambda row: (abs(row[0] - wanted), row[1]))

    return [nearest(max(1, round(size * scale))) for size in GROWTH_SIZES]


def middle_cursor(slug: str) -> str:
    """A cursor halfway down the video's thread (newest first), for a deep page."""
    from community.models import Comment
    from community.threads import DEFAULT_SORT, encode_cursor

    top = Comment.objects.filter(video__slug=slug, parent__isnull=True).order_by(
        "-created_at", "-id"
    )
    count = top.count()
    middle = top.values_list("created_at", "pk")[count // 2]
    return encode_cursor(DEFAULT_SORT, middle[0], middle[1])


def growth_pages(slug: str) -> list[tuple[str, str]]:
    """(label, path) of the pages of a growth video measured: first, deep and oldest first."""
    return [
        ("first page", f"/videos/{slug}/"),
        ("deep page", f"/videos/{slug}/?{urlencode({'after': middle_cursor(slug)})}"),
        ("oldest first", f"/videos/{slug}/?sort=oldest"),
    ]


def signed_in_paths() -> dict[str, str]:
    """A release, a member and the public list with the most items (far above the typical
    list: a full page of cards, the most a list page shows), as fans open them."""
    from catalog.models import Member, Release
    from community.models import Watchlist

    paths = {}
    release = Release.objects.published().order_by("slug").first()
    if release is not None:
        paths["release"] = release.get_absolute_url()
    member = Member.objects.order_by("slug").first()
    if member is not None:
        paths["member page"] = member.get_absolute_url()
    watchlist = Watchlist.objects.filter(is_public=True).order_by("-item_count", "pk").first()
    if watchlist is not None:
        paths["a list"] = watchlist.get_absolute_url()
    return paths


FLOORS = ("bare floor", "template floor")


def video_list_paths() -> list[str]:
    """/videos/ as visitors page and filter it: pages, orders, members and kinds."""
    from catalog.models import Member, MusicVideo

    members = Member.objects.order_by("slug").values_list("slug", flat=True)[:5]
    return [
        *(f"/videos/?page={n}" for n in (2, 3, 4)),
        "/videos/?sort=oldest",
        "/videos/?sort=title&page=2",
        *(f"/videos/?member={slug}" for slug in members),
        *(f"/videos/?kind={kind}" for kind in MusicVideo.Kind.values[:3]),
    ]


# ---- gunicorn -----------------------------------------------------------------------------------


class Server:
    def __init__(self, args: argparse.Namespace, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "bench.wsgi:application",
            "--chdir",
            str(ROOT),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            args.worker_class,
            "--access-logfile",
            str(log.with_suffix(".access.log")),
            "--error-logfile",
            str(log),
            "--forwarded-allow-ips",
            "127.0.0.1",
        ]
        if args.threads:
            command += ["--threads", str(args.threads)]
        self.command = command
        self.log = log
        self.process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.seen_workers: dict[int, dict[str, int]] = {}
        if args.nice:
            prioritise(self.process.pid, args.nice)

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.process.returncode}); see {self.log}")
            with contextlib.suppress(OSError):
                status, _, _ = request(self.port, "GET", "/readyz")
                if status == 200 and len(self.workers()) >= 1:
                    return
            time.sleep(0.3)
        raise SystemExit(f"/readyz didn't answer 200 within {timeout:.0f} s; see {self.log}")

    def workers(self) -> list[int]:
        master = self.process.pid
        children = Path(f"/proc/{master}/task/{master}/children")
        if children.exists():
            return [int(pid) for pid in children.read_text().split()]
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    if int(fields[1]) == master:
                        pids.append(int(entry.name))
        return pids

    def memory(self) -> dict[int, dict[str, int]]:
        """VmHWM (peak RSS) and VmRSS in KiB per worker, remembering workers seen before."""
        for pid in self.workers():
            with contextlib.suppress(OSError):
                values = {}
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith(("VmHWM:", "VmRSS:")):
                        key, value = line.split(":", 1)
                        values[key] = int(value.split()[0])
                before = self.seen_workers.get(pid, {}).get("peak", 0)
                values["peak"] = max(before, values.get("VmHWM", 0))
                self.seen_workers[pid] = values
        return dict(self.seen_workers)

    def reset_peaks(self) -> None:
        """Start each worker's VmHWM afresh (Linux: 5 into clear_refs), so the next reading is
        the peak of what ran since."""
        for pid in self.workers():
            with contextlib.suppress(OSError):
                Path(f"/proc/{pid}/clear_refs").write_text("5")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def prioritise(pid: int, nice: int) -> None:
    """Give a process we started, in its own session, more of the CPUs: with autogroup
    scheduling, sessions share the CPUs fairly and a nice value only counts inside one, so
    the session's autogroup gets the nice value."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/autogroup").write_text(str(nice))
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, pid, nice)


def request(
    port: int, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def cookies(headers: http.client.HTTPMessage) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def fan_address(n: int) -> str:
    return f"10.200.{n // 256}.{n % 256}"


def log_in(port: int, n: int) -> tuple[str, str, str]:
    """Log bench fan n in through the real login page: (sessionid, csrftoken, address)."""
    address = fan_address(n)
    status, headers, _ = request(
        port, "GET", "/accounts/login/", headers={"X-Bench-Client": address}
    )
    token = cookies(headers).get("csrftoken")
    if status != 200 or not token:
        raise SystemExit(f"GET /accounts/login/ answered {status} without a CSRF cookie.")
    body = urlencode(
        {
            "csrfmiddlewaretoken": token,
            "login": BENCH_USERNAME.format(n),
            "password": BENCH_PASSWORD,
            "next": "/",
        }
    )
    status, headers, _ = request(
        port,
        "POST",
        "/accounts/login/",
        body,
        {
            "Cookie": f"csrftoken={token}",
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Bench-Client": address,
        },
    )
    jar = cookies(headers)
    if status != 302 or "sessionid" not in jar:
        raise SystemExit(f"Logging {BENCH_USERNAME.format(n)} in answered {status}, no session.")
    return jar["sessionid"], jar.get("csrftoken", token), address


def post_comment(port: int, fan: tuple[str, str, str], slug: str, body: str) -> tuple[int, str]:
    """A signed-in fan's comment through the video page's form: (status, Location)."""
    session, token, address = fan
    status, headers, _ = request(
        port,
        "POST",
        f"/videos/{slug}/comments/",
        urlencode({"csrfmiddlewaretoken": token, "body": body}),
        {
            "Cookie": f"sessionid={session}; csrftoken={token}",
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Bench-Client": address,
        },
    )
    return status, headers.get("Location", "")


# ---- wrk ----------------------------------------------------------------------------------------


def _cache_header(uncached: bool | str) -> str:
    """X-Bench-Page-Cache for bench/wsgi.py: True skips the page cache, "render" every cache."""
    if uncached == "render":
        return "render"
    return "off" if uncached else "cached"


def run_wrk(
    args: argparse.Namespace,
    server: Server,
    mode: str,
    paths: list[str],
    fans_file: Path | None,
    seconds: float,
    workdir: Path,
    uncached: bool | str = False,
) -> dict[str, Any]:
    paths_file = workdir / f"paths-{secrets.token_hex(4)}.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    command = [
        "wrk",
        f"-t{args.wrk_threads}",
        f"-c{args.connections}",
        f"-d{max(1, round(seconds))}s",  # wrk takes whole seconds
        "--latency",
        "--timeout",
        "30s",
        "-s",
        str(BENCH / "wrk.lua"),
        server.url,
        "--",
        mode,
        str(paths_file),
        str(fans_file) if fans_file else "-",
        str(args.wrk_threads),
        _cache_header(uncached),
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    if args.nice:
        prioritise(process.pid, args.nice)
    stdout, stderr = process.communicate()
    line = next((line for line in stdout.splitlines() if line.startswith("BENCH_RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk failed:\n{stdout}\n{stderr}")
    result: dict[str, Any] = json.loads(line.removeprefix("BENCH_RESULT "))
    # Recorded relative to the project, so results don't carry this machine's paths.
    shown = [
        str(Path(part).relative_to(BENCH.parent)) if part.startswith(str(BENCH)) else part
        for part in command[:9]
    ]
    result["command"] = " ".join(shown) + " <url> -- " + mode
    result["wrk_text"] = "\n".join(
        line for line in stdout.splitlines() if not line.startswith("BENCH_RESULT")
    )
    duration = result["duration_us"] / 1e6
    result["rps"] = result["requests"] / duration if duration else 0.0
    ok = sum(n for status, n in result["statuses"].items() if 200 <= int(status) < 400)
    result["ok_rps"] = ok / duration if duration else 0.0
    result["non_2xx_3xx"] = result["requests"] - ok
    return result


# ---- CPU: who used it during a measurement -----------------------------------------------------


def _cpu_ticks() -> dict[int, tuple[str, int]]:
    """pid: (command, user + system clock ticks) for every process."""
    ticks = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                ticks[int(entry.name)] = _process_ticks(int(entry.name))
    return ticks


def _process_ticks(pid: int) -> tuple[str, int]:
    raw = Path(f"/proc/{pid}/stat").read_text()
    fields = raw[raw.rindex(")") + 2 :].split()
    return raw[raw.index("(") + 1 : raw.rindex(")")], int(fields[11]) + int(fields[12])


def _postgres_backends() -> tuple[set[int], set[int]]:
    """(pids serving the bench database, pids serving any other database)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, datname = current_database() FROM pg_stat_activity "
            "WHERE datname IS NOT NULL"
        )
        rows = cursor.fetchall()
    return {pid for pid, ours in rows if ours}, {pid for pid, ours in rows if not ours}


class BackendSampler:
    """Ten times a second, the bench database's PostgreSQL processes (pg_stat_activity): what
    its client backends are doing (running, waiting and on what, e.g. Lock:transactionid for a
    row lock, or idle inside a transaction the app holds open while Python runs), and the CPU
    each process has used, parallel query workers included (they live for one query, so a
    snapshot at the end would miss them; the last 0.1 s of each is missed)."""

    def __init__(self, database_url: str) -> None:
        import threading

        import dj_database_url
        import psycopg

        config = dj_database_url.parse(database_url)
        self.conninfo = psycopg.conninfo.make_conninfo(
            dbname=config["NAME"],
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
        )
        self.counts: dict[str, int] = {}
        self.samples = 0
        self.first: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            while True:
                rows = conn.execute(
                    "SELECT pid, backend_type, state, wait_event_type, wait_event "
                    "FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).fetchall()
                for pid, kind, state, wait_type, wait in rows:
                    with contextlib.suppress(OSError, ValueError, IndexError):
                        ticks = _process_ticks(pid)[1]
                        # Seen from the start: count from here; appeared later: all of it.
                        self.first.setdefault(pid, ticks if self.samples == 0 else 0)
                        self.last[pid] = ticks
                    if kind != "client backend":
                        continue
                    if state == "active":
                        key = f"waiting {wait_type}:{wait}" if wait_type else "running"
                    elif state and state.startswith("idle in transaction"):
                        key = "idle in transaction"
                    else:
                        continue
                    self.counts[key] = self.counts.get(key, 0) + 1
                self.samples += 1
                if self.stop.wait(0.1):
                    return

    def result(self) -> dict[str, Any]:
        self.stop.set()
        self.thread.join()
        return {
            "samples": self.samples,
            # Average number of client backends in each state over the window.
            "busy": {
                k: round(v / max(self.samples, 1), 2)
                for k, v in sorted(self.counts.items(), key=lambda item: -item[1])
            },
            "pids": sorted(self.last),
            "ticks": sum(self.last[pid] - self.first[pid] for pid in self.last),
        }


class CpuWatch:
    """CPU used during a window, in % of one CPU: gunicorn; the bench database's PostgreSQL
    processes (from a BackendSampler); Redis; and everything else that is not the benchmark
    (others: other people's work on the machine; processes of theirs that end within the window
    are missed). wrk's own use isn't counted."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.before = _cpu_ticks()
        self.started = time.monotonic()

    def result(self, database: dict[str, Any] | None = None) -> dict[str, float]:
        after = _cpu_ticks()
        seconds = time.monotonic() - self.started
        ours_pg, _ = _postgres_backends()
        sampled = set(database["pids"]) if database else set()
        gunicorn = {self.server.process.pid, *self.server.workers()}
        totals = {"gunicorn": 0, "postgres": database["ticks"] if database else 0}
        totals.update(redis=0, others=0)
        for pid, (command, ticks) in after.items():
            spent = ticks - self.before.get(pid, (command, 0))[1]  # new ones: all of it
            if spent <= 0 or pid == os.getpid() or command == "wrk" or pid in sampled:
                continue
            if pid in gunicorn:
                totals["gunicorn"] += spent
            elif pid in ours_pg or (command == "postgres" and _is_auxiliary(pid)):
                totals["postgres"] += spent  # the bench's backends, the checkpointer, WAL writer…
            elif command.startswith("redis"):
                totals["redis"] += spent
            else:
                totals["others"] += spent
        per_second = os.sysconf("SC_CLK_TCK") * max(seconds, 1e-6)
        return {k: round(100 * v / per_second, 1) for k, v in totals.items()}


AUXILIARY = (
    "bin/postgres",  # the postmaster
    "checkpointer",
    "background writer",
    "walwriter",
    "autovacuum launcher",
    "logical replication launcher",
)


def _is_auxiliary(pid: int) -> bool:
    """A PostgreSQL process that serves no one database: the postmaster, checkpointer, WAL
    writer… (another database's backends count as others)."""
    with contextlib.suppress(OSError):
        title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        return any(word in title for word in AUXILIARY)
    return False


def wait_quiet(server: Server, budget: dict[str, float], limit: float = NOISY) -> float | None:
    """Wait (from the run's shared budget of seconds) until other processes use under `limit`%
    of a CPU over 3 s. Returns what they used in the last window."""
    while True:
        watch = CpuWatch(server)
        time.sleep(3)
        others = watch.result()["others"]
        if others < limit or budget["left"] <= 0:
            return others
        say(f"    (other processes are using {others:.0f}% of a CPU: waiting)")
        budget["left"] -= 3
        budget["waited"] += 3


def measure(
    args: argparse.Namespace,
    server: Server,
    workdir: Path,
    name: str,
    mode: str,
    paths: list[str],
    fans_file: Path | None = None,
    uncached: bool | str = False,
    **extra: Any,
) -> dict[str, Any]:
    before = wait_quiet(server, args.quiet_budget)
    server.reset_peaks()
    if mode == "get" and not uncached and len(paths) > 1:
        # Cached pages are measured cached: each of the paths once first (a 2 s warm-up
        # reaches a few hundred of the typical video pages, not all of them). Signed in, as
        # the first fan: fans' shared copies are kept per address too, and rendering a dozen
        # of them in the warm-up spilled into the measurement.
        headers = {}
        if fans_file is not None:
            session, csrf, address = fans_file.read_text().split("\n", 1)[0].split()
            headers = {
                "Cookie": f"sessionid={session}; csrftoken={csrf}",
                "X-Bench-Client": address,
            }
        with ThreadPoolExecutor(max_workers=args.workers * 2) as pool:
            list(pool.map(lambda path: request(server.port, "GET", path, headers=headers), paths))
    if args.warmup:
        run_wrk(args, server, mode, paths, fans_file, args.warmup, workdir, uncached)
    if args.nice:
        for pid in _postgres_backends()[0]:  # the connections gunicorn keeps open
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, pid, args.nice)
    charts_ttl = chart_cache_ttl(args.redis_url) if paths == ["/"] else None
    watch = CpuWatch(server)
    sampler = BackendSampler(args.database_url)
    result = run_wrk(args, server, mode, paths, fans_file, args.duration, workdir, uncached)
    backends = sampler.result()
    cpu = watch.result(backends)
    backends.pop("pids")
    if charts_ttl is not None:
        after = chart_cache_ttl(args.redis_url)
        # A longer time to live after than before: the charts were rebuilt while measuring.
        extra["chart_cache_rebuilt"] = after < 0 or after > charts_ttl
    memory = server.memory()
    result.update(
        name=name,
        mode=mode,
        path=paths[0] if len(paths) == 1 else f"{paths[0]} (+{len(paths) - 1} more in turn)",
        paths=paths[:3],
        all_paths=paths,
        path_count=len(paths),
        signed_in=fans_file is not None,
        uncached=uncached,
        peak_rss_kib=max((m.get("VmHWM", 0) for m in memory.values()), default=0),
        cpu=cpu,
        backends=backends,
        others_before=before,
        **extra,
    )
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(result["statuses"].items()))
    say(
        f"    {name:<44} {result['rps']:7.1f} req/s p50 {result['latency_us']['p50'] / 1000:7.1f}"
        f" ms p99 {result['latency_us']['p99'] / 1000:7.1f} ms [{statuses}] cpu {cpu}"
    )
    return result


def chart_cache_ttl(redis_url: str) -> int:
    """Seconds the home page's charts have left in the cache (-2: not cached)."""
    import redis

    return int(redis.Redis.from_url(redis_url).ttl(f"{CACHE_PREFIX}:1:home:charts"))


def clear_limits(redis_url: str) -> None:
    """Forget the write limits' and throttles' counters, so each write run starts afresh."""
    import redis

    client = redis.Redis.from_url(redis_url)
    for pattern in (f"{CACHE_PREFIX}:*ratelimit:*", f"{CACHE_PREFIX}:*throttle_*"):
        keys = list(client.scan_iter(match=pattern, count=1000))
        if keys:
            client.delete(*keys)


# ---- Redis going away under load ---------------------------------------------------------------

OUTAGE_PATH = "/videos/"
OUTAGE_NAME = "video list, Redis stopped and started"


class OwnRedis:
    """A redis-server of the run's own on a free port, nothing saved, to stop and start under
    load: the Redis the rest of the run uses (--redis-url) is never touched."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = workdir
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port, socket_timeout=1).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def pages(self) -> int:
        """Pages stored in it."""
        import redis

        return len(redis.Redis(port=self.port, socket_timeout=1).keys("*:page:*"))


def measure_growth(
    args: argparse.Namespace,
    server: Server,
    workdir: Path,
    rows: list[tuple[str, str, int, int, str]],
) -> list[dict[str, Any]]:
    """The growth rows (name, path, comments, top-level, page), each rendered with no cache, in
    --growth-rounds rounds of half a measurement each, every other round in reverse order: a
    slow spell of the machine falls on the small and the large threads alike, where one pass
    in order put the large ones last. Each row's figures are those of its median round (by
    requests/s); the rounds' requests/s are kept beside them."""
    rounds = max(1, args.growth_rounds)
    short = (
        argparse.Namespace(**{**vars(args), "duration": args.duration / 2}) if rounds > 1 else args
    )
    measured: dict[str, list[dict[str, Any]]] = {row[0]: [] for row in rows}
    for turn in range(rounds):
        for name, path, comments, top, page in rows if turn % 2 == 0 else rows[::-1]:
            measured[name].append(
                measure(
                    short,
                    server,
                    workdir,
                    name,
                    "get",
                    [path],
                    uncached="render",  # how the page grows to render, no cache
                    group="growth",
                    comments=comments,
                    top_level=top,
                    page=page,
                )
            )
    results = []
    for name, *_ in rows:
        each = measured[name]
        median = sorted(each, key=lambda e: e["rps"])[len(each) // 2]
        results.append({**median, "rounds_rps": [round(e["rps"], 1) for e in each]})
    return results


def measure_outage(args: argparse.Namespace, env: dict[str, str], workdir: Path) -> dict[str, Any]:
    """Visitors' video list under load from a gunicorn whose Redis is stopped a fifth of the way
    into the measurement and started again (empty, as after a restart) halfway: every answer
    should be a 2xx, and the pages cached again afterwards without restarting anything."""
    import threading

    own = OwnRedis(workdir)
    own.start()
    server = Server(args, {**env, "REDIS_URL": own.url}, workdir / "gunicorn-outage.log")
    timeline: dict[str, float] = {}
    try:
        server.wait_ready()
        for _ in range(3):
            request(server.port, "GET", OUTAGE_PATH)
        cached_before = own.pages()
        started = time.monotonic()

        def outage() -> None:
            time.sleep(args.duration * 0.2)
            own.stop()
            timeline["stopped_at_s"] = round(time.monotonic() - started, 1)
            time.sleep(args.duration * 0.3)
            own.start()
            timeline["started_at_s"] = round(time.monotonic() - started, 1)

        watch = CpuWatch(server)
        server.reset_peaks()
        timer = threading.Thread(target=outage)
        timer.start()
        result = run_wrk(args, server, "get", [OUTAGE_PATH], None, args.duration, workdir)
        timer.join()
        cpu = watch.result()
        # The breaker tries Redis again at most 5 s after its last failure (foundation/cache.py).
        resumed_after = None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            request(server.port, "GET", OUTAGE_PATH)
            if own.pages():
                resumed_after = round(time.monotonic() - started - timeline["started_at_s"], 1)
                break
            time.sleep(0.5)
        ready = request(server.port, "GET", "/readyz")
        memory = server.memory()
    finally:
        server.stop()
        own.stop()
    result.update(
        name=OUTAGE_NAME,
        mode="get",
        path=OUTAGE_PATH,
        paths=[OUTAGE_PATH],
        all_paths=[OUTAGE_PATH],
        path_count=1,
        signed_in=False,
        uncached=False,
        peak_rss_kib=max((m.get("VmHWM", 0) for m in memory.values()), default=0),
        cpu=cpu,
        group="outage",
        outage={
            **timeline,
            "duration_s": args.duration,
            "pages_cached_before": cached_before,
            "caching_resumed_after_s": resumed_after,
            "readyz_after": ready[0],
            "server_errors": sum(
                n for status, n in result["statuses"].items() if int(status) >= 500
            ),
        },
    )
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(result["statuses"].items()))
    say(
        f"    {OUTAGE_NAME:<44} {result['rps']:7.1f} req/s p99 "
        f"{result['latency_us']['p99'] / 1000:7.1f} ms [{statuses}] {result['outage']}"
    )
    return result


# ---- Checks after the writes --------------------------------------------------------------------


def verify_figures(since: dt.datetime) -> dict[str, Any]:
    """Every video a rating touched since `since`: do its figures equal a recount? Same for the
    comment counts of commented videos and the item counts of lists added to."""
    from django.db import connection

    from catalog.models import MusicVideo
    from community.models import Comment, Rating, Watchlist, WatchlistItem

    video_t, rating_t = MusicVideo._meta.db_table, Rating._meta.db_table
    comment_t = Comment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT video_id FROM {rating_t} WHERE updated_at >= %s", [since])
        touched = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT video_id, score, COUNT(*) FROM {rating_t} WHERE video_id = ANY(%s) "
            "GROUP BY video_id, score",
            [touched],
        )
        recount: dict[int, list[int]] = {pk: [0] * 10 for pk in touched}
        for video_id, score, n in cursor.fetchall():
            recount[video_id][score - 1] = n
        cursor.execute(
            f"SELECT id, rating_count, rating_sum, rating_histogram FROM {video_t} "
            "WHERE id = ANY(%s)",
            [touched],
        )
        rating_bad = []
        for pk, count, total, histogram in cursor.fetchall():
            if isinstance(histogram, str):  # Django leaves jsonb as text for JSONField to load
                histogram = json.loads(histogram)
            expected = recount[pk]
            exact = (
                count == sum(expected)
                and total == sum(n * s for s, n in enumerate(expected, start=1))
                and list(histogram) == expected
            )
            if not exact:
                rating_bad.append(pk)
        cursor.execute(f"SELECT COUNT(*) FROM {rating_t} WHERE updated_at >= %s", [since])
        rated = cursor.fetchone()[0]

        cursor.execute(f"SELECT DISTINCT video_id FROM {comment_t} WHERE created_at >= %s", [since])
        commented = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT v.id FROM {video_t} v LEFT JOIN (SELECT video_id, COUNT(*) AS n "
            f"FROM {comment_t} WHERE status = 'visible' AND video_id = ANY(%s) "
            "GROUP BY video_id) c "
            "ON c.video_id = v.id WHERE v.id = ANY(%s) AND v.comment_count <> COALESCE(c.n, 0)",
            [commented, commented],
        )
        comment_bad = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COUNT(*) FROM {comment_t} WHERE created_at >= %s", [since])
        comments_written = cursor.fetchone()[0]

        list_t, item_t = Watchlist._meta.db_table, WatchlistItem._meta.db_table
        cursor.execute(
            f"SELECT w.id FROM {list_t} w LEFT JOIN (SELECT watchlist_id, COUNT(*) AS n "
            f"FROM {item_t} GROUP BY watchlist_id) i ON i.watchlist_id = w.id "
            f"WHERE w.id IN (SELECT watchlist_id FROM {item_t} WHERE added_at >= %s) "
            "AND w.item_count <> COALESCE(i.n, 0)",
            [since],
        )
        list_bad = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COUNT(*) FROM {item_t} WHERE added_at >= %s", [since])
        items_written = cursor.fetchone()[0]
    return {
        "ratings_written_or_changed": rated,
        "videos_rated": len(touched),
        "rating_figures_wrong": rating_bad,
        "comments_written": comments_written,
        "videos_commented": len(commented),
        "comment_counts_wrong": comment_bad,
        "items_added": items_written,
        "item_counts_wrong": list_bad,
        "exact": not (rating_bad or comment_bad or list_bad),
    }


# ---- In-process profile -------------------------------------------------------------------------


class QueryRecorder:
    """The queries of one request, each timed with perf_counter (connection.queries, without
    DEBUG and with better than millisecond resolution)."""

    def __init__(self) -> None:
        self.queries: list[dict[str, Any]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = (time.perf_counter() - started) * 1000
            self.queries.append({"sql": sql, "params": params, "many": many, "ms": ms})


def _readable(sql: str, params: Any) -> str:
    from django.db import connection

    try:
        return str(connection.ops.compose_sql(sql, params)) if params else sql  # type: ignore[attr-defined]  # PostgreSQL's
    except Exception:  # display only: the raw SQL will do
        return sql


PROFILE_GROUPS = [
    ("templates", "/django/template/"),
    ("templates", "/django/templatetags/"),
    ("database driver", "/psycopg/"),
    ("ORM", "/django/db/"),
    ("forms", "/django/forms/"),
    ("REST framework", "/rest_framework/"),
    ("project code", str(ROOT / "foundation")),
    ("project code", str(ROOT / "catalog")),
    ("project code", str(ROOT / "community")),
    ("project code", str(ROOT / "fansite")),
    ("other Django", "/django/"),
]


def python_profile(call: Any) -> dict[str, Any]:
    """Where one request's Python time goes: by area, and the top functions by own time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    call()
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]  # set by pstats, not in typeshed
    groups: dict[str, float] = {}
    rows = []
    for (filename, line, function), (_, calls, own, cumulative, _) in stats.items():
        group = next((g for g, marker in PROFILE_GROUPS if marker in filename), "other")
        groups[group] = groups.get(group, 0.0) + own
        rows.append(
            (own, cumulative, calls, f"{filename.replace(str(ROOT), '.')}:{line}({function})")
        )
    rows.sort(reverse=True)
    short = [
        f"{own * 1000:8.2f} ms own {cum * 1000:8.2f} ms cum {calls:7d} calls  " + _short_path(where)
        for own, cum, calls, where in rows[:15]
    ]
    return {
        "by_area_ms": {
            k: round(v * 1000, 1) for k, v in sorted(groups.items(), key=lambda i: -i[1])
        },
        "top": short,
    }


def _real_write(mode: str) -> dict[str, Any]:
    """A fan, a write that changes something (a new score, a video not yet in their list), the
    path to measure it on (the hot video for ratings and comments) and one to warm up on."""
    from django.db.models import Count

    from catalog.models import MusicVideo
    from community.models import Rating, User, WatchlistItem

    fan = User.objects.get(username="fan000001")  # an ordinary fan, untouched by the load
    videos = MusicVideo.objects.filter(slug__startswith=SLUG_PREFIX)
    hot = videos.annotate(n=Count("comments")).order_by("-n").values_list("slug", flat=True)[0]
    if mode == "rate":
        ratings = dict(Rating.objects.filter(user=fan).values_list("video__slug", "score"))
        score = ratings.get(hot, 0) % 10 + 1  # differs from the fan's present score
        other = videos.exclude(slug=hot).order_by("slug").values_list("slug", flat=True)[0]
        return {
            "fan": fan,
            "path": f"/videos/{hot}/rating/",
            "warm": f"/videos/{other}/rating/",
            "data": {"score": score if ratings.get(other) != score else score % 10 + 1},
        }
    if mode == "comment":
        other = videos.exclude(slug=hot).order_by("slug").values_list("slug", flat=True)[0]
        return {
            "fan": fan,
            "path": f"/videos/{hot}/comments/",
            "warm": f"/videos/{other}/comments/",
            "data": {"body": "Profiling this page, one comment."},
        }
    listed = WatchlistItem.objects.filter(watchlist__owner=fan).values("video")
    fresh = list(videos.exclude(pk__in=listed).order_by("slug").values_list("slug", flat=True)[:2])
    return {
        "fan": fan,
        "path": f"/videos/{fresh[0]}/add-to-list/",
        "warm": f"/videos/{fresh[1]}/add-to-list/",
        "data": {},
    }


def _short_path(where: str) -> str:
    """A profiled function's file without this machine's folders: django/…, python/…."""
    if "site-packages/" in where:
        return where.split("site-packages/")[-1]
    stdlib = sysconfig.get_paths()["stdlib"]
    return where.replace(stdlib, "python") if where.startswith(stdlib) else where


def profile(endpoints: list[dict[str, Any]], explain_for: set[str]) -> dict[str, Any]:
    """One request per endpoint through Django's test client with production settings: its
    queries, timed; for the slowest endpoints, EXPLAIN ANALYZE of the slowest query and a
    cProfile of the Python side."""
    from django.db import connection, transaction
    from django.test import Client

    from community.models import User
    from foundation import page_cache

    reader = User.objects.get(username=BENCH_USERNAME.format(0))
    results: dict[str, Any] = {}
    for endpoint in endpoints:
        client = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="10.250.0.1")
        mode = endpoint["mode"]
        if mode != "get":
            write = _real_write(mode)
            client.force_login(write["fan"])
            warm, path = write["warm"], write["path"]
            candidates = [path]
        elif endpoint["signed_in"]:
            client.force_login(reader)
        if mode == "get":
            # A few paths in turn (the searches): profile each and keep the slowest.
            candidates = endpoint.get("all_paths") or endpoint["paths"]
            candidates = candidates if len(candidates) <= 10 else candidates[:1]
        data = write["data"] if mode != "get" else {}
        measured = []
        for path in candidates:

            def call(
                client: Client = client,
                path: str = path,
                mode: str = mode,
                data: Any = data,
                uncached: bool | str = endpoint.get("uncached", False),
            ) -> Any:
                if mode != "get":
                    return client.post(path, data)
                skip: dict[str, Any] = {page_cache.SKIP: True} if uncached else {}
                if uncached == "render":
                    skip[page_cache.SKIP_FRAGMENTS] = True
                return client.get(path, **skip)

            if mode == "get":
                call()  # warm: templates, connections
            else:  # the same write elsewhere, so the measured one is a first, real write
                client.post(warm, data)
            recorder = QueryRecorder()
            with connection.execute_wrapper(recorder):
                started = time.perf_counter()
                response = call()
                wall = time.perf_counter() - started
            measured.append((wall, path, call, response, recorder.queries))
        wall, path, call, response, queries = max(measured, key=lambda m: m[0])
        slowest = max(queries, key=lambda q: q["ms"], default=None)
        sql_ms = sum(q["ms"] for q in queries)
        entry: dict[str, Any] = {
            "path": path,
            "status": response.status_code,
            "bytes": len(response.content),
            "queries": len(queries),
            "sql_ms": round(sql_ms, 1),
            "wall_ms": round(wall * 1000, 1),
            "python_ms": round(wall * 1000 - sql_ms, 1),
            "slowest_ms": round(slowest["ms"], 2) if slowest else 0.0,
            "slowest_sql": _readable(slowest["sql"], slowest["params"]) if slowest else "",
        }
        if endpoint["name"] in explain_for:
            entry["python_profile"] = python_profile(call)
            sql = slowest["sql"].strip() if slowest else ""
            if slowest and sql.upper().startswith(("SELECT", "WITH")) and not slowest["many"]:
                try:
                    with transaction.atomic(), connection.cursor() as cursor:
                        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", slowest["params"])
                        entry["explain"] = "\n".join(row[0] for row in cursor.fetchall())
                        transaction.set_rollback(True)
                except Exception as error:  # a profile is best effort; say why there is none
                    entry["explain"] = f"(EXPLAIN failed: {error})"
        results[endpoint["name"]] = entry
        say(
            f"    {endpoint['name']:<44} {entry['queries']:3d} queries "
            f"{entry['sql_ms']:7.1f} ms SQL {entry['wall_ms']:7.1f} ms in all"
        )
    return results


# ---- Main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=0, help="gunicorn --threads (gthread)")
    parser.add_argument("--duration", type=float, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=2, help="seconds before each, unrecorded")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--growth-rounds",
        type=int,
        default=3,
        help="rounds of the growth rows, half a measurement each, in alternate order",
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run the benchmark (this script, gunicorn, wrk, and the bench database's "
        "PostgreSQL backends) at this niceness, e.g. -10 on a machine others are using",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=300,
        help="seconds the run may spend, in all, waiting for other processes to calm down",
    )
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--fans", type=int, default=0, help="bench fans to log in (0: all)")
    parser.add_argument("--scale", default=os.environ.get("BENCH_SCALE", "full"))
    parser.add_argument(
        "--only", default="", help="measure only endpoints whose names contain one of these words"
    )
    parser.add_argument("--live-streams", type=int, default=2000, help="open event streams")
    parser.add_argument("--live-rate", type=float, default=50, help="comments a second")
    parser.add_argument("--live-seconds", type=float, default=20, help="seconds of comments")
    parser.add_argument("--live-workers", type=int, default=1, help="uvicorn workers")
    parser.add_argument(
        "--live-timed", type=int, default=50, help="streams that time every comment's arrival"
    )
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--results", type=Path, default=BENCH / "results")
    parser.add_argument(
        "--render-only", action="store_true", help="rewrite the doc from saved results"
    )
    return parser.parse_args(argv)


def _interrupted(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    # `kill` stops the run as Ctrl-C does, through the cleanup that stops gunicorn: by default
    # SIGTERM would end this process alone and leave the server it started running.
    signal.signal(signal.SIGTERM, _interrupted)
    args.quiet_budget = {"left": args.quiet_wait, "waited": 0.0}
    if args.render_only:
        report.write(args.doc, args.results)
        say(f"Wrote {args.doc}")
        return
    if not command_output("sh", "-c", "command -v wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk (or `make bench`).")
    env = production_env(args)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.utils import timezone

    from community import identity
    from community.models import User
    from foundation import page_cache

    started_at = timezone.now()
    run_started = time.perf_counter()
    code_before = code_version()
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        with stage("collectstatic (the manifest production needs)"):
            call_command("collectstatic", interactive=False, verbosity=0)

    with stage("machine facts and data"):
        machine = facts(args)
        shape = data_shape()
        growth = growth_videos()
        bench_fans = User.objects.filter(username__startswith="benchfan").count()
        if not bench_fans:
            raise SystemExit("No bench fans: run bench/generate.py first.")
        fan_count = min(args.fans or bench_fans, bench_fans)
        hot_slug = growth[-1][1]
        growth_slugs = {slug for _, slug, _ in growth}
        from catalog.models import MusicVideo

        other_slugs = list(
            MusicVideo.objects.filter(slug__startswith=SLUG_PREFIX)
            .exclude(slug__in=growth_slugs)
            .order_by("slug")
            .values_list("slug", flat=True)
        )
        all_slugs = [hot_slug, *other_slugs]
        list_paths = video_list_paths()
        fan_paths = signed_in_paths()
        say(f"    {shape}")
        say(f"    growth videos: {[(total, slug) for total, slug, _ in growth]}")
        # Pages and fans an earlier run left in the cache may show other data (bench/generate.py
        # ran without this Redis): start from a new generation, and forget the fans.
        page_cache.bump()
        identity.forget_all()

    workdir = Path(tempfile.mkdtemp(prefix="fansite-bench-"))
    server = Server(args, env, workdir / "gunicorn.log")
    endpoints: list[dict[str, Any]] = []
    notes: list[str] = []
    writes_since = None
    verification: dict[str, Any] = {}
    cold: dict[str, Any] = {}
    logins: dict[str, Any] = {}
    live_result: dict[str, Any] = {}
    wanted = [word.strip() for word in args.only.split(",") if word.strip()]

    def selected(name: str) -> bool:
        return not wanted or name in FLOORS or any(word in name for word in wanted)

    try:
        with stage(
            f"start gunicorn ({args.workers} {args.worker_class} workers), wait for /readyz"
        ):
            server.wait_ready()
            say(f"    {server.url}, workers {server.workers()}")

        with stage(f"log {fan_count} bench fans in through /accounts/login/"):
            began = time.perf_counter()
            with ThreadPoolExecutor(max_workers=max(2, args.workers * 2)) as pool:
                sessions = list(pool.map(lambda n: log_in(server.port, n), range(fan_count)))
            spent = time.perf_counter() - began
            fans_file = workdir / "fans.txt"
            fans_file.write_text("".join(f"{s} {c} {a}\n" for s, c, a in sessions))
            peak = max((m.get("VmHWM", 0) for m in server.memory().values()), default=0)
            logins = {"fans": fan_count, "seconds": round(spent, 1), "peak_rss_kib": peak}

        with stage("cold home page: the chart cache emptied before each request"):
            timings = []
            for _ in range(3):
                cache.delete("home:charts")
                page_cache.bump()  # and the page with them
                began = time.perf_counter()
                status, _, _ = request(server.port, "GET", "/")
                timings.append(round((time.perf_counter() - began) * 1000, 1))
            cold = {"home_ms": timings, "status": status}
            say(f"    {timings} ms")

        typical = [f"/videos/{slug}/" for slug in other_slugs]
        # Visitors open the same list as fans (from the page cache, as fans' is a shared copy).
        visitor_list = [("a list", [fan_paths["a list"]])] if "a list" in fan_paths else []
        searches = [f"/search/?{urlencode({'q': q})}" for q in SEARCHES]
        # (name, paths, signed in, uncached: skip the page cache visitors get)
        reads: list[tuple[str, list[str], bool, bool | str]] = [
            ("bare floor", ["/bench/bare/"], False, False),
            ("template floor", ["/bench/floor/"], False, False),
            ("home", ["/"], False, False),
            ("home, uncached", ["/"], False, True),
            ("video list", ["/videos/"], False, False),
            ("video list, filtered and paged", list_paths, False, False),
            ("video list, uncached", ["/videos/"], False, True),
            ("video page (typical)", typical, False, False),
            ("video page (typical), uncached", typical, False, True),
            (f"video page, {growth[-1][0]:,} comments", [f"/videos/{hot_slug}/"], False, False),
            (
                f"video page, {growth[-1][0]:,} comments, uncached",
                [f"/videos/{hot_slug}/"],
                False,
                True,
            ),
            (
                f"video page, {growth[-1][0]:,} comments, signed in",
                [f"/videos/{hot_slug}/"],
                True,
                False,
            ),
            *((name, paths, False, False) for name, paths in visitor_list),
            ("home, signed in", ["/"], True, False),
            ("video list, signed in", ["/videos/"], True, False),
            ("video list, filtered and paged, signed in", list_paths, True, False),
            *((f"{what}, signed in", [path], True, False) for what, path in fan_paths.items()),
            ("search", searches, False, False),
            # A search nobody made since the catalog last changed: run, not read from the cache.
            ("search, from scratch", searches, False, "render"),
            ("api: video list", ["/api/v1/videos/"], False, False),
            ("api: video list, uncached", ["/api/v1/videos/"], False, True),
        ]
        with stage(f"reads: {args.duration:g} s each after a {args.warmup:g} s warm-up"):
            for name, paths, signed_in, uncached in reads:
                if not selected(name):
                    continue
                status, _, _ = request(server.port, "GET", paths[0])
                if status == 404:
                    notes.append(f"{name}: {paths[0]} answered 404, so it was skipped.")
                    say(f"    {name}: 404, skipped")
                    continue
                endpoints.append(
                    measure(
                        args,
                        server,
                        workdir,
                        name,
                        "get",
                        paths,
                        fans_file if signed_in else None,
                        uncached,
                        group="reads",
                    )
                )

        with stage("growth: the video page and its thread at each size"):
            growth_rows = [
                (f"growth: {total:,} comments, {label}", path, total, top, label)
                for total, slug, top in growth
                for label, path in growth_pages(slug)
            ]
            endpoints += measure_growth(
                args, server, workdir, [row for row in growth_rows if selected(row[0])]
            )

        # The growth rows have their rounds instead (measure_growth).
        noisy = [
            i
            for i, e in enumerate(endpoints)
            if e["cpu"]["others"] >= NOISY
            and e["name"] not in FLOORS
            and e.get("group") != "growth"
        ]
        if noisy and args.quiet_budget["left"] > 0:
            with stage(f"measure again the {len(noisy)} reads other processes disturbed"):
                for i in noisy:
                    old = endpoints[i]
                    extra = {
                        k: old[k] for k in ("group", "comments", "top_level", "page") if k in old
                    }
                    again = measure(
                        args,
                        server,
                        workdir,
                        old["name"],
                        "get",
                        old["all_paths"],
                        fans_file if old["signed_in"] else None,
                        old.get("uncached", False),
                        **extra,
                    )
                    kept = again if again["cpu"]["others"] < old["cpu"]["others"] else old
                    kept["attempts"] = old.get("attempts", 1) + 1
                    endpoints[i] = kept
                    if args.quiet_budget["left"] <= 0:
                        break

        if selected(OUTAGE_NAME):
            if shutil.which("redis-server"):
                with stage("a page under load while Redis is stopped and started again"):
                    endpoints.append(measure_outage(args, env, workdir))
            else:
                notes.append(f"{OUTAGE_NAME}: redis-server is not on PATH, so it was skipped.")

        writes = [
            ("rate a video", "rate"),
            ("post a comment", "comment"),
            ("add to a list", "list"),
        ]
        writes_since = timezone.now()
        with stage("signed-in writes (half on the hot video), limits reset before each"):
            for name, mode in writes:
                if not selected(name):
                    continue
                clear_limits(args.redis_url)
                endpoints.append(
                    measure(args, server, workdir, name, mode, all_slugs, fans_file, group="writes")
                )
        if selected("live streams"):
            with stage(
                f"live: {args.live_streams:,} event streams, comments at {args.live_rate:g}/s"
            ):
                clear_limits(args.redis_url)
                live_result = live.run(
                    env=env,
                    post=lambda fan, slug, body: post_comment(server.port, fan, slug, body),
                    fans=sessions,
                    slug=other_slugs[0],
                    workdir=workdir,
                    streams=args.live_streams,
                    rate=args.live_rate,
                    seconds=args.live_seconds,
                    workers=args.live_workers,
                    timed=args.live_timed,
                    say=say,
                    prioritise=(lambda pid: prioritise(pid, args.nice)) if args.nice else None,
                )
                say(f"    {live_result}")
        memory = server.memory()
    except BaseException:
        say(f"gunicorn's log and the load's files are kept in {workdir}")
        raise
    else:
        # The fans' session cookies and the paths: nothing to keep once the load has run.
        shutil.rmtree(workdir, ignore_errors=True)
    finally:
        server.stop()

    if writes_since is not None and any(e["group"] == "writes" for e in endpoints):
        with stage("verify: figures of every video and list the writes touched, recounted"):
            verification = verify_figures(writes_since)
            say(f"    {verification}")

    with stage("profile: one request per endpoint, queries captured; EXPLAIN the slowest"):
        reads_measured = [
            e for e in endpoints if e["group"] != "writes" and e["name"] not in FLOORS
        ]
        slowest = sorted(reads_measured, key=lambda e: e["rps"])[:6]
        writes_measured = [e for e in endpoints if e["group"] == "writes"]
        explain_for = {e["name"] for e in slowest}
        if writes_measured:
            explain_for.add(min(writes_measured, key=lambda e: e["rps"])["name"])
        profiles = profile(endpoints, explain_for)

    # Every row as a share of the bare floor measured in this run.
    floor = next((e for e in endpoints if e["name"] == "bare floor"), None)
    for endpoint in endpoints:
        endpoint["vs_floor"] = endpoint["rps"] / floor["rps"] if floor and floor["rps"] else None
        endpoint["profile"] = profiles.get(endpoint["name"], {})
        endpoint.pop("wrk_text", None)
        endpoint.pop("all_paths", None)

    results = {
        "scale": args.scale,
        "invocation": " ".join(["bench/run.py", *(sys.argv[1:] if argv is None else argv)]),
        "started_at": started_at.isoformat(timespec="seconds"),
        "total_seconds": round(time.perf_counter() - run_started, 1),
        "machine": machine,
        "code": {"before": code_before, "after": code_version()},
        "data": shape,
        "config": {
            "workers": args.workers,
            "worker_class": args.worker_class,
            "threads": args.threads,
            "duration": args.duration,
            "warmup": args.warmup,
            "connections": args.connections,
            "wrk_threads": args.wrk_threads,
            "nice": args.nice,
            "gunicorn": re.sub(
                r"\S*/fansite-bench-[^/\s]+/", "<run folder>/", " ".join(server.command[1:])
            ).replace(str(ROOT), "."),
            "redis_url": args.redis_url,
        },
        "logins": logins,
        "cold": cold,
        "endpoints": endpoints,
        "memory": {str(pid): values for pid, values in memory.items()},
        "verification": verification,
        "live": live_result,
        "stages": STAGES,
        "quiet_waited_seconds": args.quiet_budget["waited"],
        "notes": notes,
        "generation": report.load_generation(args.results, args.scale),
    }
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"run-{args.scale}.json"
    out.write_text(json.dumps(results, indent=1, default=str) + "\n")
    report.write(args.doc, args.results)
    say(f"Wrote {out} and {args.doc}")
    if verification and not verification["exact"]:
        raise SystemExit("Figures were NOT exact after the writes: see the report.")


if __name__ == "__main__":
    main()
