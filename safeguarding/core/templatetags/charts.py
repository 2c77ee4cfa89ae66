"""`{% load charts %}{{ svg|chart }}`: a `core.svgcharts` chart inline in a page; `{{ svg|chart:pdf }}`
with `pdf` true, an `<img>` for WeasyPrint (which then parses the chart as SVG, not as HTML elements
it computes CSS for), its alt text the chart's description."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from safeguarding.core import svgcharts

register = template.Library()


@register.filter
def chart(svg: str, as_image: bool = False) -> SafeString:
    return svgcharts.html(svg, as_image=bool(as_image))
