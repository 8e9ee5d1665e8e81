"""Where a signed-in fan's page spends its time, in-process: the test client, the site's settings,
the bench database (bench/generate.py) and its Redis, one fan signed in.

    .venv/bin/python bench/profile_fans.py --database-url postgres://…/fansite_bench \\
        --redis-url redis://127.0.0.1:6379/15 [--repeat 20] [--medians-only] [--growth]

For each page (the largest video page, /videos/, home, a release and a member's, signed in; and
/videos/ for a visitor): the median wall time of --repeat requests after a warm one, the queries
of one request, and a cProfile of one request by area (templates, ORM, database driver, project
code…) with the functions that take the most time of their own. Prints Markdown for
docs/performance.md; with --medians-only, only the medians.

With --growth, the benchmark's growth rows instead: the video page at each thread size (first
page, a deep page, oldest first) for a visitor, rendered from scratch with every cache skipped, as
bench/wsgi.py does for X-Bench-Page-Cache: render; each with the Python calls of one request
under cProfile, a steadier measure than the wall time on a busy machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--medians-only", action="store_true", help="no query list or profile, only the medians"
    )
    parser.add_argument(
        "--growth",
        action="store_true",
        help="the growth rows: the video page from scratch at each thread size, as a visitor",
    )
    args = parser.parse_args()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="0",
        SECRET_KEY="profile-only-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        CACHE_KEY_PREFIX="fansite-profile",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from generate import BENCH_USERNAME
    from run import QueryRecorder, growth_videos, python_profile, signed_in_paths

    from community.models import User
    from foundation import page_cache

    page_cache.bump()
    if args.growth:
        profile_growth(args.repeat, args.medians_only)
        return
    hot = growth_videos()[-1]
    fan = User.objects.get(username=BENCH_USERNAME.format(0))
    signed_in = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="10.250.0.2")
    signed_in.force_login(fan)
    visitor = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="10.250.0.3")
    pages = [
        (f"video page, {hot[0]:,} comments, signed in", signed_in, f"/videos/{hot[1]}/"),
        ("/videos/, signed in", signed_in, "/videos/"),
        ("home, signed in", signed_in, "/"),
        *(
            (f"{what}, signed in", signed_in, path)
            for what, path in signed_in_paths().items()
            if what != "a list"  # rendered for each fan: no shared copy
        ),
        ("/videos/, visitor (page cache)", visitor, "/videos/"),
    ]
    out = sys.stdout.write
    for name, client, path in pages:
        assert client.get(path).status_code == 200
        walls = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(path)
            walls.append((time.perf_counter() - started) * 1000)
        if args.medians_only:
            out(f"{name} (`{path}`): median {statistics.median(walls):.2f} ms\n")
            continue
        recorder = QueryRecorder()
        with connection.execute_wrapper(recorder):
            client.get(path)
        sql = sum(q["ms"] for q in recorder.queries)
        profile = python_profile(lambda client=client, path=path: client.get(path))
        areas = ", ".join(f"{k} {v:g}" for k, v in profile["by_area_ms"].items())
        out(f"\n#### {name} (`{path}`)\n\n")
        out(
            f"Median {statistics.median(walls):.1f} ms of {args.repeat} requests; "
            f"{len(recorder.queries)} queries, {sql:.1f} ms of SQL.\n\n"
        )
        out(f"Own time under cProfile by area (ms): {areas}.\n\n```\n")
        out("\n".join(profile["top"][:10]) + "\n```\n")


def profile_growth(repeat: int, medians_only: bool) -> None:
    """The growth rows as bench/run.py measures them: a visitor's video page, no cache at all."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client
    from run import QueryRecorder, growth_pages, growth_videos, python_profile

    from foundation.page_cache import SKIP, SKIP_FRAGMENTS

    visitor = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="10.250.0.3")
    scratch: dict[str, Any] = {SKIP: True, SKIP_FRAGMENTS: True}  # environ, as bench/wsgi.py sets
    out = sys.stdout.write
    for total, slug, _ in growth_videos():
        for label, path in growth_pages(slug):
            name = f"growth: {total:,} comments, {label}"
            assert visitor.get(path, **scratch).status_code == 200
            walls = []
            for _ in range(repeat):
                started = time.perf_counter()
                visitor.get(path, **scratch)
                walls.append((time.perf_counter() - started) * 1000)
            profiler = cProfile.Profile()
            profiler.enable()
            visitor.get(path, **scratch)
            profiler.disable()
            calls = pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]  # set by pstats, not in typeshed
            recorder = QueryRecorder()
            with connection.execute_wrapper(recorder):
                visitor.get(path, **scratch)
            out(
                f"{name} (`{path[:40]}`): median {statistics.median(walls):.2f} ms, "
                f"{calls:,} Python calls, {len(recorder.queries)} queries\n"
            )
            if medians_only:
                continue
            profile = python_profile(lambda path=path: visitor.get(path, **scratch))
            areas = ", ".join(f"{k} {v:g}" for k, v in profile["by_area_ms"].items())
            out(f"\n  Own time under cProfile by area (ms): {areas}.\n\n```\n")
            out("\n".join(profile["top"][:10]) + "\n```\n\n")


if __name__ == "__main__":
    main()
