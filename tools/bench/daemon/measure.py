#!/usr/bin/env python3
"""Start-up, first-question and memory figures for one policyd binary (not the comparative
benchmark, which is tools/bench/serve). Standard library only.

  tools/bench/daemon/measure.py [--binary .build/release/policyd] [--artifact FILE] [--questions 2000]

Starts policyd on a free port, and reports: time from exec to the first 200 from /ready, the
startup_ms policyd logs itself, the first question's latency (model mapped on demand), resident
memory (VmRSS) at ready, after the first question and after N questions (the 178 questions of
Tests/Eval with a counter appended, so the embedding cache does not answer them), and the p50/p99
of those questions from one connection.
"""
import argparse, glob, http.client, json, os, re, signal, socket, subprocess, sys, time

root = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def rss_mib(pid):
    return status_mib(pid, "VmRSS")

def status_mib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(root, ".build/release/policyd"))
    parser.add_argument("--artifact", default=os.path.join(root, "artifacts/policies.pidx"))
    parser.add_argument("--model", default=os.path.join(root, "models/all-MiniLM-L6-v2"))
    parser.add_argument("--questions", type=int, default=2000)
    args = parser.parse_args()

    questions = []
    for path in sorted(glob.glob(os.path.join(root, "Tests/Eval/*.jsonl"))):
        with open(path) as f:
            questions += [json.loads(line)["question"] for line in f if line.strip()]

    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen([args.binary, "--artifact", args.artifact, "--model", args.model,
                                "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/ready")
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    break
            except OSError:
                time.sleep(0.0005)
            if process.poll() is not None:
                sys.exit("policyd exited: " + process.stderr.read())
        ready_ms = (time.perf_counter() - started) * 1000
        rss_start = rss_mib(process.pid)

        def ask(text):
            connection.request("POST", "/v1/search", json.dumps({"query": text, "k": 5}),
                               {"Content-Type": "application/json"})
            response = connection.getresponse()
            body = response.read()
            assert response.status == 200, body[:300]
            return json.loads(body)

        t = time.perf_counter()
        first = ask(questions[0])
        first_ms = (time.perf_counter() - t) * 1000
        rss_first = rss_mib(process.pid)

        latencies = []
        for i in range(args.questions):
            t = time.perf_counter()
            ask(f"{questions[i % len(questions)]} ({i})")
            latencies.append((time.perf_counter() - t) * 1000)
        latencies.sort()
        rss_after = rss_mib(process.pid)
        anon, file = status_mib(process.pid, "RssAnon"), status_mib(process.pid, "RssFile")

        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        log = process.stderr.read()
        startup = re.search(r"startup_ms=([0-9.]+)", log)
        print(f"artifact: {args.artifact} ({os.path.getsize(args.artifact) / 2**20:.1f} MiB)")
        print(f"ready (exec to first /ready 200): {ready_ms:.1f} ms; policyd's own startup_ms: {startup.group(1) if startup else '?'}")
        print(f"first question (maps the model): {first_ms:.1f} ms (server-side total {first['timings_ms']['total']} ms)")
        print(f"resident: at ready {rss_start:.1f} MiB, after the first question {rss_first:.1f} MiB, "
              f"after {args.questions} more {rss_after:.1f} MiB ({anon:.1f} anonymous, {file:.1f} file-backed)")
        print(f"{args.questions} uncached questions, one connection: p50 {latencies[len(latencies) // 2]:.1f} ms, "
              f"p99 {latencies[int(len(latencies) * 0.99)]:.1f} ms; exit status {process.returncode}")
    finally:
        if process.poll() is None:
            process.kill()

main()
