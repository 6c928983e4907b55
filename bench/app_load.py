"""Load test of the web app: N concurrent users each ask for montages at once (a benchmark, not a test).

    .venv/bin/python bench/app_load.py --json                     # 20 users, 8 candidates each
    .venv/bin/python bench/app_load.py --users 40 --queue-size 16  # overfill the queue on purpose

Starts `text2montage serve` (the shipped pipeline unless --model) in its own process, then N threads
each call the /generate endpoint through gradio_client at the same moment. Reports how many requests
succeeded, were refused by the bounded queue, or failed otherwise; latency percentiles (queueing
included); throughput; and the server's peak memory (VmHWM) before and after. The server draws one
request at a time (the CPU is the limit), so latency grows linearly with the queue position.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

os.environ.update(HF_HUB_OFFLINE="1", HF_HUB_DISABLE_TELEMETRY="1", GRADIO_ANALYTICS_ENABLED="False")

DESCRIPTION = "긴 생머리에 앞머리가 눈썹 아래까지 내려온다. 얼굴은 계란형이고 눈이 작다."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, model: str | None, queue_size: int) -> subprocess.Popen:
    cli = Path(sys.executable).parent / "text2montage"
    command = [str(cli), "serve", "--port", str(port), "--queue-size", str(queue_size)]
    command += ["--model", model] if model else []
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped: {server.stderr.read()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    sys.exit("the server did not start within 120 s")


def peak_rss_mib(pid: int) -> float:
    """VmHWM (peak resident memory) of a process, MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def one_user(url: str, num: int, seed: int, barrier: threading.Barrier, out: list[dict]) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False)
    barrier.wait()
    start = time.perf_counter()
    try:
        record = client.predict(DESCRIPTION, num, seed, 3.0, api_name="/generate")
        out.append({"ok": len(record["candidates"]) == num, "s": time.perf_counter() - start})
    except Exception as err:  # noqa: BLE001 - a refusal or failure is a figure here
        message = str(err)
        refused = "queue" in message.lower() and "full" in message.lower()
        elapsed = time.perf_counter() - start
        out.append({"ok": False, "refused": refused, "error": message[:200], "s": elapsed})


def run_users(url: str, users: int, num: int) -> tuple[list[dict], float]:
    results: list[dict] = []
    barrier = threading.Barrier(users)
    threads = [threading.Thread(target=one_user, args=(url, num, i, barrier, results)) for i in range(users)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - start


def summarize(results: list[dict], wall: float, rss: tuple[float, float], args: argparse.Namespace) -> dict:
    done = sorted(r["s"] for r in results if r["ok"])

    def quantile(q: float) -> float | None:
        return round(done[min(len(done) - 1, int(q * len(done)))], 2) if done else None

    return {
        "users": args.users, "candidates": args.num, "queue_size": args.queue_size,
        "succeeded": len(done), "refused_queue_full": sum(bool(r.get("refused")) for r in results),
        "failed_other": sum(not r["ok"] and not r.get("refused") for r in results),
        "latency_s": {"p50": quantile(0.5), "p90": quantile(0.9), "max": quantile(1.0),
                      "mean": round(statistics.mean(done), 2) if done else None},
        "wall_s": round(wall, 2), "requests_per_min": round(60 * len(done) / wall, 1),
        "server_peak_rss_mib": {"idle": rss[0], "after_load": rss[1]},
        "errors": sorted({r["error"] for r in results if "error" in r})[:3],
        "machine": {"cpus": os.cpu_count(), "loadavg_after": os.getloadavg()[0]},
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--num", type=int, default=8, help="candidates per request")
    parser.add_argument("--queue-size", type=int, default=64)
    parser.add_argument("--model", default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    port = free_port()
    server = start_server(port, args.model, args.queue_size)
    try:
        url = f"http://127.0.0.1:{port}/"
        run_users(url, 1, args.num)  # warm-up: first request loads lazily-initialised parts
        idle = peak_rss_mib(server.pid)
        results, wall = run_users(url, args.users, args.num)
        figures = summarize(results, wall, (idle, peak_rss_mib(server.pid)), args)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(json.dumps(figures) if args.json else json.dumps(figures, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
