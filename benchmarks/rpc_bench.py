#!/usr/bin/env python3
"""Measures `fichier serve`: spawn -> first `initialize` response, and pipelined round trips.
Rows 6 and 7 of `make bench` (benchmarks/run imports it); it also runs on its own.

usage: benchmarks/rpc_bench.py BINARY [--spawns N] [--requests N] [--window N] [--method ping] [--json]

Spawn time: median, min and max of N spawns (time from fork to the complete response line).
Pipelined: N requests written in batches while at most WINDOW are unanswered; throughput is
requests / (last response - first request); latency is per request (its batch's write time to
its response line).
"""
import argparse, json, os, resource, statistics, subprocess, sys, threading, time


def spawn_times(binary, count, env=None):
    line = b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersions":[1]}}\n'
    times = []
    cpu = []
    for _ in range(count):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.Popen([binary, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, env=env)
        proc.stdin.write(line)
        proc.stdin.flush()
        answer = proc.stdout.readline()
        elapsed = time.perf_counter() - start
        if b'"result"' not in answer:
            sys.exit(f"unexpected answer: {answer!r}")
        proc.stdin.close()
        proc.wait()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(elapsed * 1000)
        cpu.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
    return times, cpu


def pipelined(binary, count, window, method, extra_args, env=None):
    proc = subprocess.Popen([binary, "serve", *extra_args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, bufsize=0, env=env)
    sent_at = [0.0] * count
    latencies = [0.0] * count
    answered = [0]
    errors = [0]
    cond = threading.Condition()
    done = threading.Event()
    first_send = [0.0]
    last_recv = [0.0]

    def reader():
        buffer = b""
        seen = 0
        while seen < count:
            chunk = proc.stdout.read1(1 << 16) if hasattr(proc.stdout, "read1") else os.read(proc.stdout.fileno(), 1 << 16)
            if not chunk:
                break
            now = time.perf_counter()
            buffer += chunk
            lines = buffer.split(b"\n")
            buffer = lines.pop()
            for line in lines:
                start = line.find(b'"id":') + 5
                end = line.find(b",", start)
                ident = int(line[start:end])
                if b'"error"' in line:
                    errors[0] += 1
                latencies[ident] = now - sent_at[ident]
                seen += 1
            last_recv[0] = now
            with cond:
                answered[0] = seen
                cond.notify()
        done.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    params = '{"text":"x"}' if method != "ping" else "{}"
    lines = [f'{{"jsonrpc":"2.0","id":{i},"method":"{method}","params":{params}}}\n'.encode() for i in range(count)]
    batch = 64
    first_send[0] = time.perf_counter()
    i = 0
    while i < count:
        with cond:
            while i - answered[0] > window - batch:
                cond.wait()
        chunk = lines[i:i + batch]
        now = time.perf_counter()
        for j in range(i, min(i + batch, count)):
            sent_at[j] = now
        os.write(proc.stdin.fileno(), b"".join(chunk))
        i += batch
    done.wait(60)
    proc.stdin.close()
    proc.wait()
    elapsed = last_recv[0] - first_send[0]
    ordered = sorted(latencies)
    return {
        "requests": count,
        "errors": errors[0],
        "seconds": elapsed,
        "perSecond": count / elapsed,
        "p50Ms": ordered[len(ordered) // 2] * 1000,
        "p99Ms": ordered[int(len(ordered) * 0.99)] * 1000,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--spawns", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200000)
    parser.add_argument("--window", type=int, default=1024)
    parser.add_argument("--method", default="ping")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    extra = ["--debug-methods", "--max-in-flight", str(max(64, args.window))] if args.method != "ping" else []
    times, cpu = spawn_times(args.binary, args.spawns) if args.spawns else ([], [])
    result = pipelined(args.binary, args.requests, args.window, args.method, extra) if args.requests else {}
    report = {}
    if times:
        report["spawnToInitializeMs"] = {"median": statistics.median(times), "min": min(times), "max": max(times),
                                         "runs": len(times), "cpuMedian": statistics.median(cpu)}
    if result:
        report["pipelined"] = dict(result, method=args.method, window=args.window)
    if args.json:
        print(json.dumps(report))
    else:
        if times:
            s = report["spawnToInitializeMs"]
            print(f"spawn -> initialize response: median {s['median']:.1f} ms (min {s['min']:.1f}, max {s['max']:.1f}, "
                  f"n={s['runs']}; CPU user+sys per spawn, median {s['cpuMedian']:.1f} ms)")
        if result:
            print(f"pipelined {args.method}: {result['perSecond']:,.0f}/s over {result['requests']} requests, "
                  f"p50 {result['p50Ms']:.2f} ms, p99 {result['p99Ms']:.2f} ms, errors {result['errors']} (window {args.window})")


if __name__ == "__main__":
    main()
