"""Driver for bench/silent.sh: silent connections and /health probes.

    python3 silent_driver.py HOST:PORT SERVER_PID SILENT
"""

import errno
import os
import resource
import socket
import sys
import threading
import time

PER_SOURCE = 100
PROBE_EVERY = 0.05


def probe(host, port):
    """One /health request on a new connection: (ok, seconds)."""
    started = time.monotonic()
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
    except OSError:
        ok = False
    return ok, time.monotonic() - started


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


def main():
    address, pid, wanted = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    host, port = address.rsplit(":", 1)
    port = int(port)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    # This process holds one descriptor per connection; the server one per connection plus the
    # 1,024 it keeps back from its cap.
    count = min(wanted, hard - 2_000)
    note = "" if count == wanted else f" (asked for {wanted}; the hard open-file limit is {hard})"

    probes = []  # (phase, ok, seconds)
    phase = ["before"]
    stop = threading.Event()

    def prober():
        while not stop.is_set():
            ok, took = probe(host, port)
            probes.append((phase[0], ok, took))
            time.sleep(PROBE_EVERY)

    peak = {"fds": 0}

    def sampler():
        while not stop.is_set():
            peak["fds"] = max(peak["fds"], server_fds(pid))
            time.sleep(0.2)

    threads = [threading.Thread(target=prober), threading.Thread(target=sampler)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    base_fds = server_fds(pid)

    phase[0] = "opening"
    started = time.monotonic()
    silent = []
    failed_opens = 0
    # Non-blocking connects, so that all of them are open within the server's 10 s header
    # timeout even on a slow machine; the kernel completes the handshakes.
    for n in range(count):
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
            failed_opens += 1
            sock.close()
    opened_in = time.monotonic() - started

    phase[0] = "held"
    all_open = time.monotonic()
    open_now = list(silent)
    first_check = None
    while open_now and time.monotonic() - all_open < 30:
        time.sleep(0.5)
        open_now = [sock for sock in open_now if not closed_by_server(sock)]
        if first_check is None:
            first_check = len(open_now)
    closed_after = time.monotonic() - all_open
    phase[0] = "after"
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join()
    for sock in silent:
        sock.close()

    flood = [(ok, took) for (ph, ok, took) in probes if ph in ("opening", "held")]
    times = [took * 1000 for (_, took) in flood]
    failures = sum(1 for (ok, _) in flood if not ok)
    over = sum(1 for t in times if t > 100)
    print(
        f"silent connections opened: {len(silent)}{note}, {failed_opens} failed to open, "
        f"in {opened_in:.1f} s"
    )
    still = "" if not open_now else f" ({len(open_now)} still open at 30 s)"
    print(
        f"still open 0.5 s after the last was opened: {first_check}; "
        f"all closed by the server {closed_after:.1f} s after the last was opened{still}"
    )
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
    verdict = "met" if times and failures == 0 and max(times) <= 100 else "NOT met"
    print()
    print(f"floor (every /health within 100 ms throughout): {verdict}")


if __name__ == "__main__":
    main()
