"""The Locust scenario of `python -m bench load`: signed-in people using the Hub, and one import a minute.

This module never imports Django: it runs in its own process (Locust patches the standard library
with gevent on import), driven by `bench/load.py`, which prepares the database, starts gunicorn and
hands over one *profile* per simulated person in a JSON file (`LOAD_PROFILES`): the session and CSRF
cookies of a session that passed two-factor authentication, created directly in the benchmark's
database (so no sign-in, TOTP code or lockout is involved), and what that person may open: children,
alerts, action plans, whether they see the dashboard, their agency's API token.

Run on its own (what `bench/load.py` does):
    python bench/load_scenario.py --profiles P.json --host http://127.0.0.1:8123 --users 50 --minutes 10 --out R.json

Requests go out as behind the production reverse proxy (`X-Forwarded-Proto: https`), so the secure
cookies, the HTTPS redirect and the CSRF origin check behave as in production.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import time
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, constant_pacing, events, task

# The think time between two requests of one person, in seconds.
THINK_TIME = (0.5, 1.5)
# Each request's name in the results (a URL with its ids would make one line per child).
NAMES = (
    "home",
    "search",
    "chronology page",
    "chronology API",
    "alerts",
    "alert",
    "action plan",
    "dashboard",
    "import upload",
    "import page",
)

_profiles: list[dict[str, Any]] = []
_importers: list[dict[str, Any]] = []
_next_profile = itertools.count()
_samples: list[tuple[str, float, bool, float]] = []  # (name, response time in ms, failed, when)
_errors: dict[str, int] = {}


def load_profiles(path: str | os.PathLike[str]) -> None:
    """Read the profiles written by bench/load.py (browsing people, and the people who import)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    _profiles[:] = data["browsers"]
    _importers[:] = data["importers"]


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, exception: BaseException | None, **kwargs: Any) -> None:
    _samples.append((name, response_time, exception is not None, time.time()))
    if exception is not None:
        key = f"{request_type} {name}: {exception}"[:300]
        _errors[key] = _errors.get(key, 0) + 1


class _SignedIn(FastHttpUser):
    """A person with a verified session: cookies and proxy headers on every request."""

    abstract = True
    profile: dict[str, Any]

    def _headers(self, **extra: str) -> dict[str, str]:
        cookie = f"sessionid={self.profile['session']}; csrftoken={self.profile['csrf']}"
        return {"Cookie": cookie, "X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.10", **extra}

    def on_start(self) -> None:
        # The cookies are sent by hand (_headers): keep none the server sets (it renews the session's
        # expiry on every request, under the same key).
        self.client.cookiejar.set_policy(DefaultCookiePolicy(allowed_domains=[]))

    def _get(self, path: str, name: str) -> None:
        # Redirects are not followed: a page that sends the person to sign in or to two-factor
        # authentication is a failure, not a fast 200 from the sign-in page.
        with self.client.get(
            path, name=name, headers=self._headers(), allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")


class Practitioner(_SignedIn):
    """Someone at work: the home page, finding a child, reading chronologies, alerts, plans, figures."""

    wait_time = between(*THINK_TIME)

    def on_start(self) -> None:
        super().on_start()
        self.profile = _profiles[next(_next_profile) % len(_profiles)]

    @task(4)
    def home(self) -> None:
        self._get("/", "home")

    @task(3)
    def search(self) -> None:
        if not self.profile["search"]:
            return
        term = random.choice(self.profile["search_terms"])
        self._get(f"/children/?name={term}", "search")

    @task(3)
    def chronology_page(self) -> None:
        if self.profile["children"]:
            self._get(f"/chronology/children/{random.choice(self.profile['children'])}/", "chronology page")

    @task(3)
    def chronology_api(self) -> None:
        token = self.profile["token"]
        if not token or not token["children"]:
            return
        child = random.choice(token["children"])
        headers = {"Authorization": f"Token {token['key']}", "X-Forwarded-Proto": "https"}
        with self.client.get(
            f"/api/v1/children/{child}/chronology/",
            name="chronology API",
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")

    @task(2)
    def alerts(self) -> None:
        if self.profile["alerts_page"]:
            self._get("/alerts/", "alerts")

    @task(2)
    def alert(self) -> None:
        if self.profile["alerts"]:
            self._get(f"/alerts/{random.choice(self.profile['alerts'])}/", "alert")

    @task(1)
    def action_plan(self) -> None:
        if self.profile["action_plans"]:
            self._get(f"/action-plans/{random.choice(self.profile['action_plans'])}/", "action plan")

    @task(1)
    def dashboard(self) -> None:
        if self.profile["dashboard"]:
            self._get("/dashboard/", "dashboard")


class Importer(_SignedIn):
    """One person uploading a small chronology file through the page once a minute."""

    fixed_count = 1
    wait_time = constant_pacing(60)

    def on_start(self) -> None:
        super().on_start()
        self.profile = _importers[0]
        self.uploads = itertools.count(1)

    @task
    def upload(self) -> None:
        number = next(self.uploads)
        origin = str(self.host).replace("http://", "https://")
        headers = self._headers(Origin=origin, Referer=f"{origin}/chronology/imports/new/")
        fields = {"csrfmiddlewaretoken": self.profile["csrf"], "agency": str(self.profile["agency"])}
        files = {"file": (f"load-{os.getpid()}-{number}.csv", self._csv(number), "text/csv")}
        with self.client.post(
            "/chronology/imports/new/",
            name="import upload",
            headers=headers,
            data=fields,
            files=files,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != 302 or "/chronology/imports/" not in location:
                response.failure(f"status {response.status_code}, not sent to the import")
                return
        self._get(location, "import page")

    def _csv(self, number: int) -> bytes:
        lines = ["Date of event,Child name,DOB,NHS number,Agency ref,Event type,Details,Action taken"]
        stamp = f"{int(time.time())}-{number}"
        for row, child in enumerate(self.profile["import_children"]):
            lines.append(
                f"{child['occurred_on']},{child['name']},{child['date_of_birth']},{child['nhs_number']},"
                f"LOAD-{stamp}-{row},Home visit,Seen at home during a routine visit,None"
            )
        return ("\n".join(lines) + "\n").encode("utf-8")


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (`share` 0–1) of `values`, which must not be empty."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-int(share * 1000) * len(ordered) // 1000)))
    return ordered[rank - 1]


def summarise(samples: list[tuple[str, float, bool, float]], seconds: float) -> dict[str, Any]:
    """p50/p95/p99, counts, failures and requests a second, per request name and overall."""

    def line(rows: list[tuple[str, float, bool, float]]) -> dict[str, Any]:
        times = [r[1] for r in rows]
        return {
            "requests": len(rows),
            "failures": sum(1 for r in rows if r[2]),
            "per_second": round(len(rows) / seconds, 2) if seconds else 0.0,
            "p50_ms": round(percentile(times, 0.50), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "p99_ms": round(percentile(times, 0.99), 1),
            "max_ms": round(max(times), 1),
        }

    by_name: dict[str, list[tuple[str, float, bool, float]]] = {}
    for sample in samples:
        by_name.setdefault(sample[0], []).append(sample)
    order = [n for n in NAMES if n in by_name] + sorted(set(by_name) - set(NAMES))
    return {
        "requests": {name: line(by_name[name]) for name in order},
        "overall": line(samples) if samples else {"requests": 0, "failures": 0},
    }


def run(*, host: str, users: int, minutes: float, spawn_rate: float) -> dict[str, Any]:
    """Run the scenario headless in this process (Locust as a library) and summarise it."""
    import gevent
    from locust.env import Environment

    environment = Environment(user_classes=[Practitioner, Importer], host=host, events=events)
    runner = environment.create_local_runner()
    started = time.time()
    runner.start(users + 1, spawn_rate=spawn_rate)  # the browsing people and the one who imports
    gevent.spawn_later(minutes * 60, runner.quit)
    runner.greenlet.join()
    seconds = time.time() - started
    return {
        "seconds": round(seconds, 1),
        "users": users,
        "importers": 1,
        "think_time_s": list(THINK_TIME),
        **summarise(_samples, seconds),
        "errors": dict(sorted(_errors.items(), key=lambda item: -item[1])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", required=True, help="the JSON file bench/load.py wrote")
    parser.add_argument("--host", required=True, help="the server, e.g. http://127.0.0.1:8123")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--out", required=True, help="where to write the summary (JSON)")
    args = parser.parse_args()
    load_profiles(args.profiles)
    random.seed(1)
    summary = run(host=args.host, users=args.users, minutes=args.minutes, spawn_rate=args.spawn_rate)
    Path(args.out).write_text(json.dumps(summary, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
