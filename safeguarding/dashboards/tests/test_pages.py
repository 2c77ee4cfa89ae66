"""The dashboard page: who may see it (404 for everyone else), the period selector and its errors,
the same figures as `figures`, the home panel and navigation, and a pinned number of queries."""

from __future__ import annotations

from typing import Any

import pytest

from safeguarding.dashboards.tests.conftest import DashCast, Dataset, build_dataset

FY_QUERY = "?period=financial_year&year=2025"


def _persona(dc: DashCast, name: str) -> Any:
    return getattr(dc, name, None) or getattr(dc.cast, name)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("business", 200),
        ("administrator", 200),
        ("scrutineer", 200),
        ("statutory_senior", 200),  # a senior manager of a statutory partner (the police): board level
        ("relevant_senior", 404),  # a senior manager of a relevant agency is not
        ("involved", 404),
        ("partner", 404),
        ("unrelated", 404),
    ],
)
@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/pack.xlsx", "/dashboard/pack.pdf"])
def test_dashboard_access_matrix(dataset: Dataset, client_for: Any, persona: str, status: int, path: str) -> None:
    response = client_for(_persona(dataset.dc, persona)).get(path + FY_QUERY)
    assert response.status_code == status
    if status == 404:
        assert b"Test Police" not in response.content


def test_signed_out_people_are_sent_to_sign_in(dc: DashCast, client: Any) -> None:
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert "/dashboard/" in response["Location"]


def test_unknown_pack_format_is_404(dc: DashCast, client_for: Any) -> None:
    assert client_for(dc.business).get("/dashboard/pack.docx").status_code == 404


def test_dashboard_shows_each_section_with_charts_and_tables(dataset: Dataset, client_for: Any) -> None:
    html = client_for(dataset.dc.business).get("/dashboard/" + FY_QUERY).content.decode()
    assert "Financial year 2025 to 2026 (1 April 2025 to 31 March 2026)" in html
    for table in ("reviews-by-stage", "reviews-timeliness", "plans-progress", "overdue-actions",
                  "escalations-by-stage", "escalations-by-agency", "learning-by-theme"):  # fmt: skip
        assert f'id="table-{table}"' in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img"') == 8  # one per chart
    assert html.count('<div class="app-chart-scroll" role="region" aria-label="Chart: ') == 8  # each in its region
    # The nine-column overdue actions table in the smaller size (it fits the column at 1280 px); a
    # three-column table keeps the body size.
    assert 'class="govuk-table app-table--dense" id="table-overdue-actions"' in html
    assert 'class="govuk-table" id="table-overdue-by-agency"' in html
    assert "style=" not in html  # the CSP blocks inline styles
    # The overdue actions, with lead agency and days overdue.
    assert f"{dataset.plan.reference}-A3" in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">30</td>' in html
    assert 'href="/dashboard/pack.xlsx?period=financial_year&amp;year=2025"' in html


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("?period=calendar_year&year=2025", "Calendar year 2025 (1 January 2025 to 31 December 2025)"),
        ("?period=custom&start=1/4/2025&end=31/3/2026", "1 April 2025 to 31 March 2026"),
        ("?period=custom&start=01.04.2025&end=2026-03-31", "1 April 2025 to 31 March 2026"),
        ("?period=last_12_months", "Last 12 months"),
    ],
)
def test_period_selector(dc: DashCast, client_for: Any, query: str, label: str) -> None:
    response = client_for(dc.business).get("/dashboard/" + query)
    assert response.status_code == 200
    assert label in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?period=custom&start=31/3/2026&end=1/4/2025", "The end of the period must be the same as or after the start"),
        ("?period=custom&start=13/13/2025&end=1/4/2026", "Enter a real date, like 27/03/2019"),
        ("?period=custom&start=&end=1/4/2026", "Enter the first day of the period, like 1/4/2025"),
        ("?period=custom&start=1/4/2020&end=1/4/2026", "Choose a period of 3 years or less"),
        ("?period=financial_year&year=20x5", "Enter the year as 4 digits, like 2025"),
        ("?period=financial_year&year=1999", "Enter a year from 2000 to"),
        ("?period=weekly", "Select a valid choice"),
    ],
)
def test_bad_period_gets_a_clear_error_and_keeps_what_was_typed(
    dc: DashCast, client_for: Any, query: str, message: str
) -> None:
    response = client_for(dc.business).get("/dashboard/" + query)
    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html
    assert message in html
    assert 'id="table-' not in html  # no figures under an error
    if "start=13/13/2025" in query:
        assert 'value="13/13/2025"' in html
    assert client_for(dc.business).get("/dashboard/pack.xlsx" + query).status_code == 400


def test_dates_left_in_the_form_do_not_block_a_year(dc: DashCast, client_for: Any) -> None:
    response = client_for(dc.business).get("/dashboard/?period=financial_year&year=2025&start=31/3/2026&end=1/4/2025")
    assert response.status_code == 200
    assert "Financial year 2025 to 2026" in response.content.decode()


def test_pack_download_is_logged(dataset: Dataset, client_for: Any) -> None:
    from safeguarding.core.models import ActivityLog

    response = client_for(dataset.dc.scrutineer).get("/dashboard/pack.xlsx" + FY_QUERY)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="yearly-report-data-pack-2025-04-01-to-2026-03-31.xlsx"'
    )
    log = ActivityLog.objects.get(action="dashboard.pack_downloaded")
    assert log.actor == dataset.dc.scrutineer
    assert log.changes == {"format": "xlsx", "start": "2025-04-01", "end": "2026-03-31"}


def test_navigation_and_home_panel(dataset: Dataset, client_for: Any) -> None:
    home = client_for(dataset.dc.business).get("/").content.decode()
    assert 'href="/dashboard/"' in home
    assert 'id="dashboard-headline"' in home
    scrutineer_home = client_for(dataset.dc.scrutineer).get("/").content.decode()
    assert 'href="/dashboard/"' in scrutineer_home  # the navigation entry
    # Issue 17: a scrutineer reads the dashboard, so their home page offers its headline figures too.
    assert 'id="dashboard-headline"' in scrutineer_home
    practitioner_home = client_for(dataset.dc.cast.involved).get("/").content.decode()
    assert 'href="/dashboard/"' not in practitioner_home
    assert 'id="dashboard-headline"' not in practitioner_home


def test_dashboard_queries_do_not_grow_with_the_data(
    dataset: Dataset, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(dataset.dc.business)
    client.get("/dashboard/?period=financial_year&year=2024")  # session, device and sites warmed
    with django_assert_max_num_queries(35) as before:
        client.get("/dashboard/" + FY_QUERY)
    for _ in range(3):  # four times the reviews, plans, actions, escalations and findings
        build_dataset(dataset.dc)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get("/dashboard/?period=custom&start=1/4/2025&end=31/3/2026")
