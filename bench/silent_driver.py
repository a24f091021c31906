"""Driver for bench/silent.sh: silent connections and /health probes.

    python3 silent_driver.py HOST:PORT SERVER_PID SILENT
"""

import errno
import multiprocessing
import os
import resource
import socket
import sys
import threading
import time

PER_SOURCE = 100
PROBE_EVERY = 0.05
# Connections one worker process holds: each holds one descriptor per connection, so the silent
# connections are spread over as many processes as the hard open-file limit needs.
HELD_PER_WORKER = 9_000


def probe(host, port):
    """One /health request on a new connection: (ok, seconds, what went wrong)."""
    started = time.monotonic()
    problem = ""
    try:
        with socket.create_connection((host, port), timeout=5) as conn:
            conn.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
        ok = data.startswith(b"HTTP/1.1 200")
        if not ok:
            problem = repr(data[:40]) if data else "closed without a response"
    except OSError as error:
        ok = False
        problem = f"{type(error).__name__}: {error}"
    return ok, time.monotonic() - started, problem


def closed_by_server(sock):
    """Whether the server closed `sock` (EOF or reset), without waiting."""
    sock.setblocking(False)
    try:
        while True:
            data = sock.recv(16, socket.MSG_DONTWAIT)
            if not data:
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True


def server_fds(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def quantile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


PHASES = ["before", "opening", "held", "after"]


def probe_loop(host, port, phase, stop, results):
    """/health every PROBE_EVERY until `stop`; sends back [(phase, ok, seconds, problem)]."""
    probes = []
    while not stop.is_set():
        current = PHASES[phase.value]
        ok, took, problem = probe(host, port)
        probes.append((current, ok, took, problem))
        time.sleep(PROBE_EVERY)
    results.put(probes)


def hold(host, port, first, count, reports):
    """A worker: opens silent connections `first`..`first + count`, reports how many opened, then
    how many the server has left open every 0.5 s, until none or 30 s."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    started = time.monotonic()
    silent = []
    failed = 0
    # Non-blocking connects, so that all of them are open within the server's 10 s header
    # timeout even on a slow machine; the kernel completes the handshakes.
    for n in range(first, first + count):
        source = f"127.0.{1 + n // PER_SOURCE // 250}.{1 + n // PER_SOURCE % 250}"
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((source, 0))
            sock.setblocking(False)
            error = sock.connect_ex((host, port))
            if error not in (0, errno.EINPROGRESS):
                raise OSError(error, os.strerror(error))
            silent.append(sock)
        except OSError:
            failed += 1
            sock.close()
    reports.put(("opened", len(silent), failed, time.monotonic() - started))
    open_now = list(silent)
    held_since = time.monotonic()
    while open_now and time.monotonic() - held_since < 30:
        time.sleep(0.5)
        open_now = [sock for sock in open_now if not closed_by_server(sock)]
        reports.put(("open", len(open_now), time.monotonic()))
    reports.put(("done", len(open_now), time.monotonic()))
    for sock in silent:
        sock.close()


def main():
    address, pid, wanted = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    host, port = address.rsplit(":", 1)
    port = int(port)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    count = wanted
    workers = max(1, -(-count // min(HELD_PER_WORKER, hard - 500)))
    share = -(-count // workers)
    note = f" (from {workers} processes)"

    # The prober is a process of its own, so that its timings do not wait for this one's threads.
    phase = multiprocessing.Value("i", 0)
    stop = multiprocessing.Event()
    probe_results = multiprocessing.Queue()
    prober = multiprocessing.Process(target=probe_loop, args=(host, port, phase, stop, probe_results))
    prober.start()

    peak = {"fds": 0}
    sampling = threading.Event()

    def sampler():
        while not sampling.is_set():
            peak["fds"] = max(peak["fds"], server_fds(pid))
            time.sleep(0.2)

    threads = [threading.Thread(target=sampler)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    base_fds = server_fds(pid)

    phase.value = 1
    reports = multiprocessing.Queue()
    started = time.monotonic()
    processes = []
    for index in range(workers):
        first = index * share
        process = multiprocessing.Process(
            target=hold, args=(host, port, first, min(share, count - first), reports)
        )
        process.start()
        processes.append(process)
    opened, failed_opens, pending = 0, 0, workers
    while pending:
        kind, *rest = reports.get()
        if kind == "opened":
            opened += rest[0]
            failed_opens += rest[1]
            pending -= 1
    opened_in = time.monotonic() - started

    phase.value = 2
    all_open = time.monotonic()
    done = 0
    still_open = 0
    closed_at = all_open
    while done < workers:
        kind, *rest = reports.get()
        if kind in ("open", "done"):
            closed_at = max(closed_at, rest[1])
        if kind == "done":
            done += 1
            still_open += rest[0]
    for process in processes:
        process.join()
    closed_after = closed_at - all_open
    phase.value = 3
    time.sleep(1.0)
    stop.set()
    sampling.set()
    for thread in threads:
        thread.join()
    probes = probe_results.get()
    prober.join()

    flood = [(ok, took) for (ph, ok, took, _) in probes if ph in ("opening", "held")]
    problems = [(ph, f"{took * 1000:.0f} ms", problem) for (ph, ok, took, problem) in probes
                if ph in ("opening", "held") and (not ok or took > 0.1)]
    times = [took * 1000 for (_, took) in flood]
    failures = sum(1 for (ok, _) in flood if not ok)
    over = sum(1 for t in times if t > 100)
    print(
        f"silent connections opened: {opened}{note}, {failed_opens} failed to open, "
        f"in {opened_in:.1f} s"
    )
    still = "" if not still_open else f" ({still_open} still open at 30 s)"
    print(f"all closed by the server {closed_after:.1f} s after the last was opened{still}")
    print(
        f"server descriptors: {base_fds} before the flood, {peak['fds']} at most "
        f"(sampled every 0.2 s)"
    )
    print()
    print("| /health during the flood (opening and holding) | value |")
    print("|---|---|")
    print(f"| probes | {len(flood)} |")
    print(f"| failed | {failures} |")
    if times:
        print(f"| p50 | {quantile(times, 0.50):.1f} ms |")
        print(f"| p95 | {quantile(times, 0.95):.1f} ms |")
        print(f"| p99 | {quantile(times, 0.99):.1f} ms |")
        print(f"| max | {max(times):.1f} ms |")
        print(f"| over 100 ms | {over} |")
    for problem in problems:
        print(f"slow or failed probe: {problem}")
    verdict = "met" if times and failures == 0 and max(times) <= 100 else "NOT met"
    print()
    print(f"floor (every /health within 100 ms throughout): {verdict}")


if __name__ == "__main__":
    main()
