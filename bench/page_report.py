"""The tables of the page benchmark (bench.pages): per database and size, issue #6's targets,
the peer, and the whole section written at the top of bench/results.md."""

import os

from bench.report import heading, machine, median_ratio, medians, versions

PRERENDERED = "/bench/prerendered/"
LIMIT = "pre-rendered limit"
FIGURES = ["rps", "p50", "p99", "requests", "non_2xx", "errors"]
# The peer: django-oscar 4.2.1, same machine class (2 cores, gunicorn 2 sync workers, wrk 8
# connections, SQLite), as given in issue #6.
PEER = {
    "listing_queries": 124,
    "listing_rps_1000": 14,
    "listing_rps_10000": 5,
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
    """Per mode and page: median rps, p50, p99, and throughput as a fraction of the limit."""
    table = {}
    for mode, measured in result["modes"].items():
        limit_runs = measured["runs"][LIMIT]
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
        "| page | queries | bytes | gzip | alone ms | uncached rps | p50 ms | p99 ms | × limit "
        "| cached rps | p50 ms | p99 ms | × limit |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    pages = [*result["pages"], {"name": LIMIT, "url": PRERENDERED}]
    listing_bytes = next(p["bytes"] for p in result["pages"] if p["name"] == "listing")
    for page in pages:
        limit = page["name"] == LIMIT
        queries = 0 if limit else page["queries"]
        size = listing_bytes if limit else page["bytes"]
        gz = "" if limit else f"{page['gzip_bytes']:,}"
        alone = "" if limit or "ms" not in page else f"{page['ms']:.0f}"
        line = f"| {page['name']} | {queries} | {size:,} | {gz} | {alone} |"
        for mode in ["uncached", "cached"]:
            row = table[mode][page["name"]]
            if not row["requests"]:
                line += " none in time | | | |"
                continue
            flag = " ⚠" if row["non_2xx"] or row["errors"] else ""
            line += (
                f" {row['rps']:,.0f}{flag} | {row['p50']:.1f} | {row['p99']:.1f} "
                f"| {row['fraction']:.0%} |"
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


def targets(results: list[dict]) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met?) for issue #6's targets; None when not measured."""
    rows = []
    pg = find(results, "postgres")
    big = pg["size"] if pg else 0
    if pg:
        table = summary(pg)
        uncached, cached = table["uncached"], table["cached"]
        where = f"PostgreSQL {big:,}"
        for name, limit in [("listing", 250), ("search", 250), ("product detail", 100)]:
            p99 = uncached[name]["p99"]
            rows.append(
                (f"{name} p99 < {limit} ms ({where}, uncached)", f"{p99:.0f} ms", p99 < limit)
            )
        small = find([r for r in results if r["size"] < big], "postgres")
        if small:
            base = summary(small)["uncached"]["listing"]["p50"]
            slow = uncached["listing"]["p50"] / base
            rows.append(
                (
                    f"listing at {big:,} within 2× of {small['size']:,} (uncached p50 latency)",
                    f"{slow:.2f}× ({uncached['listing']['p50']:.0f} vs {base:.0f} ms)",
                    slow <= 2,
                )
            )
        rps = uncached["listing"]["rps"]
        rows.append((f"uncached listing ≥ 100 rps ({where})", f"{rps:.0f} rps", rps >= 100))
        for name in ["listing", "product detail"]:
            fraction = cached[name]["fraction"]
            rows.append(
                (
                    f"cached {name} ≥ 50% of the pre-rendered limit ({where})",
                    f"{fraction:.0%}",
                    fraction >= 0.5,
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
    listing = next(p for p in biggest["pages"] if p["name"] == "listing")["bytes"]
    rows.append(
        ("listing HTML < 60 KB before compression", f"{listing / 1024:.1f} KB", listing < 60 * 1024)
    )
    return rows


def peer_table(results: list[dict]) -> list[str]:
    sqlite = sorted((r for r in results if r["vendor"] == "sqlite"), key=lambda r: r["size"])
    if not sqlite:
        return []
    lines = [
        "| SQLite, uncached | django-oscar 4.2.1 | this site |",
        "|---|--:|--:|",
    ]
    small, big = sqlite[0], sqlite[-1]
    pages = {p["name"]: p for p in small["pages"]}
    lines.append(f"| listing queries | {PEER['listing_queries']} | {pages['listing']['queries']} |")
    for r, peer_size, peer_rps in [
        (small, 1000, "listing_rps_1000"),
        (big, 10000, "listing_rps_10000"),
    ]:
        row = summary(r)["uncached"]["listing"]
        lines.append(
            f"| listing rps (oscar {peer_size:,} / here {r['size']:,} products) "
            f"| ~{PEER[peer_rps]} | {row['rps']:,.0f} (p50 {row['p50']:.0f} ms) |"
        )
    row = summary(big)["uncached"]["product detail"]
    lines.append(
        f"| product page rps / queries | ~{PEER['detail_rps']} / {PEER['detail_queries']} "
        f"| {row['rps']:,.0f} / {pages['product detail']['queries']} |"
    )
    limit = summary(big)["uncached"][LIMIT]["rps"]
    lines.append(f"| pre-rendered page rps | ~{PEER['prerendered_rps']:,} | {limit:,.0f} |")
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
        "× limit: requests/s as a fraction of the pre-rendered page's in the same run.",
        f"- Whole run: {seconds / 60:.1f} min. Load average (1 min) at the start and the end: "
        f"{args.load_before:.1f} and {os.getloadavg()[0]:.1f}; above the core count, other "
        "processes were competing for the CPU and the figures are low.",
        "",
    ]
    for result in results:
        lines += [result_table(result), ""]
    lines += ["### Targets (issue #6)", "", "| target | measured | met? |", "|---|--:|:-:|"]
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
