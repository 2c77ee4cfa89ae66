"""`core.pdf.render_pdf` pauses the garbage collector only while WeasyPrint renders; `core.warmup`
loads what a web process's first request would otherwise pay for."""

from __future__ import annotations

import gc
from unittest import mock

import pytest

from safeguarding.core import pdf, warmup


def test_render_pdf_pauses_the_collector_while_rendering_and_restores_it() -> None:
    seen: list[bool] = []

    def watching(*args: object, **kwargs: object) -> bytes:
        seen.append(gc.isenabled())
        return b"%PDF-1.7 fake"

    with mock.patch("weasyprint.HTML.write_pdf", side_effect=watching):
        assert pdf.render_pdf("<p>Hello</p>") == b"%PDF-1.7 fake"
    assert seen == [False]
    assert gc.isenabled()


def test_render_pdf_restores_the_collector_when_rendering_fails() -> None:
    with mock.patch("weasyprint.HTML.write_pdf", side_effect=RuntimeError("bad")), pytest.raises(RuntimeError):
        pdf.render_pdf("<p>Hello</p>")
    assert gc.isenabled()


def test_render_pdf_leaves_a_collector_switched_off_off() -> None:
    gc.disable()
    try:
        with mock.patch("weasyprint.HTML.write_pdf", return_value=b"%PDF"):
            pdf.render_pdf("<p>Hello</p>")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_render_pdf_writes_a_real_pdf() -> None:
    assert pdf.render_pdf("<h1>Northbridge</h1>").startswith(b"%PDF")


@pytest.mark.django_db
def test_warm_up_fills_the_resolver_and_loads_the_calendar_and_fonts() -> None:
    from django.urls import get_resolver

    with (
        mock.patch("safeguarding.core.calendar.current") as current,
        mock.patch.object(pdf, "load") as load,
    ):
        warmup.warm_up()
    current.assert_called_once()
    load.assert_called_once()
    assert get_resolver()._populated


@pytest.mark.django_db
def test_warm_up_survives_a_database_that_is_not_ready(caplog: pytest.LogCaptureFixture) -> None:
    with (
        mock.patch("safeguarding.core.calendar.current", side_effect=RuntimeError("no database")),
        mock.patch.object(pdf, "load") as load,
    ):
        warmup.warm_up()
    load.assert_called_once()
    assert "calendar was not loaded" in caplog.text
