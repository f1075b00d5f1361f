"""The tables of the page benchmark (bench.pages): per database and size, issue #6's targets,
the peer, and the whole section written at the top of bench/results.md."""

import os

from bench.report import heading, machine, median_ratio, medians, versions

PRERENDERED = "/bench/prerendered/"
LIMIT = "pre-rendered listing"
STATIC = "static file (limit)"
FIGURES = ["rps", "p50", "p99", "max", "requests", "non_2xx", "errors"]
# The peer: django-oscar 4.2.1, same machine class (2 cores, gunicorn 2 sync workers, wrk 8
# connections, SQLite), as the README's comparison gives it (issues #6 and #7); it was
# measured at 1,000 and 10,000 products only.
PEER = {
    "listing_queries": 124,
    "listing_rps": {1000: 13.8, 10000: 5},
    "detail_rps": 110,
    "detail_queries": 17,
    "prerendered_rps": 4900,
}
HEADER = """# Page benchmark results

Written by `make bench` (python -m bench.pages). The newest run comes first; earlier runs
stay below it so that a regression shows.
"""
# The header as scripts/bench_pages.py wrote it, replaced on the next run.
EARLIER_HEADERS = (HEADER.replace("python -m bench.pages", "scripts/bench_pages.py"),)


def summary(result: dict) -> dict:
    """Per mode and page: median rps, p50, p99, max, and throughput as a fraction of the
    static file's in the same server (the limit)."""
    table = {}
    for mode, measured in result["modes"].items():
        limit_runs = measured["runs"].get(STATIC) or measured["runs"][LIMIT]
        rows = {}
        for name, runs in measured["runs"].items():
            row = medians(runs, FIGURES)
            row["fraction"] = median_ratio([r["rps"] for r in runs], [r["rps"] for r in limit_runs])
            rows[name] = row
        table[mode] = rows
    return table


def result_table(result: dict) -> str:
    table = summary(result)
    lines = [
        f"### {result['database']}, {result['size']:,} products "
        f"(seeded in {result['seed_s']:.0f} s; {result['db_version']})",
        "",
        "| page | queries | bytes | gzip | cold ms | alone ms | uncached rps | p50 ms | p99 ms "
        "| max ms | × limit | cached rps | p50 ms | p99 ms | max ms | × limit |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    pages = [*result["pages"], {"name": LIMIT, "url": PRERENDERED}]
    if STATIC in table["uncached"]:
        pages.append({"name": STATIC})
    listing_bytes = next(p["bytes"] for p in result["pages"] if p["name"] == "listing")
    for page in pages:
        limit = page["name"] in (LIMIT, STATIC)
        queries = 0 if limit else page["queries"]
        size = "" if page["name"] == STATIC else f"{listing_bytes if limit else page['bytes']:,}"
        gz = "" if limit else f"{page['gzip_bytes']:,}"
        alone = "" if limit or "ms" not in page else f"{page['ms']:.0f}"
        cold = "" if limit or "cold_ms" not in page else f"{page['cold_ms']:.0f}"
        line = f"| {page['name']} | {queries} | {size} | {gz} | {cold} | {alone} |"
        for mode in ["uncached", "cached"]:
            row = table[mode][page["name"]]
            if not row["requests"]:
                line += " none in time | | | |"
                continue
            flag = " ⚠" if row["non_2xx"] or row["errors"] else ""
            line += (
                f" {row['rps']:,.0f}{flag} | {row['p50']:.1f} | {row['p99']:.1f} "
                f"| {row.get('max', float('nan')):.0f} | {row['fraction']:.0%} |"
            )
        lines.append(line)
    modes = result["modes"]
    lines += [
        "",
        "Worker RSS after the run (largest worker / all workers): "
        f"uncached {modes['uncached']['rss_max_mb']:.0f} / {modes['uncached']['rss_sum_mb']:.0f} "
        f"MB, cached {modes['cached']['rss_max_mb']:.0f} / {modes['cached']['rss_sum_mb']:.0f} MB.",
        "",
        "URLs: " + ", ".join(f"{p['name']} `{p['url']}`" for p in result["pages"]) + ".",
        "",
        *(f"Note: {note}." for note in result["notes"]),
    ]
    return "\n".join(lines)


def find(results: list[dict], vendor: str, size: int | None = None) -> dict | None:
    matching = [r for r in results if r["vendor"] == vendor and (size is None or r["size"] == size)]
    return max(matching, key=lambda r: r["size"]) if matching else None


def page(result: dict, name: str) -> dict:
    """The page named `name` (or starting so: "listing page" is page 200, or the last)."""
    return next(p for p in result["pages"] if p["name"] == name or p["name"].startswith(name))


def slowest(result: dict, mode: str = "uncached") -> float:
    """The slowest request wrk saw on any page of the run."""
    runs = result["modes"][mode]["runs"]
    return max(run.get("max", 0) for name, each in runs.items() for run in each)


def ratio_row(label: str, big: float, small: float, limit: float, unit: str = "ms"):
    ratio = big / small if small else float("inf")
    return (label, f"{ratio:.2f}× ({big:.0f} vs {small:.0f} {unit})", ratio <= limit)


def targets(results: list[dict]) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met?) for issue #7's targets (speed independent of the catalogue's
    size), from what this run measured."""
    rows = []
    by_page: dict[str, set] = {}
    for result in results:
        for each in result["pages"]:
            name = "listing page N" if each["name"].startswith("listing page") else each["name"]
            by_page.setdefault(name, set()).add(each["queries"])
    most = max(max(counts) for counts in by_page.values())
    varying = sorted(name for name, counts in by_page.items() if len(counts) > 1)
    rows.append(
        (
            "queries per page ≤ 10, the same at every size",
            f"at most {most}" + (f"; varying: {', '.join(varying)}" if varying else ""),
            most <= 10 and not varying,
        )
    )
    for vendor in ["sqlite", "postgres"]:
        sized = sorted((r for r in results if r["vendor"] == vendor), key=lambda r: r["size"])
        if len(sized) < 2:
            continue
        small, big = sized[0], sized[-1]
        where = f"{small['database']} {big['size']:,} vs {small['size']:,}"
        if big["size"] <= 20000:
            for name in ["listing", "search", "home", "statistics"]:
                for key, what in [("p50", "uncached p50"), ("cold", "cold request alone")]:
                    if key == "cold":
                        values = page(big, name).get("cold_ms"), page(small, name).get("cold_ms")
                    else:
                        values = (
                            summary(big)["uncached"][name]["p50"],
                            summary(small)["uncached"][name]["p50"],
                        )
                    if None not in values:
                        rows.append(ratio_row(f"{name} within 2× ({where}, {what})", *values, 2))
        else:
            for name in ["product detail", "producer", "commune"]:
                rows.append(
                    ratio_row(
                        f"{name} within 1.5× ({where}, uncached p50)",
                        summary(big)["uncached"][name]["p50"],
                        summary(small)["uncached"][name]["p50"],
                        1.5,
                    )
                )
        deep = page(big, "listing page")["name"]
        rows.append(
            ratio_row(
                f"{deep} within 1.5× of page 1 ({small['database']} {big['size']:,}, uncached p50)",
                summary(big)["uncached"][deep]["p50"],
                summary(big)["uncached"]["listing"]["p50"],
                1.5,
            )
        )
    pg = find(results, "postgres")
    if pg and pg["size"] >= 100000:
        uncached = summary(pg)["uncached"]
        where = f"PostgreSQL {pg['size']:,}, uncached"
        for name in ["listing", "search"]:
            p99, rps = uncached[name]["p99"], uncached[name]["rps"]
            rows.append((f"{name} p99 < 250 ms ({where})", f"{p99:.0f} ms", p99 < 250))
            rows.append((f"{name} ≥ 60 rps ({where})", f"{rps:.0f} rps", rps >= 60))
        for name in ["home", "statistics"]:
            cold, warm = page(pg, name).get("cold_ms", float("nan")), page(pg, name)["ms"]
            rows.append(
                (
                    f"{name} < 150 ms alone (PostgreSQL {pg['size']:,}; cold / warm)",
                    f"{cold:.0f} / {warm:.0f} ms",
                    cold < 150,
                )
            )
        worst = slowest(pg)
        rows.append((f"no request > 1 s ({where})", f"slowest {worst:.0f} ms", worst <= 1000))
    for vendor in ["sqlite", "postgres"]:
        small = min(
            (r for r in results if r["vendor"] == vendor), key=lambda r: r["size"], default=None
        )
        if small and small["size"] <= 1000:
            rps = summary(small)["uncached"]["listing"]["rps"]
            rows.append(
                (
                    f"uncached listing ≥ 140 rps ({small['database']} {small['size']:,}; "
                    f"10× django-oscar's {PEER['listing_rps'][1000]})",
                    f"{rps:.0f} rps",
                    rps >= 140,
                )
            )
    searches = {p["name"] for r in results for p in r["pages"] if "q=" in p["url"]}
    fractions = [  # a search is drawn every time, never cached
        (result, name, row["fraction"])
        for result in results
        for name, row in summary(result)["cached"].items()
        if name not in (LIMIT, STATIC, *searches)
    ]
    if fractions and STATIC in results[0]["modes"]["cached"]["runs"]:
        result, name, lowest = min(fractions, key=lambda item: item[2])
        rows.append(
            (
                "cached pages ≥ 80% of the static file's rps (same run)",
                f"lowest {lowest:.0%} ({name}, {result['database']} {result['size']:,})",
                lowest >= 0.8,
            )
        )
    biggest = max(results, key=lambda r: r["size"])
    rss = max(
        mode["rss_max_mb"]
        for r in results
        if r["size"] == biggest["size"]
        for mode in r["modes"].values()
    )
    rows.append((f"worker RSS < 150 MB at {biggest['size']:,}", f"{rss:.0f} MB", rss < 150))
    return rows


def peer_table(results: list[dict]) -> list[str]:
    """django-oscar's figures from the README beside ours at the same sizes (where oscar was
    measured: 1,000 and 10,000 products, SQLite)."""
    sqlite = sorted((r for r in results if r["vendor"] == "sqlite"), key=lambda r: r["size"])
    if not sqlite:
        return []
    lines = [
        "| SQLite, uncached | products | django-oscar 4.2.1 | this site |",
        "|---|--:|--:|--:|",
    ]
    for result in sqlite:
        pages = {p["name"]: p for p in result["pages"]}
        row = summary(result)["uncached"]["listing"]
        peer = PEER["listing_rps"].get(result["size"])
        lines += [
            f"| listing queries | {result['size']:,} | {PEER['listing_queries']} "
            f"| {pages['listing']['queries']} |",
            f"| listing rps | {result['size']:,} | {f'~{peer}' if peer else 'not measured'} "
            f"| {row['rps']:,.0f} (p50 {row['p50']:.0f} ms) |",
        ]
        detail = summary(result)["uncached"]["product detail"]
        lines.append(
            f"| product page rps / queries | {result['size']:,} "
            f"| ~{PEER['detail_rps']} / {PEER['detail_queries']} "
            f"| {detail['rps']:,.0f} / {pages['product detail']['queries']} |"
        )
    static = summary(sqlite[-1])["uncached"].get(STATIC) or summary(sqlite[-1])["uncached"][LIMIT]
    lines.append(
        f"| static file rps (the limit) | | ~{PEER['prerendered_rps']:,} | {static['rps']:,.0f} |"
    )
    return lines


def section(results: list[dict], args, seconds: float) -> str:
    """The dated section for bench/results.md: settings, tables, targets, peer, plans."""
    cache = f"Redis ({args.redis})" if args.redis else "local memory, per worker"
    encoding = "Accept-Encoding: gzip" if args.gzip else "no Accept-Encoding (uncompressed)"
    lines = [
        heading(),
        "",
        f"- Machine: {machine()}.",
        f"- Software: {versions()}; " + ", ".join(sorted({r["db_version"] for r in results})) + ".",
        f"- Server: `gunicorn ocop_site.wsgi -w {args.workers}` on 127.0.0.1 (sync workers), "
        "DJANGO_ENV=production, DEBUG=0, CONN_MAX_AGE=60, plain HTTP (SECURE_SSL_REDIRECT=0), "
        "Django's per-request JSON log written to a file, as in production.",
        f"- Load: wrk, {args.connections} connections, {args.threads} threads, "
        f"{args.duration:g} s per URL per run, {args.runs} runs, medians; {encoding}. "
        f"Uncached: PAGE_CACHE_TIMEOUT=0. Cached: PAGE_CACHE_TIMEOUT=3600, cache in {cache}.",
        "- Queries, bytes and *alone ms*: one request through Django's test client on the same "
        "database, nothing else running on the server; gzip: the bytes gzip -6 leaves. "
        "*cold ms*: the first request after a change to the catalogue (its aggregates drawn "
        "afresh), whose queries are given. × limit: requests/s as a fraction of the static "
        "file's (the site's style sheet through the same gunicorn and middleware) in the same "
        "run; the pre-rendered listing is the listing's HTML returned as fixed bytes. max ms: "
        "the median over runs of the slowest request.",
        f"- Whole run: {seconds / 60:.1f} min. Load average (1 min) at the start and the end: "
        f"{args.load_before:.1f} and {os.getloadavg()[0]:.1f}; above the core count, other "
        "processes were competing for the CPU and the figures are low.",
        "",
    ]
    for result in results:
        lines += [result_table(result), ""]
    lines += ["### Targets (issue #7)", "", "| target | measured | met? |", "|---|--:|:-:|"]
    for target, measured, met in targets(results):
        lines.append(f"| {target} | {measured} | {'yes' if met else '**no**'} |")
    if peer := peer_table(results):
        lines += ["", "### The peer", "", *peer]
    pg = find(results, "postgres")
    if pg and pg["plans"]:
        lines += [
            "",
            f"### Query plans of the listing page, PostgreSQL, {pg['size']:,} products",
            "",
            "<details><summary>EXPLAIN (ANALYZE, BUFFERS) of each query</summary>",
            "",
        ]
        for plan in pg["plans"]:
            if "command" in plan:
                lines += [f"`{plan['command']}`:", ""]
            else:
                lines += ["```sql", plan["sql"], "```"]
            lines += ["```", plan["plan"].strip(), "```", ""]
        lines.append("</details>")
    return "\n".join(lines).rstrip() + "\n"
