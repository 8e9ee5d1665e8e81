"""docs/performance.md from the saved results: one section per run (bench/results/run-*.json),
plus the hand-written bench/learned.md. `bench/run.py --render-only` rewrites it alone."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
GROWTH_LIMIT = 1.3
# The targets on this 2-CPU machine, as shares of the bare floor's requests/s (a view returning a
# short string, no middleware, no template, measured in the same run), and p99 in ms.
SIGNED_IN_MIN = 0.10
CACHED_PAGES_MIN = 0.35
COLD_PAGES_MIN = 0.03
SEARCH_AND_API_MIN = 0.05
WORKER_PEAK_MIB = 150
UNCACHED_BIG_PAGE_P99_MS = 100
WRITE_P99_MS = 150
LIVE_P99_MS = 1000
LIVE_STREAMS = 2000
SCALE_ORDER = {"full": 0, "small": 1}


def load_generation(results: Path, scale: str) -> dict[str, Any]:
    path = results / f"generate-{scale}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _ms(us: float) -> str:
    return f"{us / 1000:,.1f}"


def _rps(value: float) -> str:
    return f"{value:,.1f}"


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.0f}"


def _statuses(endpoint: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {v:,}" for k, v in sorted(endpoint["statuses"].items()))


def _code(path: str) -> str:
    # A cursor is 60 characters of base64 that say nothing to a reader.
    return "`" + re.sub(r"after=[\w-]+", "after=<cursor halfway>", path) + "`"


def _main_table(endpoints: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| Endpoint | Path | Requests/s | Median ms | p99 ms | Non-2xx/3xx | x floor "
        "| Queries | Peak RSS MiB | CPU % app / db / others |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for e in endpoints:
        queries = e.get("profile", {}).get("queries", "")
        path = e["path"] if e["mode"] == "get" else f"POST, {e.get('path_count', 0):,} videos"
        lines.append(
            f"| {e['name']} | {_code(path)} | {_rps(e['rps'])} | {_ms(e['latency_us']['p50'])} "
            f"| {_ms(e['latency_us']['p99'])} | {e['non_2xx_3xx']:,} | {_ratio(e.get('vs_floor'))} "
            f"| {queries} | {_mib(e['peak_rss_kib'])} | {_cpu(e)} |"
        )
    return lines


def _cpu(endpoint: dict[str, Any]) -> str:
    cpu = endpoint.get("cpu")
    if not cpu:
        return ""
    return f"{cpu['gunicorn']:.0f} / {cpu['postgres']:.0f} / {cpu['others']:.0f}"


def _growth(endpoints: list[dict[str, Any]]) -> list[str]:
    rows = [e for e in endpoints if e.get("group") == "growth"]
    if not rows:
        return ["(not measured in this run)"]
    with_rounds = any(e.get("rounds_rps") for e in rows)  # runs from before the rounds have none
    lines = [
        "| Comments on the video | Top-level | Page | Requests/s | Median ms | p99 ms "
        "| Queries | SQL ms (1 request) |" + (" Requests/s in each round |" if with_rounds else ""),
        "|---:|---:|---|---:|---:|---:|---:|---:|" + ("---|" if with_rounds else ""),
    ]
    for e in rows:
        profile = e.get("profile", {})
        rounds = ", ".join(_rps(rps) for rps in e.get("rounds_rps", []))
        lines.append(
            f"| {e['comments']:,} | {e['top_level']:,} | {e['page']} | {_rps(e['rps'])} "
            f"| {_ms(e['latency_us']['p50'])} | {_ms(e['latency_us']['p99'])} "
            f"| {profile.get('queries', '')} | {profile.get('sql_ms', '')} |"
            + (f" {rounds} |" if with_rounds else "")
        )
    lines += ["", "Growth, the smallest thread against each larger one (the limit is 1.3x):", ""]
    for page, small, large, throughput, latency in _growth_ratios(rows):
        worst = max(throughput, latency)
        verdict = "within 1.3x" if worst <= GROWTH_LIMIT else f"**NOT within 1.3x ({worst:.2f}x)**"
        lines.append(
            f"- {page}: {small['comments']:,} → {large['comments']:,} comments: requests/s "
            f"÷{throughput:.2f}, median latency x{latency:.2f}: {verdict}."
        )
    return lines


def _growth_ratios(rows: list[dict[str, Any]]) -> list[tuple[str, dict, dict, float, float]]:
    """(page, smallest thread, larger thread, requests/s ratio, median latency ratio)."""
    ratios = []
    pages = sorted({e["page"] for e in rows}, key=[e["page"] for e in rows].index)
    for page in pages:
        same = sorted((e for e in rows if e["page"] == page), key=lambda e: e["comments"])
        small = same[0]
        for large in same[1:]:
            throughput = small["rps"] / large["rps"] if large["rps"] else float("inf")
            latency = large["latency_us"]["p50"] / max(small["latency_us"]["p50"], 1)
            ratios.append((page, small, large, throughput, latency))
    return ratios


def _share_rows(endpoints: list[dict[str, Any]]) -> list[tuple[str, str, bool]]:
    """The targets set as shares of the bare floor: (target, this run's worst row, met)."""
    rows: list[tuple[str, str, bool]] = []
    reads = [e for e in endpoints if e.get("vs_floor") is not None and e.get("mode") == "get"]

    def worst(label: str, minimum: float, chosen: list[dict[str, Any]]) -> None:
        if chosen:
            low = min(chosen, key=lambda e: e["vs_floor"])
            figure = f"lowest {low['vs_floor']:.3f} ({low['name']}) of {len(chosen)} rows"
            rows.append(
                (
                    f"{label}: at least {minimum:.2f} of the bare floor",
                    figure,
                    low["vs_floor"] >= minimum,
                )
            )

    worst("Signed-in pages", SIGNED_IN_MIN, [e for e in reads if e.get("signed_in")])
    worst(
        "Visitors' cached pages",
        CACHED_PAGES_MIN,
        [
            e
            for e in reads
            if e.get("group") == "reads"
            and not e.get("uncached")
            and not e.get("signed_in")
            and e["name"].startswith(("home", "video list", "video page", "a list"))
        ],
    )
    worst(
        "Pages with every cache cold",
        COLD_PAGES_MIN,
        [e for e in reads if e.get("uncached") == "render" and not _search_or_api(e)],
    )
    searches_and_api = [e for e in reads if _search_or_api(e)]
    worst("Search and the API's video list", SEARCH_AND_API_MIN, searches_and_api)
    peak = max((e["peak_rss_kib"] for e in endpoints if e.get("peak_rss_kib")), default=0)
    if peak:
        rows.append(
            (
                f"Peak memory per worker: at most {WORKER_PEAK_MIB} MiB",
                f"{peak / 1024:,.0f} MiB",
                peak / 1024 <= WORKER_PEAK_MIB,
            )
        )
    return rows


def _search_or_api(endpoint: dict[str, Any]) -> bool:
    """Search and the API's video list, kept or made afresh: the search and API target's rows."""
    return endpoint["name"].startswith(("search", "api: video list"))


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _shares(run: dict[str, Any]) -> list[str]:
    """The floors and the share targets, at any scale (a small run's are indicative: its largest
    thread has 2,000 comments, not 200,000)."""
    endpoints = run["endpoints"]
    floors = [e for e in endpoints if e["name"] in ("bare floor", "template floor")]
    if not any(e["name"] == "bare floor" for e in floors):
        return []  # a run from before the bare floor: its shares are of the template floor
    rows = _share_rows(endpoints)
    lines = ["### Shares of the bare floor", ""]
    for e in floors:
        lines.append(
            f"- {e['name']} (`{e['path']}`): {_rps(e['rps'])} requests/s, share "
            f"{_ratio(e.get('vs_floor'))}."
        )
    if run["scale"] != "full":
        lines += ["", f"Scale {run['scale']}: the targets are set for the full scale; indicative."]
    lines += [
        "",
        "| Target | This run | |",
        "|---|---|---|",
        *(f"| {target} | {figure} | {_met(ok)} |" for target, figure, ok in rows),
        "",
    ]
    return lines


def _targets(run: dict[str, Any]) -> list[str]:
    """The targets, each with this run's figure that decides it (the worst of its rows). They
    are set for the full scale only: a small run has a thread of 2,000 comments, not 200,000."""
    if run["scale"] != "full":
        return []
    endpoints = run["endpoints"]
    rows: list[tuple[str, str, bool]] = []
    met = _met

    # "video page, 200,000 comments, uncached" (the typical page is "video page (typical)")
    page = next(
        (e for e in endpoints if e["name"].startswith("video page,") and e.get("uncached") is True),
        None,
    )
    if page:
        p99 = page["latency_us"]["p99"] / 1000
        rows.append(
            (
                f"Uncached video page with the largest thread: p99 under "
                f"{UNCACHED_BIG_PAGE_P99_MS} ms",
                f"{p99:.1f} ms ({page['name']})",
                p99 < UNCACHED_BIG_PAGE_P99_MS,
            )
        )
    writes = [e for e in endpoints if e.get("group") == "writes"]
    if writes:
        slow = max(writes, key=lambda e: e["latency_us"]["p99"])
        p99 = slow["latency_us"]["p99"] / 1000
        rows.append(
            (
                f"Signed-in writes: p99 under {WRITE_P99_MS} ms",
                f"highest {p99:.1f} ms ({slow['name']})",
                p99 < WRITE_P99_MS,
            )
        )
        failed = sum(e["non_2xx_3xx"] + sum((e.get("errors") or {}).values()) for e in writes)
        rows.append(("Signed-in writes: zero errors", f"{failed:,}", failed == 0))
        v = run.get("verification") or {}
        if v:
            rows.append(
                (
                    "Exact rating figures (and comment and item counts) after the writes",
                    "exact" if v["exact"] else "not exact",
                    bool(v["exact"]),
                )
            )
    growth = _growth_ratios([e for e in endpoints if e.get("group") == "growth"])
    if growth:
        page, small, large, throughput, latency = max(growth, key=lambda g: max(g[3], g[4]))
        worst = max(throughput, latency)
        rows.append(
            (
                f"Growth of the video page's talk: within {GROWTH_LIMIT}x",
                f"worst {worst:.2f}x ({page}, {small['comments']:,} → {large['comments']:,} "
                "comments)",
                worst <= GROWTH_LIMIT,
            )
        )
    outage = next((e for e in endpoints if e.get("group") == "outage"), None)
    if outage:
        o = outage["outage"]
        resumed = o["caching_resumed_after_s"]
        rows.append(
            (
                "Redis stopped and started under load: zero 5xx, and caching resumes by itself",
                f"{o['server_errors']:,} 5xx of {outage['requests']:,} answers; "
                + (
                    f"cached again {resumed:g} s after Redis was back"
                    if resumed is not None
                    else "**not cached again**"
                ),
                o["server_errors"] == 0 and resumed is not None,
            )
        )
    live = run.get("live")
    if live and live.get("delay_ms", {}).get("p99") is not None:
        rows.append(
            (
                f"Live: p99 delay from post to arrival under {LIVE_P99_MS:,} ms with at least "
                f"{LIVE_STREAMS:,} streams open",
                f"{live['delay_ms']['p99']:,} ms with {live['open']:,} streams",
                live["delay_ms"]["p99"] < LIVE_P99_MS and live["open"] >= LIVE_STREAMS,
            )
        )
    if not rows:
        return []
    return [
        "### Targets",
        "",
        "| Target | This run | |",
        "|---|---|---|",
        *(f"| {target} | {figure} | {met(ok)} |" for target, figure, ok in rows),
        "",
        "Query budgets (a fixed number of queries for every page and API list, at 10 and "
        "1,000 rows) are asserted by the test suite (`make test`), not by this run.",
        "",
    ]


def _outage(run: dict[str, Any]) -> list[str]:
    e = next((e for e in run["endpoints"] if e.get("group") == "outage"), None)
    if not e:
        return []
    o = e["outage"]
    resumed = o["caching_resumed_after_s"]
    return [
        f"*{e['name']}*: visitors' `{e['path']}` from a gunicorn of its own whose Redis (a "
        f"redis-server of the run's own) was stopped {o.get('stopped_at_s', '?')} s into the "
        f"{o['duration_s']:g} s measurement and started again, empty, at "
        f"{o.get('started_at_s', '?')} s. Answers: {_statuses(e)} ({o['server_errors']:,} 5xx). "
        + (
            f"Pages were cached again {resumed:g} s after Redis was back, without a restart"
            if resumed is not None
            else "**Pages were not cached again** within 15 s of Redis being back"
        )
        + f"; /readyz then answered {o['readyz_after']}.",
        "",
    ]


def _live(run: dict[str, Any]) -> list[str]:
    live = run.get("live")
    if not live:
        return ["(not measured in this run)"]
    delay = live["delay_ms"]
    per_stream = live.get("per_stream_kib")
    lines = [
        "Open event streams on one video (uvicorn, as `make serve` serves /live/), while "
        "signed-in fans post comments through gunicorn; the delay is from sending each post to "
        f"its arrival, over every comment on {live['timed_streams']} streams that time them "
        "(bench/live.py).",
        "",
        "| Streams open | Comments/s | Comments | Delay p50 ms | p99 ms | max ms | Missed "
        "| Memory per stream KiB | uvicorn CPU % |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {live['open']:,} of {live['streams']:,} | {live['rate']:g} | {live['comments']:,} "
        f"| {delay['p50']} | {delay['p99']} | {delay['max']} | {live['missed']:,} "
        f"| {per_stream if per_stream is not None else ''} | {live['uvicorn_cpu_percent']} |",
        "",
    ]
    fan_out, posting = live.get("fan_out_ms"), live.get("posting_ms")
    if fan_out and posting:
        lines += [
            "The same delay split where the event was published (its id is Redis's clock "
            "then): posting is gunicorn, the database and the bus; fan-out is the stream "
            "server and the client reading the streams. The client, gunicorn and the stream "
            "server share the machine's CPUs.",
            "",
            "| Part | p50 ms | p99 ms | max ms |",
            "|---|---:|---:|---:|",
            f"| posting | {posting['p50']} | {posting['p99']} | {posting['max']} |",
            f"| fan-out | {fan_out['p50']} | {fan_out['p99']} | {fan_out['max']} |",
            "",
            f"Stream client CPU: {live.get('client_cpu_percent')} %; load average "
            f"{' → '.join(str(x) for x in live.get('load_average', []))} over the posting.",
            "",
        ]
    return [
        *lines,
        f"`{live['command']}`; {live['workers']} worker(s); streams dropped before the end: "
        f"{live['closed_early']:,}; post errors: {live['post_errors']:,}.",
    ]


def _writes(run: dict[str, Any]) -> list[str]:
    rows = [e for e in run["endpoints"] if e.get("group") == "writes"]
    if not rows:
        return ["(not measured in this run)"]
    lines = [
        "| Write | Requests/s | Answered 2xx/3xx per s | Median ms | p99 ms | Statuses |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for e in rows:
        lines.append(
            f"| {e['name']} | {_rps(e['rps'])} | {_rps(e['ok_rps'])} "
            f"| {_ms(e['latency_us']['p50'])} | {_ms(e['latency_us']['p99'])} | {_statuses(e)} |"
        )
    v = run.get("verification") or {}
    if v:
        verdict = "**exact**" if v["exact"] else "**NOT exact**"
        lines += [
            "",
            f"Figures after the writes: {verdict}. {v['ratings_written_or_changed']:,} ratings "
            f"written or changed on {v['videos_rated']:,} videos: every one's rating_count, "
            f"rating_sum and rating_histogram equal a recount of its ratings "
            f"({len(v['rating_figures_wrong'])} differ). {v['comments_written']:,} comments on "
            f"{v['videos_commented']:,} videos: comment_count recounted "
            f"({len(v['comment_counts_wrong'])} differ). {v['items_added']:,} list items added: "
            f"item_count recounted ({len(v['item_counts_wrong'])} differ).",
        ]
    return lines


def _backends(endpoints: list[dict[str, Any]]) -> list[str]:
    rows = [e for e in endpoints if e.get("backends")]
    if not rows:
        return ["(not sampled in this run)"]
    lines = [
        "pg_stat_activity of the bench database, sampled ten times a second during each "
        "measurement: how many backends were, on average, running a query, waiting (on what), "
        "or idle inside an open transaction. With 2 sync workers there are at most 2.",
        "",
        "| Endpoint | Backends busy, on average |",
        "|---|---|",
    ]
    for e in rows:
        busy = e["backends"]["busy"]
        text = ", ".join(f"{k} {v:.2f}" for k, v in busy.items()) or "none"
        lines.append(f"| {e['name']} | {text} |")
    return lines


def _profile(endpoints: list[dict[str, Any]]) -> list[str]:
    lines = [
        "One request of each endpoint through Django's test client in this process, after one "
        "warm-up request, with production settings; each query timed on its own (what "
        "`connection.queries` lists under DEBUG). Python ms = total less SQL.",
        "",
        "| Endpoint | Status | KiB | Queries | SQL ms | Python ms | Total ms | Slowest query ms "
        "| Slowest query |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for e in endpoints:
        p = e.get("profile") or {}
        if not p:
            continue
        sql = " ".join(p["slowest_sql"].split())
        sql = (sql[:110] + "…") if len(sql) > 110 else sql
        sql = sql.replace("|", "\\|")
        lines.append(
            f"| {e['name']} | {p['status']} | {p.get('bytes', 0) / 1024:,.0f} | {p['queries']} "
            f"| {p['sql_ms']} | {p.get('python_ms', '')} | {p['wall_ms']} | {p['slowest_ms']} "
            f"| `{sql}` |"
        )
    explained = [e for e in endpoints if (e.get("profile") or {}).get("python_profile")]
    for e in explained:
        p = e["profile"]
        areas = ", ".join(f"{k} {v:,.1f} ms" for k, v in p["python_profile"]["by_area_ms"].items())
        lines += [
            "",
            f"#### {e['name']}",
            "",
            *(
                [f"Profiled: {_code(p['path'])} (the slowest of its paths)", ""]
                if e.get("path_count", 1) > 1 and e["mode"] == "get" and p.get("path")
                else []
            ),
            f"Python time by area (cProfile, own time; profiling slows it down): {areas}.",
            "",
            "```",
            *p["python_profile"]["top"],
            "```",
        ]
        if not p.get("explain"):
            continue
        lines += [
            "",
            f"Its slowest query ({p['slowest_ms']} ms), `EXPLAIN (ANALYZE, BUFFERS)`:",
            "",
            "```sql",
            p["slowest_sql"].strip(),
            "```",
            "",
            "```",
            p["explain"],
            "```",
        ]
    return lines


def _run_section(run: dict[str, Any]) -> list[str]:
    c, d, m = run["config"], run["data"], run["machine"]
    endpoints = run["endpoints"]
    title = {"full": "Full scale", "small": "Small scale (1/100 of the rows)"}.get(
        run["scale"], run["scale"]
    )
    gen = run.get("generation") or {}
    code = run.get("code") or {}
    before, after = code.get("before", {}), code.get("after", {})
    lines = [
        f"## {title}: run of {run['started_at']}",
        "",
    ]
    if before:
        lines += [
            f"Code: commit {before['commit']} with {before['uncommitted_files']} files changed or "
            f"added beside it (tree hash {before['tree_hash']})."
            + (
                ""
                if before["tree_hash"] == after.get("tree_hash")
                else f" **The code changed during the run** (hash {after.get('tree_hash')}, "
                f"commit {after.get('commit')} at the end): gunicorn served the code of the "
                "start, the in-process profile may have imported the later one."
            ),
            "",
        ]
    if run.get("invocation"):
        lines += [f"Run with `.venv/bin/python {run['invocation']}` after `bench/generate.py`.", ""]
    lines += [
        f"Data: {d['videos']:,} published videos ({d['bench_videos']:,} generated), "
        f"{d['fans']:,} fans, {d['ratings']:,} ratings, {d['comments']:,} comments "
        f"({d['comment_likes']:,} likes), {d['watchlists']:,} watchlists with "
        f"{d['watchlist_items']:,} items; database {m['database_size']}.",
        "",
        f"Load: `wrk -t{c['wrk_threads']} -c{c['connections']} -d{c['duration']:g}s --latency "
        f"--timeout 30s -s bench/wrk.lua` after a {c['warmup']:g} s unrecorded warm-up, against "
        f"gunicorn with {c['workers']} {c['worker_class']} workers"
        + (f" x {c['threads']} threads" if c.get("threads") else "")
        + " and production settings (DEBUG=0, Redis cache and sessions, persistent database "
        "connections). wrk, gunicorn, PostgreSQL and Redis share the machine's CPUs."
        + (
            f" The benchmark (wrk, gunicorn and the bench database's PostgreSQL backends) ran at "
            f"nice {c['nice']}, so that other work on the machine (the CPU column's others) took "
            "less of it."
            if c.get("nice")
            else ""
        ),
        "",
        *_shares(run),
        *_targets(run),
        "### Requests",
        "",
        *_main_table(endpoints),
        "",
        "x floor is the endpoint's requests/s divided by the bare floor's (a view returning a "
        "short string, no middleware, no template, in the same gunicorn). Queries: one request of "
        "that endpoint, measured in-process (below). Peak RSS: the largest worker's VmHWM during "
        "that endpoint's warm-up and measurement. CPU, in % of one of the "
        f"{m['nproc']} CPUs, during the measurement: gunicorn (app), the bench database's "
        "PostgreSQL backends (db), and processes that are not part of the benchmark (others: "
        "other work on the machine; wrk's own share is not shown). db includes the parallel "
        "query workers PostgreSQL starts for one query (sampled ten times a second); others' "
        "processes that end during a measurement are missed.",
        "",
        "Visitors' rows without a suffix are served as visitors get them, from the page cache. "
        "*uncached*: the page cache skipped, as after a write elsewhere (a rating on another "
        "video) made every page stale; what such a write leaves valid still comes from the "
        "cache: the talk under a video (until that video's talk changes), its catalog part "
        "(credits, members, themes, tie-ins, links: until a curator's edit), the rating widget "
        "(keyed on the figures) and the header (per address). The growth series below is "
        "rendered from scratch, no cache at all, to show what the talk itself costs as it "
        "grows.",
        "",
        *_outage(run),
    ]
    busy = [e for e in endpoints if (e.get("cpu") or {}).get("others", 0) >= 25]
    if busy:
        share = sorted(e["cpu"]["others"] for e in endpoints if e.get("cpu"))
        lines += [
            f"**Noise:** other processes (other people's work on this machine) used a quarter "
            f"of a CPU or more during {len(busy)} of the {len(endpoints)} measurements (median "
            f"{share[len(share) // 2]:.0f}%, most {share[-1]:.0f}% of a CPU). Those figures are "
            "lower than a quiet machine would give, and vary from run to run by a third or so: "
            "compare endpoints within a run rather than across runs.",
            "",
        ]
    if run.get("quiet_waited_seconds"):
        lines += [
            f"The run waited {run['quiet_waited_seconds']:.0f} s in all for other processes "
            "to quieten before measuring.",
            "",
        ]
    home = next((e for e in endpoints if e.get("path") == "/"), None)
    if home and "chart_cache_rebuilt" in home:
        lines += [
            "The home page's chart cache was "
            + (
                "**rebuilt during its measurement** (expired or emptied by someone): part of "
                "its requests paid for the charts."
                if home["chart_cache_rebuilt"]
                else "warm for the whole of its measurement."
            ),
            "",
        ]
    cold = run.get("cold") or {}
    if cold:
        lines += [
            f"Home page with its chart cache emptied (charts are cached 5 minutes): "
            f"{', '.join(f'{t:,.0f}' for t in cold['home_ms'])} ms for three single requests.",
            "",
        ]
    if run.get("logins"):
        lo = run["logins"]
        lines += [
            f"Logging the {lo['fans']} bench fans in (Argon2 password checks) took "
            f"{lo['seconds']} s.",
            "",
        ]
    lines += [
        "### Growth with the talk",
        "",
        "Rendered from scratch: neither the page nor the talk from the cache."
        + (
            " Measured in rounds of half a measurement each (`--growth-rounds`), every other "
            "round in reverse order, so that a slow spell of the machine falls on small and "
            "large threads alike; each row's figures are those of its median round."
            if any(e.get("rounds_rps") for e in endpoints)
            else ""
        ),
        "",
        *_growth(endpoints),
        "",
    ]
    lines += ["### Signed-in writes", "", *_writes(run), ""]
    lines += ["### Live event streams", "", *_live(run), ""]
    lines += ["### What the database was doing", "", *_backends(endpoints), ""]
    mem = run.get("memory") or {}
    if mem:
        lines += [
            "### Memory",
            "",
            "| gunicorn worker | Peak RSS over the run (VmHWM) MiB | RSS at the end MiB |",
            "|---|---:|---:|",
            *[
                f"| pid {pid} | {_mib(v.get('peak', v.get('VmHWM', 0)))} "
                f"| {_mib(v.get('VmRSS', 0))} |"
                for pid, v in mem.items()
            ],
            "",
            "Each worker's VmHWM is reset (5 into /proc/<pid>/clear_refs) before each "
            "measurement, so the Peak RSS column of the requests table is that endpoint's own.",
            "",
        ]
        if run.get("logins", {}).get("peak_rss_kib"):
            lines += [
                f"While the bench fans logged in, the largest worker peaked at "
                f"{_mib(run['logins']['peak_rss_kib'])} MiB: each Argon2 check allocates its "
                "memory cost (Django's default: 100 MiB).",
                "",
            ]
    lines += ["### One request of each, in-process", "", *_profile(endpoints), ""]
    stages = [
        *[(f"generate: {s['stage']}", s["rows"], s["seconds"]) for s in gen.get("stages", [])],
        *[(f"run: {s['stage']}", None, s["seconds"]) for s in run.get("stages", [])],
    ]
    lines += [
        "### Time taken",
        "",
        "| Stage | Rows | Seconds | Rows/s |",
        "|---|---:|---:|---:|",
        *[
            f"| {name} | {f'{rows:,}' if rows else ''} | {seconds:,.1f} "
            f"| {'' if not rows or not seconds else f'{rows / seconds:,.0f}'} |"
            for name, rows, seconds in stages
        ],
        "",
    ]
    if gen:
        lines.append(
            f"Generation took {gen['total_seconds']:,.0f} s in all; the load run "
            f"{run['total_seconds']:,.0f} s."
        )
        lines.append("")
    for note in run.get("notes", []):
        lines.append(f"- {note}")
    if run.get("notes"):
        lines.append("")
    return lines


def write(doc: Path, results: Path) -> None:
    runs = [json.loads(p.read_text()) for p in sorted(results.glob("run-*.json"))]
    runs.sort(key=lambda r: SCALE_ORDER.get(r["scale"], 9))
    machine = runs[0]["machine"] if runs else {}
    lines = [
        "# Performance at fandom scale",
        "",
        "Written by `make bench` (bench/run.py with bench/report.py) from bench/results/; the "
        "last section comes from bench/learned.md. Edit those, not this file.",
        "",
        "## How to reproduce",
        "",
        "```sh",
        "make bench                      # full scale: recreate fansite_bench, generate, load, "
        "write this file",
        "make bench BENCH_SCALE=small    # the same with 1/100 of the rows, in about 7 minutes",
        'make bench BENCH_ARGS="--nice -10 --quiet-wait 120"   # as run here, on a shared machine',
        "make bench-data                 # only recreate and fill the database",
        "```",
        "",
        "Step by step (what the targets run):",
        "",
        "```sh",
        "command -v wrk || (apt-get update && apt-get install -y wrk)",
        "DATABASE_URL=postgres://postgres@127.0.0.1:5432/fansite_bench \\",
        "    .venv/bin/python bench/generate.py --create-database [--scale small]",
        ".venv/bin/python manage.py collectstatic --no-input",
        ".venv/bin/python bench/run.py --database-url "
        "postgres://postgres@127.0.0.1:5432/fansite_bench \\",
        "    --redis-url redis://127.0.0.1:6379/15 --workers 2 --duration 10 [--scale small]",
        "```",
        "",
        "bench/generate.py takes `--videos 1000 --fans 100000 --ratings 1000000 --comments "
        "1000000 --hot-comments 200000 --growth-comments 10,10000 --watchlists 50000 "
        "--likes 300000 --seed 42` (the full-scale defaults) and refuses a database that already "
        "has fans unless `--reset`. bench/run.py takes `--workers`, `--worker-class`, "
        "`--threads`, `--duration`, `--connections`, `--nice` (priority over other work on "
        "the machine), `--quiet-wait` (seconds it may wait for other work to calm down), "
        "`--growth-rounds` (rounds of the growth rows, 3 by default) and "
        "`--only word,word` (only the endpoints whose names contain a word).",
        "",
        "How the load is shaped: every request names its client in `X-Bench-Client`, which "
        "bench/wsgi.py turns into REMOTE_ADDR the way a trusted proxy would; otherwise all of "
        "wrk is one address and the per-address write limits and the API's anonymous throttle "
        "(60/min) would answer 429 within seconds. Anonymous requests rotate through 4,096 "
        "addresses; each signed-in fan has their own. The limits stay on, and their counters are "
        "reset before each write run. Writes are spread over the logged-in bench fans, half of "
        "them on the video with the largest thread. gunicorn runs without `--max-requests`, so "
        "workers live through the run and VmHWM is their peak.",
        "",
    ]
    if machine:
        pg = machine.get("postgresql_settings", {})
        lines += [
            "## The machine",
            "",
            f"- {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory_gib']} GiB of "
            f"memory, Linux {machine['kernel']}",
            f"- {machine['postgresql']} (shared_buffers {pg.get('shared_buffers')}, work_mem "
            f"{pg.get('work_mem')}, effective_cache_size {pg.get('effective_cache_size')}), "
            f"Redis {machine['redis']}",
            f"- Python {machine['python']}, Django {machine['django']}, gunicorn "
            f"{machine['gunicorn']}, {machine['wrk']}",
            "",
        ]
    for run in runs:
        lines += _run_section(run)
    learned = BENCH / "learned.md"
    if learned.exists():
        lines += [learned.read_text().rstrip(), ""]
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text("\n".join(lines))
