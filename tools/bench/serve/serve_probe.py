#!/usr/bin/env python3
"""Measurements of one running server for tools/bench/serve/run (standard library only).
Each command prints one JSON object on stdout.

  serve_probe.py start PORT PATH LOG -- COMMAND...   start COMMAND ("{port}" in it becomes PORT) in its
        own session (output to LOG),
        poll http://127.0.0.1:PORT/PATH every millisecond until it answers 200 (60 s at most);
        prints {"pid", "ready_ms", "health_ms"} (health_ms: the first 200 from /health), the server
        keeps running (stop it with: kill -TERM -PID).
  serve_probe.py rss PID                 VmRSS, VmHWM, RssAnon and RssFile summed over PID and its
        descendants (MB). RssFile counts pages of mapped files (policyd's model and artifact).
  serve_probe.py cpu PID                 CPU seconds (user + system) used so far by PID and its descendants.
  serve_probe.py first PORT QUESTION     one POST /v1/search on a fresh connection: latency, status.
  serve_probe.py sequential PORT FILE START COUNT   COUNT questions from line START on, one at a
        time on one keep-alive connection: ok/failed counts, p50/p99 latency, requests/s.
  serve_probe.py cache PORT              policyd's embedding-cache counters from /v1/status (or null).
"""
import http.client
import json
import os
import socket
import subprocess
import sys
import time

HOST = "127.0.0.1"


def get_status(port, path, timeout=1.0):
    try:
        connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        connection.close()
        return response.status
    except (OSError, http.client.HTTPException):
        return None


def start(port, path, log, command):
    with open(log, "ab") as out:
        begin = time.monotonic()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    health_ms = ready_ms = None
    deadline = begin + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            print(json.dumps({"pid": process.pid, "error": "exited with status %d before answering" % process.returncode}))
            return 1
        if health_ms is None and get_status(port, "/health") == 200:
            health_ms = (time.monotonic() - begin) * 1000
        if path == "/health" and health_ms is not None:
            ready_ms = health_ms
            break
        if health_ms is not None and get_status(port, path) == 200:
            ready_ms = (time.monotonic() - begin) * 1000
            break
        time.sleep(0.001)
    print(json.dumps({"pid": process.pid, "ready_ms": ready_ms, "health_ms": health_ms}))
    return 0 if ready_ms is not None else 1


def tree(pid):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    stat = f.read()
                parent = int(stat[stat.rindex(")") + 2:].split()[1])
                children.setdefault(parent, []).append(int(entry))
            except (OSError, ValueError):
                pass
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


def rss(pid):
    total = {"VmRSS": 0, "VmHWM": 0, "RssAnon": 0, "RssFile": 0}
    pids = tree(pid)
    for member in pids:
        try:
            with open("/proc/%d/status" % member) as f:
                for line in f:
                    key = line.split(":", 1)[0]
                    if key in total:
                        total[key] += int(line.split()[1])
        except OSError:
            pass
    print(json.dumps({"pids": pids, "rss_mb": total["VmRSS"] / 1024, "hwm_mb": total["VmHWM"] / 1024,
                      "anon_mb": total["RssAnon"] / 1024, "file_mb": total["RssFile"] / 1024}))
    return 0


def cpu(pid):
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for member in tree(pid):
        try:
            with open("/proc/%d/stat" % member) as f:
                stat = f.read()
            fields = stat[stat.rindex(")") + 2:].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except (OSError, ValueError, IndexError):
            pass
    print(json.dumps({"cpu_s": total / ticks}))
    return 0


def post(connection, question, k=5):
    body = json.dumps({"query": question, "k": k})
    connection.request("POST", "/v1/search", body=body, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    data = response.read()
    return response.status, data


def first(port, question):
    begin = time.monotonic()
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    status, data = post(connection, question)
    latency = (time.monotonic() - begin) * 1000
    connection.close()
    result = {"status": status, "latency_ms": latency}
    try:
        answer = json.loads(data)
        result["timings_ms"] = answer.get("timings_ms")
        result["top"] = [(r["chunk_id"], round(r["score"], 4)) for r in answer.get("results", [])]
    except ValueError:
        result["body"] = data[:300].decode("utf-8", "replace")
    print(json.dumps(result))
    return 0 if status == 200 else 1


def sequential(port, path, start_line, count):
    with open(path, encoding="utf-8") as f:
        questions = [line.rstrip("\n") for line in f if line.strip()]
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    latencies, failed, statuses, tops = [], 0, {}, []
    begin = time.monotonic()
    for i in range(count):
        question = questions[(start_line + i) % len(questions)]
        before = time.monotonic()
        try:
            status, data = post(connection, question)
        except (OSError, http.client.HTTPException) as problem:
            status, data = "error:%s" % type(problem).__name__, b""
            connection.close()
            connection = http.client.HTTPConnection(HOST, port, timeout=30)
        latencies.append((time.monotonic() - before) * 1000)
        if status != 200:
            failed += 1
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        elif i < 200:
            tops.append([r["chunk_id"] for r in json.loads(data)["results"]])
    elapsed = time.monotonic() - begin
    connection.close()
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(len(latencies) * q))]
    print(json.dumps({"count": count, "failed": failed, "statuses": statuses, "p50_ms": pick(0.5), "p99_ms": pick(0.99),
                      "requests_per_s": count / elapsed, "top_ids": tops}))
    return 0


def cache(port):
    try:
        connection = http.client.HTTPConnection(HOST, port, timeout=5)
        connection.request("GET", "/v1/status")
        response = connection.getresponse()
        data = response.read()
        status = json.loads(data) if response.status == 200 else {}
    except (OSError, http.client.HTTPException, ValueError):
        status = {}
    print(json.dumps({"embedding_cache": status.get("embedding_cache"), "memory": status.get("memory"),
                      "work": status.get("work")}))
    return 0


def main(argv):
    command = argv[1] if len(argv) > 1 else ""
    if command == "start" and "--" in argv:
        split = argv.index("--")
        port, path, log = int(argv[2]), argv[3], argv[4]
        return start(port, path, log, [a.replace("{port}", str(port)) for a in argv[split + 1:]])
    if command == "rss":
        return rss(int(argv[2]))
    if command == "cpu":
        return cpu(int(argv[2]))
    if command == "first":
        return first(int(argv[2]), argv[3])
    if command == "sequential":
        return sequential(int(argv[2]), argv[3], int(argv[4]), int(argv[5]))
    if command == "cache":
        return cache(int(argv[2]))
    if command == "free-port":
        with socket.socket() as s:
            s.bind((HOST, 0))
            print(s.getsockname()[1])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
