#!/usr/bin/env python3
"""Load driver for bench/practice.sh (standard library only; loopback only).

  practice_driver.py disk DATA_DIR                 single-row durable commits/s (WAL, synchronous=FULL)
  practice_driver.py setup PORT ADMIN_PASSWORD WORK  200 students, a 150-item quiz, 150 concurrent
                                                   starts (prints p50 p99 span in ms), saves.tsv for wrk
  practice_driver.py submit PORT WORK              submits the 150-item attempts (prints p50 p99 n)
  practice_driver.py count DATA_DIR                answer_history rows
"""
import http.client
import json
import os
import sqlite3
import sys
import threading
import time

STUDENTS = 200
STARTERS = 150


def timed_request(port, method, path, token=None, body=None, timeout=60, parse=True):
    """(status, body, milliseconds from sending the request to the last byte of the response).
    The JSON is parsed after the clock stops, or (parse=False) not at all and the raw bytes are
    returned: parsing a 150-item attempt in Python takes milliseconds, and in concurrent threads
    it would hold the interpreter lock while other threads' responses wait to be read."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.connect()
    began = time.perf_counter()
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    elapsed = (time.perf_counter() - began) * 1000
    conn.close()
    if not parse:
        return response.status, payload, elapsed
    return response.status, (json.loads(payload) if payload else None), elapsed


def request(port, method, path, token=None, body=None, timeout=60):
    status, parsed, _ = timed_request(port, method, path, token, body, timeout)
    return status, parsed


def must(status, body, expected, what):
    if status not in expected:
        sys.exit(f"{what}: HTTP {status}: {body}")
    return body


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def disk(data_dir):
    path = os.path.join(data_dir, "disk-probe.sqlite3")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)")
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < 3.0:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (v) VALUES ('x')")
        conn.execute("COMMIT")
        done += 1
    rate = done / (time.perf_counter() - started)
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass
    print(f"{rate:.0f}")


def wait_ready(port):
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            status, _ = request(port, "GET", "/health", timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    sys.exit("server did not become ready")


def setup(port, admin_password, work):
    port = int(port)
    wait_ready(port)
    _, body = request(port, "POST", "/api/v1/auth/login", body={"username": "admin", "password": admin_password})
    admin = body["access_token"]
    cohort = must(*request(port, "POST", "/api/v1/cohorts", admin, {"name": "Bench"}), (201,), "cohort")["id"]
    quiz = must(
        *request(port, "POST", "/api/v1/quizzes", admin,
                 {"title": "Bench", "blueprint": {"count": 150, "seed": 1}, "cohort_ids": [cohort]}),
        (201,), "quiz")
    items = quiz["items"]
    tokens = [None] * STUDENTS

    def make(index):
        name = f"bench{index}"
        password = f"{name} password 123"
        created = must(*request(port, "POST", "/api/v1/auth/users", admin,
                                {"username": name, "role": "student", "password": password}), (201,), "user")
        must(*request(port, "PUT", f"/api/v1/cohorts/{cohort}/members/{created['user']['id']}", admin,
                      {"role": "student"}), (200, 201, 204), "member")
        _, login = request(port, "POST", "/api/v1/auth/login", body={"username": name, "password": password})
        tokens[index] = login["access_token"]
        # A password an admin sets is temporary: make the first-sign-in change (to the same text).
        must(*request(port, "POST", "/api/v1/auth/password", tokens[index],
                      {"current_password": password, "new_password": password}), (204,), "first password change")

    run_threads(make, range(STUDENTS), 4)

    # 150 students start the same quiz at once.
    latencies = [0.0] * STARTERS
    attempts = [None] * STUDENTS
    barrier = threading.Barrier(STARTERS)

    def start(index):
        barrier.wait()
        status, raw, latencies[index] = timed_request(
            port, "POST", f"/api/v1/quizzes/{quiz['id']}/attempts", tokens[index], parse=False)
        attempts[index] = (status, raw)

    burst = time.perf_counter()
    run_threads(start, range(STARTERS), STARTERS)
    span = (time.perf_counter() - burst) * 1000
    for index in range(STARTERS):
        status, raw = attempts[index]
        attempts[index] = must(status, json.loads(raw), (201,), "start")["attempt_id"]
    for index in range(STARTERS, STUDENTS):
        attempts[index] = must(*request(port, "POST", f"/api/v1/quizzes/{quiz['id']}/attempts", tokens[index]),
                               (201,), "start")["attempt_id"]
    with open(os.path.join(work, "saves.tsv"), "w") as out:
        for round_ in range(3):
            for index in range(STUDENTS):
                item = items[(index + round_ * 7) % len(items)]
                body = json.dumps({"answer": item["correct_answer"], "flagged": round_ == 1})
                out.write(f"{attempts[index]}\t{tokens[index]}\t{item['id']}\t{body}\n")
    with open(os.path.join(work, "attempts.json"), "w") as out:
        json.dump({"tokens": tokens, "attempts": attempts}, out)
    print(f"{percentile(latencies, 0.5):.1f} {percentile(latencies, 0.99):.1f} {span:.0f}")


def run_threads(work, indexes, width):
    indexes = list(indexes)
    lock = threading.Lock()
    failures = []

    def worker():
        while True:
            with lock:
                if not indexes:
                    return
                index = indexes.pop()
            try:
                work(index)
            except BaseException as error:  # noqa: BLE001 - reported below
                failures.append(error)
                return

    threads = [threading.Thread(target=worker) for _ in range(width)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def submit(port, work):
    port = int(port)
    with open(os.path.join(work, "attempts.json")) as source:
        state = json.load(source)
    latencies = []
    lock = threading.Lock()

    def one(index):
        status, body, elapsed = timed_request(
            port, "POST", f"/api/v1/attempts/{state['attempts'][index]}/submit", state["tokens"][index])
        must(status, body, (200,), "submit")
        if len(body["items"]) != 150:
            sys.exit(f"submit scored {len(body['items'])} items, expected 150")
        with lock:
            latencies.append(elapsed)

    # Four submitting at a time, as a class finishing together would.
    run_threads(one, range(STUDENTS), 4)
    print(f"{percentile(latencies, 0.5):.1f} {percentile(latencies, 0.99):.1f} {len(latencies)}")


def count(data_dir):
    conn = sqlite3.connect(os.path.join(data_dir, "bsn-knowledge.sqlite3"))
    print(conn.execute("SELECT count(*) FROM answer_history").fetchone()[0])


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"disk": disk, "setup": setup, "submit": submit, "count": count}[command](*args)
