"""The load benchmark's Locust scenario (bench/load_scenario.py) imports and defines its people and
tasks. No load is generated here: `python -m bench load` does that (bench/README.md)."""

from __future__ import annotations

import importlib
import sys

import pytest


@pytest.fixture
def scenario(monkeypatch: pytest.MonkeyPatch):
    # Locust patches the standard library with gevent on import unless told not to: not in the suite.
    monkeypatch.setenv("LOCUST_SKIP_MONKEY_PATCH", "1")
    monkeypatch.delitem(sys.modules, "bench.load_scenario", raising=False)
    return importlib.import_module("bench.load_scenario")


def test_the_scenario_defines_its_people_and_their_tasks(scenario) -> None:
    from locust import FastHttpUser

    assert issubclass(scenario.Practitioner, FastHttpUser)
    assert issubclass(scenario.Importer, FastHttpUser)
    assert scenario.Importer.fixed_count == 1
    tasks = {task.__name__ for task in scenario.Practitioner.tasks}
    assert tasks == {
        "home",
        "search",
        "chronology_page",
        "chronology_api",
        "alerts",
        "alert",
        "action_plan",
        "dashboard",
    }
    assert [task.__name__ for task in scenario.Importer.tasks] == ["upload"]
    # Think time between 0.5 and 1.5 s.
    waits = [scenario.Practitioner.wait_time(None) for _ in range(200)]
    assert min(waits) >= 0.5
    assert max(waits) <= 1.5
    assert scenario.THINK_TIME == (0.5, 1.5)


def test_the_summary_gives_percentiles_per_request_and_overall(scenario) -> None:
    samples = [("home", float(ms), False, 0.0) for ms in range(1, 101)] + [("alerts", 500.0, True, 0.0)]
    summary = scenario.summarise(samples, seconds=10)
    home = summary["requests"]["home"]
    assert (home["p50_ms"], home["p95_ms"], home["p99_ms"], home["requests"]) == (50.0, 95.0, 99.0, 100)
    assert summary["requests"]["alerts"]["failures"] == 1
    assert summary["overall"]["requests"] == 101
    assert summary["overall"]["per_second"] == 10.1
    assert list(summary["requests"]) == ["home", "alerts"]  # in the scenario's order


def test_each_import_file_is_new(scenario) -> None:
    importer = scenario.Importer.__new__(scenario.Importer)
    importer.profile = {
        "import_children": [
            {
                "name": "Ellis Marsh",
                "date_of_birth": "01/05/2014",
                "nhs_number": "9434765919",
                "occurred_on": "06/12/2026",
            }
        ]
    }
    first, second = importer._csv(1).decode(), importer._csv(2).decode()
    assert first.splitlines()[0].startswith("Date of event,Child name,DOB,NHS number,Agency ref")
    assert "Ellis Marsh,01/05/2014,9434765919" in first
    assert first.splitlines()[1] != second.splitlines()[1]  # another agency reference: not skipped as a repeat


def test_the_load_benchmark_takes_its_duration_as_minutes_or_with_a_unit() -> None:
    import argparse

    from bench.__main__ import _duration_minutes

    assert [_duration_minutes(t) for t in ("10m", "90s", "1h", "2.5")] == [10.0, 1.5, 60.0, 2.5]
    with pytest.raises(argparse.ArgumentTypeError, match="10m, 90s or 1h"):
        _duration_minutes("ten minutes")


def test_a_profile_keeps_only_what_its_person_may_still_open_after_midnight() -> None:
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from bench.load import _open_through_the_run

    def ids() -> list[int]:  # child 2's involvement ends on 7 December
        return [1, 2, 3] if timezone.localdate() <= dt.date(2026, 12, 7) else [1, 3, 4]

    with time_machine.travel(dt.datetime(2026, 12, 7, 23, 56, tzinfo=dt.UTC), tick=False):
        assert _open_through_the_run(ids, 5) == [1, 3]
        assert _open_through_the_run(ids, 1) == [1]
        assert timezone.localdate() == dt.date(2026, 12, 7)  # the clock is put back


def test_the_web_server_runs_two_processes_a_core_plus_one_unless_the_environment_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The shipped gunicorn.conf.py, which production and the load benchmark both run."""
    from bench.load import gunicorn_settings

    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("GUNICORN_THREADS", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert gunicorn_settings() == {"workers": 5, "worker_class": "gthread", "threads": 2}
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "4")
    assert gunicorn_settings() == {"workers": 3, "worker_class": "gthread", "threads": 4}
    assert gunicorn_settings(workers=2, threads=8) == {"workers": 2, "worker_class": "gthread", "threads": 8}
