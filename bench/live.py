"""The live row of the benchmark: N open event streams on one video, as `make serve` serves them
(uvicorn, Redis between servers), while signed-in fans post comments through gunicorn at R a
second. Reports the delay from each post (the moment its request is sent) to its arrival on
the streams, p50 and p99 over every (comment, timed stream) pair, and the memory each open
stream costs the ASGI server. The delay is also split in two at the moment the event was
published (its id is Redis's clock then): posting (gunicorn, the database, the bus) and fan-out
(the stream server and the client reading it), so a machine whose CPUs the load's own
processes share shows which side the time went to.

The streams are held by a separate client process (`python bench/live.py client …`, asyncio on
raw sockets): K of them parse every event and note when each comment arrived; the others read
and drop what they are sent, as quickly as a browser would. Called by bench/run.py (`--only
live`); its results go to docs/performance.md with the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
COMMENT_ID = re.compile(rb'id: (\d+)-\d+\nevent: comment\ndata: \{"id":(\d+)')
LOCATION_ID = re.compile(r"#comment-(\d+)$")


# ---- The streams: a client process --------------------------------------------------------------


async def _hold(
    port: int,
    path: str,
    timed: bool,
    arrivals: dict[int, tuple[float, float]],
    stats: dict[str, int],
) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        stats["failed"] += 1
        return
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        stats["refused"] += 1
        status = head.split(b" ", 2)[1].decode(errors="replace")
        stats[f"status {status}"] = stats.get(f"status {status}", 0) + 1
        writer.close()
        return
    stats["open"] += 1
    buffer = b""
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                stats["closed"] += 1
                return
            stats["bytes"] += len(data)
            if not timed:
                continue
            now = time.time()
            buffer += data
            blocks = buffer.split(b"\n\n")
            buffer = blocks.pop()
            for block in blocks:
                found = COMMENT_ID.search(block)
                if found:  # when it arrived, and when it was published
                    arrivals.setdefault(int(found.group(2)), (now, int(found.group(1)) / 1000))
    except (OSError, asyncio.IncompleteReadError):
        stats["closed"] += 1
    finally:
        writer.close()


async def _client(args: argparse.Namespace) -> None:
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    stats = {"open": 0, "failed": 0, "refused": 0, "closed": 0, "bytes": 0}
    timed: list[dict[int, tuple[float, float]]] = [{} for _ in range(args.timed)]
    tasks = []
    for n in range(args.streams):
        arrivals = timed[n] if n < args.timed else {}
        tasks.append(
            asyncio.ensure_future(_hold(args.port, args.path, n < args.timed, arrivals, stats))
        )
        if n % 50 == 49:
            await asyncio.sleep(0.05)  # a ramp: the server checks each new stream's request
    deadline = time.monotonic() + 120
    while stats["open"] + stats["failed"] + stats["refused"] < args.streams:
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    sys.stdout.write(json.dumps({"ready": stats}) + "\n")
    sys.stdout.flush()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    for task in tasks:
        task.cancel()
    Path(args.out).write_text(
        json.dumps({"stats": stats, "arrivals": [{str(k): v for k, v in t.items()} for t in timed]})
    )


def client_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--streams", type=int, required=True)
    parser.add_argument("--timed", type=int, required=True)
    parser.add_argument("--out", required=True)
    asyncio.run(_client(parser.parse_args(argv)))


# ---- The run, from bench/run.py -----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _rss_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def _ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            raw = Path(f"/proc/{pid}/stat").read_text()
            fields = raw[raw.rindex(")") + 2 :].split()
            total += int(fields[11]) + int(fields[12])
    return total


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _spread(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p99": None, "max": None}
    return {
        "p50": round(statistics.median(values), 1),
        "p99": round(_percentile(values, 0.99), 1),
        "max": round(max(values), 1),
    }


class StreamServer:
    """uvicorn on a free loopback port: the event-stream servers of `make serve`."""

    def __init__(self, env: dict[str, str], workers: int, log: Path) -> None:
        self.port = _free_port()
        self.workers_wanted = workers
        self.command = [
            str(ROOT / ".venv" / "bin" / "uvicorn"),
            "fansite.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(workers),
            "--no-access-log",
            "--backlog",
            "4096",
        ]
        self.log = log
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
            start_new_session=True,
        )

    def workers(self) -> list[int]:
        children = _children(self.process.pid)
        # With --workers 1 uvicorn serves from the process itself.
        return children if self.workers_wanted > 1 else [self.process.pid]

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"uvicorn exited; see {self.log}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1) as s,
            ):
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return
            time.sleep(0.3)
        raise SystemExit(f"uvicorn didn't answer within 60 s; see {self.log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def run(
    *,
    env: dict[str, str],
    post: Any,
    fans: list[tuple[str, str, str]],
    slug: str,
    workdir: Path,
    streams: int,
    rate: float,
    seconds: float,
    workers: int,
    timed: int,
    say: Any,
    prioritise: Any = None,
) -> dict[str, Any]:
    """`post(fan, slug, body) -> (status, location)` posts one comment through gunicorn."""
    stream_env = {
        **env,
        "LIVE_STREAMS_PER_ADDRESS": "0",  # every stream comes from 127.0.0.1 here
        "LIVE_IDLE_SECONDS": "3600",
    }
    server = StreamServer(stream_env, workers, workdir / "uvicorn.log")
    if prioritise:
        prioritise(server.process.pid)
    client = None
    try:
        server.wait_ready()
        path = f"/live/videos/{slug}/?{urlencode({'lang': 'en'})}"
        idle_rss = _rss_kib(server.workers())
        out = workdir / "live-client.json"
        client = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__)),
                "client",
                "--port",
                str(server.port),
                "--path",
                path,
                "--streams",
                str(streams),
                "--timed",
                str(timed),
                "--out",
                str(out),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        if prioritise:
            prioritise(client.pid)
        assert client.stdout is not None
        ready = json.loads(client.stdout.readline() or "{}").get("ready", {})
        time.sleep(2)  # settled: the dispatcher, the subscriber and the leases are all up
        held_rss = _rss_kib(server.workers())
        say(f"    {ready.get('open', 0):,} streams open; uvicorn RSS {held_rss / 1024:,.0f} MiB")

        posted: dict[int, float] = {}
        errors: list[str] = []
        lock = threading.Lock()
        load_before = os.getloadavg()[0]
        ticks_before, cpu_started = _ticks(server.workers()), time.monotonic()
        client_ticks_before = _ticks([client.pid])

        def one(n: int) -> None:
            fan = fans[n % len(fans)]
            sent = time.time()
            status, location = post(fan, slug, f"Live at the premiere, comment {n}")
            found = LOCATION_ID.search(location or "")
            with lock:
                if status == 302 and found:
                    posted[int(found.group(1))] = sent
                else:
                    errors.append(str(status))

        total = int(rate * seconds)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=16) as pool:
            for n in range(total):
                wait = started + n / rate - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                pool.submit(one, n)
        time.sleep(3)  # the last ones arrive
        elapsed = (time.monotonic() - cpu_started) * os.sysconf("SC_CLK_TCK") / 100
        cpu = (_ticks(server.workers()) - ticks_before) / elapsed
        client_cpu = (_ticks([client.pid]) - client_ticks_before) / elapsed
        load_after = os.getloadavg()[0]
        loaded_rss = _rss_kib(server.workers())
        client.send_signal(signal.SIGTERM)
        client.wait(timeout=60)
        result = json.loads(out.read_text())
    finally:
        if client is not None and client.poll() is None:
            client.kill()
        server.stop()

    delays, fan_out, posting = [], [], []
    missed = 0
    for arrivals in result["arrivals"]:
        for comment, sent in posted.items():
            found = arrivals.get(str(comment))
            if found is None:
                missed += 1
                continue
            arrived, published = found
            delays.append((arrived - sent) * 1000)
            fan_out.append((arrived - published) * 1000)
            posting.append((published - sent) * 1000)
    opened = ready.get("open", 0)
    return {
        "streams": streams,
        "open": opened,
        "refused": ready.get("refused", 0) + ready.get("failed", 0),
        "refused_by_status": {k: v for k, v in ready.items() if k.startswith("status ")},
        "closed_early": result["stats"]["closed"],
        "rate": rate,
        "seconds": seconds,
        "comments": len(posted),
        "post_errors": len(errors),
        "timed_streams": timed,
        "samples": len(delays),
        "missed": missed,
        "delay_ms": _spread(delays),
        # From publishing (the event's id: Redis's clock, this machine's) to arrival: the
        # stream server's share, and the client's reading; and from sending the post to
        # publishing: gunicorn's, the database's and the bus's.
        "fan_out_ms": _spread(fan_out),
        "posting_ms": _spread(posting),
        "workers": workers,
        "rss_kib": {"idle": idle_rss, "streams_open": held_rss, "after_posts": loaded_rss},
        "per_stream_kib": round((held_rss - idle_rss) / opened, 1) if opened else None,
        "uvicorn_cpu_percent": round(cpu, 1),
        "client_cpu_percent": round(client_cpu, 1),
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "received_mib": round(result["stats"]["bytes"] / 2**20, 1),
        "command": " ".join(server.command[1:]).replace(str(ROOT), "."),
    }


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "client":
    client_main(sys.argv[2:])
