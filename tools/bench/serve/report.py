#!/usr/bin/env python3
"""The report of tools/bench/serve/run (standard library only).

  report.py parse-wrk WRK_OUTPUT          wrk --latency's text (with questions.lua's line) as JSON
  report.py render RESULTS.jsonl INFO.json   the Markdown report: table, ratios, targets
"""
import json
import re
import sys

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def milliseconds(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(match.group(1)) * UNITS[match.group(2)] if match else None


def parse_wrk(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    result = {"requests": None, "duration_s": None, "requests_per_s": None, "p50_ms": None, "p90_ms": None,
              "p99_ms": None, "non2xx": 0, "socket_errors": None, "sent": None, "non200": None, "statuses": ""}
    match = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", text)
    if match:
        result["requests"] = int(match.group(1))
        result["duration_s"] = milliseconds(match.group(2) + match.group(3)) / 1000
    match = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if match:
        result["requests_per_s"] = float(match.group(1))
    for percent in ("50", "90", "99"):
        match = re.search(r"^\s+%s%%\s+(\S+)" % percent, text, re.M)
        if match:
            result["p%s_ms" % percent] = milliseconds(match.group(1))
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if match:
        result["non2xx"] = int(match.group(1))
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if match:
        result["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, match.groups())))
    match = re.search(r"questions.lua: sent=(\d+) non200=(\d+) statuses=(\S*)", text)
    if match:
        result["sent"], result["non200"], result["statuses"] = int(match.group(1)), int(match.group(2)), match.group(3)
    if result["requests"] is not None and result["duration_s"]:
        result["ok_per_s"] = (result["requests"] - result["non2xx"]) / result["duration_s"]
    return result


SERVERS = [("policyd", "policyd"), ("policyd-before", "baseline: policyd before"), ("st", "baseline: sentence-transformers"),
           ("onnx", "baseline: ONNX Runtime")]


def render(results_path, info_path):
    rows = [json.loads(line) for line in open(results_path) if line.strip()]
    info = json.load(open(info_path))
    data = {}
    for row in rows:
        data.setdefault(row["server"], {})[row["measure"]] = row["value"]
    # CPU time per successful question: drifts less than wall time on a shared machine.
    for server, measures in data.items():
        def spent(before, after):
            b, a = measures.get(before, {}).get("cpu_s"), measures.get(after, {}).get("cpu_s")
            return a - b if a is not None and b is not None else None
        used = spent("cpu_before_sequential", "cpu_after_sequential")
        sequential = measures.get("sequential", {})
        if used is not None and sequential.get("count"):
            sequential["cpu_ms"] = used * 1000 / max(1, sequential["count"] - sequential.get("failed", 0))
        for connections in (1, 8, 64):
            used = spent("cpu_before_wrk_%d" % connections, "cpu_after_wrk_%d" % connections)
            run = measures.get("wrk_%d" % connections, {})
            if used is not None and run.get("requests"):
                ok = run["requests"] - run.get("non2xx", 0)
                run["cpu_ms"] = used * 1000 / ok if ok else None
                run["cpu_cores"] = used / run["duration_s"] if run.get("duration_s") else None
    servers = [(key, name) for key, name in SERVERS if key in data]
    baselines = [(key, name) for key, name in servers if key != "policyd"]

    def get(server, measure, key):
        value = data.get(server, {}).get(measure)
        return value.get(key) if isinstance(value, dict) else None

    # (label, measure, key, format, lower is better)
    measures = [
        ("start to ready (ms)¹", "start", "ready_ms", "%.0f", True),
        ("first question, end to end (ms)²", "first", "latency_ms", "%.0f", True),
        ("resident memory at start (MB)", "rss_start", "rss_mb", "%.1f", True),
        ("resident memory after the first question (MB)", "rss_first", "rss_mb", "%.1f", True),
        ("resident memory after 2,000 questions (MB)", "rss_2000", "rss_mb", "%.1f", True),
        ("… of which anonymous, RssAnon (MB)", "rss_2000", "anon_mb", "%.1f", True),
        ("… of which mapped files, RssFile (MB)", "rss_2000", "file_mb", "%.1f", True),
        ("resident memory 2 s later, idle (MB)", "rss_2000_idle", "rss_mb", "%.1f", True),
        ("… of which anonymous, RssAnon (MB)", "rss_2000_idle", "anon_mb", "%.1f", True),
        ("resident memory after the wrk runs (MB)", "rss_after_load", "rss_mb", "%.1f", True),
        ("peak resident memory, VmHWM (MB)", "rss_after_load", "hwm_mb", "%.1f", True),
        ("2,000 questions one at a time: requests/s", "sequential", "requests_per_s", "%.1f", False),
        ("2,000 questions one at a time: p50 (ms)", "sequential", "p50_ms", "%.2f", True),
        ("2,000 questions one at a time: server CPU per question (ms)⁴", "sequential", "cpu_ms", "%.2f", True),
    ]
    for connections in (1, 8, 64):
        measure = "wrk_%d" % connections
        measures += [
            ("wrk %d conn.: successful requests/s" % connections, measure, "ok_per_s", "%.1f", False),
            ("wrk %d conn.: p50 (ms)³" % connections, measure, "p50_ms", "%.2f", True),
            ("wrk %d conn.: p99 (ms)³" % connections, measure, "p99_ms", "%.2f", True),
            ("wrk %d conn.: non-200 responses" % connections, measure, "non2xx", "%d", True),
            ("wrk %d conn.: server CPU per successful request (ms)⁴" % connections, measure, "cpu_ms", "%.2f", True),
            ("wrk %d conn.: server CPU used (cores)" % connections, measure, "cpu_cores", "%.2f", None),
        ]

    out = []
    out.append("# Serving benchmark: policyd against the Python baseline\n")
    out.append("Made by `tools/bench/serve/run`. Each server ran alone on 127.0.0.1, one after the other, in one "
               "invocation; every request carried a different question (`questions.txt`).\n")
    out.append("- Machine: %s, %s cores, %s MB; Debian %s; load average %s" % (
        info["cpu"], info["cores"], info["memory_mb"], info["os"], info.get("load", "?")))
    out.append("- policyd: %s at %s; %s; %s" % (info["package"], info["commit"], info["swift"], info["build"]))
    if info.get("before"):
        out.append("- policyd before: %s (an earlier build, run the same way)" % info["before"])
    out.append("- Artifact: %s" % info["artifact"])
    out.append("- Baseline: Flask app under gunicorn (1 worker, 2 threads, gthread), ChromaDB persistent collection "
               "(cosine) holding the artifact's own chunks and vectors; %s" % info["python"])
    out.append("- Load: %s, %s s per run after a 3 s warm-up, 2 threads at most, k = 5\n" % (info["wrk"].split(" Copyright")[0], info["duration_s"]))

    header = "| measure | " + " | ".join(name for _, name in servers)
    if "policyd" in data:
        header += "".join(" | policyd vs %s" % name.replace("baseline: ", "") for _, name in baselines)
    out.append(header + " |")
    out.append("| --- |" + " ---: |" * (len(servers) + (len(baselines) if "policyd" in data else 0)))
    for label, measure, key, fmt, lower in measures:
        cells = []
        for server, _ in servers:
            value = get(server, measure, key)
            cells.append(fmt % value if value is not None else "n/a")
        if "policyd" in data:
            ours = get("policyd", measure, key)
            for server, _ in baselines:
                theirs = get(server, measure, key)
                if key == "non2xx" or lower is None or not ours or not theirs:
                    cells.append("")
                else:
                    cells.append("%.1f×" % ((theirs / ours) if lower else (ours / theirs)))
        out.append("| %s | %s |" % (label, " | ".join(cells)))
    out.append("")
    out.append("Ratios are policyd's advantage (above 1× means policyd is better).")
    out.append("¹ policyd: process start until `GET /ready` answers 200 (the model is mapped lazily, on the first "
               "question). Baseline: until `GET /health` answers 200; it also loads its model and opens ChromaDB "
               "lazily, on the first question.")
    out.append("² One `POST /v1/search` on a fresh connection right after start: includes the lazy model load of "
               "every server.")
    out.append("³ wrk's latency distribution covers every response, non-200 ones included (see the counts).")
    out.append("⁴ User + system CPU time of the server's process tree during the phase, divided by the successful "
               "requests (at 64 connections policyd's includes the work of refusing the others). It drifts less "
               "than wall time when other work shares the machine.\n")

    for server, name in servers:
        extra = []
        first = data[server].get("first", {})
        if first.get("status") != 200:
            extra.append("first question answered %s: %s" % (first.get("status"), first.get("body", "")))
        sequential = data[server].get("sequential", {})
        if sequential.get("failed"):
            extra.append("%d of 2,000 sequential questions failed (%s)" % (sequential["failed"], sequential.get("statuses")))
        for connections in (1, 8, 64):
            run = data[server].get("wrk_%d" % connections, {})
            if run.get("non2xx") or run.get("statuses"):
                extra.append("wrk %d conn.: %s non-200 responses (%s)" % (connections, run.get("non2xx"), run.get("statuses")))
            errors = run.get("socket_errors")
            if errors and any(errors.values()):
                extra.append("wrk %d conn.: socket errors %s" % (connections, errors))
        status = data[server].get("status", {})
        if status.get("embedding_cache"):
            extra.append("embedding cache at the end: %s" % json.dumps(status["embedding_cache"]))
        if extra:
            out.append("**%s**: %s.\n" % (name, "; ".join(extra)))

    agreement = []
    if "policyd" in data:
        ours = get("policyd", "sequential", "top_ids") or []
        for server, name in baselines:
            theirs = get(server, "sequential", "top_ids") or []
            pairs = list(zip(ours, theirs))
            if pairs:
                same_top = sum(1 for a, b in pairs if a and b and a[0] == b[0])
                same_set = sum(1 for a, b in pairs if set(a) == set(b))
                agreement.append("%s: same first result for %d of %d questions, same top-5 set for %d" %
                                 (name, same_top, len(pairs), same_set))
    if agreement:
        out.append("Answers compared on the first 200 sequential questions, policyd against %s.\n" % "; ".join(agreement))

    if "policyd" in data:
        out.append("## Targets\n")
        out.append("| target | measured | met |")
        out.append("| --- | ---: | :---: |")

        def target(label, value, fmt, ok):
            out.append("| %s | %s | %s |" % (label, fmt % value if value is not None else "n/a",
                                              "n/a" if value is None else ("yes" if ok(value) else "**no**")))
        target("ready ≤ 50 ms", get("policyd", "start", "ready_ms"), "%.0f ms", lambda v: v <= 50)
        target("first question ≤ 100 ms", get("policyd", "first", "latency_ms"), "%.0f ms", lambda v: v <= 100)
        ours8 = get("policyd", "wrk_8", "ok_per_s")
        for server, name, need, stretch in (("st", "sentence-transformers", 4, 10), ("onnx", "ONNX Runtime", 2, 10)):
            theirs = get(server, "wrk_8", "ok_per_s")
            ratio = ours8 / theirs if ours8 and theirs else None
            target("8 conn.: ≥ %d× the %s baseline's throughput" % (need, name), ratio, "%.1f×", lambda v, n=need: v >= n)
            target("8 conn.: ≥ %d× the %s baseline's (stretch)" % (stretch, name), ratio, "%.1f×", lambda v, n=stretch: v >= n)
        for connections in (1, 8, 64):
            target("p99 ≤ 25 ms at %d conn." % connections, get("policyd", "wrk_%d" % connections, "p99_ms"), "%.2f ms",
                   lambda v: v <= 25)
        rss = get("policyd", "rss_2000", "rss_mb")
        target("≤ 64 MB resident after 2,000 questions", rss, "%.1f MB", lambda v: v <= 64)
        target("≤ 40 MB resident after 2,000 questions (stretch)", rss, "%.1f MB", lambda v: v <= 40)
        out.append("")
    return "\n".join(out)


def main(argv):
    if len(argv) == 3 and argv[1] == "parse-wrk":
        print(json.dumps(parse_wrk(argv[2])))
        return 0
    if len(argv) == 4 and argv[1] == "render":
        print(render(argv[2], argv[3]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
