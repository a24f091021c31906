"""Driver of bench/analytics.sh.

  seed DATA_DIR STUDENTS PER_STUDENT   writes students, one cohort, quizzes of 100 items, one
                                       attempt per student and quiz and its scored item responses
                                       into a migrated, stopped data directory (SQL, one transaction)
  measure PORT ADMIN_PASSWORD          times uncached student progress (every student once), the
                                       cohort report (JSON and CSV), a quiz's item analysis, an
                                       on-demand calibration of every item, and the adaptive exam's
                                       answer-to-next-item round trips
"""

import json
import math
import random
import sqlite3
import statistics
import sys
import time
import urllib.error
import urllib.request

NEEDS = [
    "management_of_care", "safety_infection_control", "health_promotion_maintenance",
    "psychosocial_integrity", "basic_care_comfort", "pharmacological_parenteral",
    "reduction_of_risk", "physiological_adaptation",
]
FUNCTIONS = ["recognize_cues", "analyze_cues", "prioritize_hypotheses", "generate_solutions",
             "take_action", "evaluate_outcomes"]
TYPES = ["multiple_choice", "multiple_response", "matrix", "bow_tie", "drop_down_cloze"]
LEVELS = [("beginner", -1.0), ("intermediate", 0.0), ("advanced", 1.0)]
ITEMS_PER_QUIZ = 100


def seed(data_dir, students, per_student):
    rng = random.Random(12)
    quizzes = per_student // ITEMS_PER_QUIZ
    conn = sqlite3.connect(f"{data_dir}/bsn-knowledge.sqlite3")
    conn.execute("PRAGMA journal_mode = WAL")
    now = "2026-03-30T12:00:00Z"
    conn.execute("BEGIN")
    admin = conn.execute("SELECT id FROM users WHERE role = 'admin' LIMIT 1").fetchone()[0]
    cur = conn.execute("INSERT INTO cohorts (name, created_at) VALUES ('Bench cohort', ?)", (now,))
    cohort = cur.lastrowid
    ids = []
    for s in range(students):
        cur = conn.execute(
            "INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at)"
            " VALUES (?, ?, 'student', 'x', ?, ?)", (f"bench-{s:04d}", f"Bench {s}", now, now))
        ids.append((cur.lastrowid, rng.gauss(0.0, 1.0)))
        conn.execute("INSERT INTO cohort_members VALUES (?, ?, 'student', ?)", (cohort, cur.lastrowid, now))
    items = []
    quiz_ids = []
    for q in range(quizzes):
        cur = conn.execute(
            "INSERT INTO quizzes (kind, title, created_by, max_score, created_at, updated_at)"
            " VALUES ('quiz', ?, ?, ?, ?, ?)", (f"Bench {q}", admin, ITEMS_PER_QUIZ, now, now))
        quiz = cur.lastrowid
        quiz_ids.append(quiz)
        for position in range(ITEMS_PER_QUIZ):
            level, b = LEVELS[rng.randrange(3)]
            item = {
                "id": f"bench-{q}-{position}", "item_type": "multiple_choice",
                "options": [{"id": o, "text": o} for o in "ABCD"], "correct_answer": "A",
                "client_need": NEEDS[rng.randrange(8)], "ncjmm_function": FUNCTIONS[rng.randrange(6)],
                "aacn_competency": f"{rng.randrange(1, 11)}.{rng.randrange(1, 5)}", "difficulty": level,
            }
            conn.execute("INSERT INTO quiz_items VALUES (?, ?, ?, ?)",
                         (quiz, position, item["id"], json.dumps(item)))
            items.append((quiz, position, item, b + rng.gauss(0.0, 0.5)))
    rows = []
    for student, theta in ids:
        drift = rng.gauss(0.0, 0.05)
        for q in range(quizzes):
            week = q * 12 // quizzes
            stamp = time.strftime("%Y-%m-%dT10:00:00Z", time.gmtime(1767571200 + week * 7 * 86400))
            cur = conn.execute(
                "INSERT INTO attempts (quiz_id, student_id, attempt_number, status, started_at,"
                " last_activity_ms, submitted_at, score, max_score) VALUES (?, ?, 1, 'submitted', ?, 0, ?, 0, ?)",
                (quiz_ids[q], student, stamp, stamp, ITEMS_PER_QUIZ))
            attempt = cur.lastrowid
            for quiz, position, item, b in items[q * ITEMS_PER_QUIZ:(q + 1) * ITEMS_PER_QUIZ]:
                p = 1.0 / (1.0 + math.exp(-(theta + drift * week - b)))
                right = rng.random() < p
                rows.append((attempt, quiz, student, item["id"], position, 1, int(right), 1,
                             rng.randrange(10_000, 90_000), stamp, stamp, TYPES[position % 5],
                             item["client_need"], item["ncjmm_function"], item["aacn_competency"],
                             item["difficulty"]))
            if len(rows) >= 100_000:
                insert(conn, rows)
                rows = []
    insert(conn, rows)
    conn.execute("COMMIT")
    print(conn.execute("SELECT count(*) FROM item_responses").fetchone()[0], cohort)


def insert(conn, rows):
    conn.executemany(
        "INSERT INTO item_responses (attempt_id, quiz_id, student_id, item_id, position, answered,"
        " points, max_points, time_spent_ms, answered_at, scored_at, item_type, client_need,"
        " ncjmm_function, aacn_competency, difficulty) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)


def call(port, path, token=None, body=None, accept=None, method=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                     data=json.dumps(body).encode() if body is not None else None,
                                     method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if accept:
        request.add_header("Accept", accept)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        data = response.read()
        status = response.status
    return status, data, (time.perf_counter() - started) * 1000


def p(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, math.ceil(q * len(values)) - 1)]


def measure(port, password):
    _, data, _ = call(port, "/api/v1/auth/login", body={"username": "admin", "password": password})
    token = json.loads(data)["access_token"]
    _, report, cohort_ms = call(port, "/api/v1/analytics/cohorts/1", token)
    assert json.loads(report)["students"] > 0
    _, csv, cohort_csv_ms = call(port, "/api/v1/analytics/cohorts/1", token, accept="text/csv")
    students = [int(line.split(",")[0]) for line in csv.decode().splitlines()[1:]]
    times = []
    for student in students:
        status, _, ms = call(port, f"/api/v1/analytics/student/{student}/progress", token)
        assert status == 200
        times.append(ms)
    cached = [call(port, f"/api/v1/analytics/student/{students[0]}/progress", token)[2] for _ in range(50)]
    _, quiz, quiz_ms = call(port, "/api/v1/analytics/quizzes/1", token)
    _, _, item_ms = call(port, "/api/v1/analytics/items/bench-0-0", token)
    _, calibrated, calibration_ms = call(port, "/api/v1/analytics/calibration", token, method="POST")
    run = json.loads(calibrated)["run"]
    cat_times = adaptive_exam(port, token)
    print(f"{len(times)} {statistics.median(times):.2f} {p(times, 0.99):.2f} {p(cached, 0.99):.2f} "
          f"{cohort_ms:.0f} {cohort_csv_ms:.0f} {quiz_ms:.0f} {item_ms:.0f} {json.loads(quiz)['attempts']} "
          f"{calibration_ms:.0f} {run['duration_ms']} {run['responses']} {run['items']} {run['iterations']} "
          f"{len(cat_times)} {statistics.median(cat_times):.2f} {p(cat_times, 0.99):.2f}")


EMPTY = {"multiple_choice": "", "numeric": -12345.0, "multiple_response": [], "highlight": [],
         "ordered_response": []}


def adaptive_exam(port, admin, sessions=2):
    """Answer-to-next-item round trips of full adaptive exams by one student at theta = 0: each item
    is answered with its key (read by the admin, untimed) with probability P(correct | 0, prior)
    and otherwise with an empty answer of its shape."""
    rng = random.Random(7)
    call(port, "/api/v1/auth/users", admin,
         {"username": "bench-cat", "role": "student", "password": "bench-cat password 123"})
    _, data, _ = call(port, "/api/v1/auth/login",
                      body={"username": "bench-cat", "password": "bench-cat password 123"})
    student = json.loads(data)["access_token"]
    # A password an admin sets is temporary: make the first-sign-in change (to the same text).
    call(port, "/api/v1/auth/password", student,
         {"current_password": "bench-cat password 123", "new_password": "bench-cat password 123"})
    times = []
    for _ in range(sessions):
        for _attempt in range(60):
            try:
                _, data, _ = call(port, "/api/v1/cat/sessions", student, {})
                break
            except urllib.error.HTTPError as error:
                if error.code != 503:
                    raise
                time.sleep(1)
        session = json.loads(data)
        item = session.get("item")
        while item is not None:
            _, stored, _ = call(port, f"/api/v1/items/{item['id']}", admin)
            stored = json.loads(stored)
            if stored["item_type"] == "case_study":
                key = {inner["id"]: inner["correct_answer"] for inner in stored["items"]}
                empty = {}
            else:
                key = stored["correct_answer"]
                empty = EMPTY.get(stored["item_type"], {})
            answer = key if rng.random() < 0.5 else empty
            _, data, ms = call(port, f"/api/v1/cat/sessions/{session['session_id']}/answers", student,
                               {"item_id": item["id"], "answer": answer})
            times.append(ms)
            item = json.loads(data).get("item")
    return times


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        seed(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        measure(sys.argv[2], sys.argv[3])
