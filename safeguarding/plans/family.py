"""The family's version of an agreed plan: an accessible PDF in plain words and large type.

It holds only what was typed into the agreed plan version and its agreement — nothing is pulled from
the chronology, so nothing from a restricted entry can appear. Professional words are swapped for
plain ones (`GLOSSARY`); headings are plain questions. Tagged PDF (PDF/UA-1) where WeasyPrint supports it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from safeguarding.agencies.models import Team
from safeguarding.plans.models import CarePlan, PlanVersion

# Professional words and the plain words the family version uses instead (whole words, any case).
GLOSSARY: dict[str, str] = {
    "contingency": "what will happen if the plan is not followed",
    "contingency plan": "what will happen if the plan is not followed",
    "danger statement": "what we are worried could happen",
    "danger statements": "what we are worried could happen",
    "safety goal": "what we need to see",
    "safety goals": "what we need to see",
    "safety network": "the people who help keep the children safe",
    "complicating factors": "things that make it harder",
    "core group": "the group of people who meet to check the plan",
    "s47": "child protection enquiry",
    "section 47": "child protection enquiry",
    "strategy discussion": "a meeting between professionals about the children's safety",
    "CIN": "child in need",
    "CP": "child protection",
    "LADO": "the person who looks at concerns about adults who work with children",
    "DA": "domestic abuse",
    "MASH": "the team that looks at new worries about children",
    "RAG": "progress rating",
    "non-engagement": "not being able to work with us",
    "was not brought": "was not taken",
    "disguised compliance": "seeming to follow the plan without changes happening",
    "threshold": "level of need",
    "multi-agency": "with different services",
}
# Longer phrases first, so "contingency plan" is swapped before "contingency".
# An article just before the term is matched with it, so that it and the replacement's own leading
# article are never both kept ("a strategy discussion" is not "a a meeting ...").
_PATTERN = re.compile(
    r"\b(?:(?P<article>a|an|the)(?P<space>\s+))?(?P<term>"
    + "|".join(re.escape(term) for term in sorted(GLOSSARY, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
_LEADING_ARTICLE = re.compile(r"^(?:a|an|the)\s+", re.IGNORECASE)
_LOOKUP = {term.lower(): plain for term, plain in GLOSSARY.items()}
_ABBREVIATIONS = {term for term in GLOSSARY if term.isupper()}


def plain_words(text: str) -> str:
    """The text with professional words swapped for the glossary's plain words."""

    def swap(match: re.Match[str]) -> str:
        word = match.group("term")
        if word.upper() in _ABBREVIATIONS and not word.isupper():
            # Abbreviations only when written as such ("CP", not the letters inside an ordinary word).
            return match.group(0)
        plain = GLOSSARY[word.upper()] if word.upper() in _ABBREVIATIONS else _LOOKUP[word.lower()]
        article = match.group("article")
        return plain if article is None else _after_article(article, match.group("space"), plain)

    return _PATTERN.sub(swap, text or "")


def _after_article(article: str, space: str, plain: str) -> str:
    """`article` followed by `plain`, with no doubled article and "a"/"an" agreeing."""
    if plain.lower().startswith("what "):  # "the contingency" -> "what will happen ..."
        return plain[0].upper() + plain[1:] if article[0].isupper() else plain
    plain = _LEADING_ARTICLE.sub("", plain)
    if article.lower() in ("a", "an"):
        wanted = "an" if plain[:1].lower() in "aeiou" else "a"
        article = wanted.capitalize() if article[0].isupper() else wanted
    return article + space + plain


def _names(plan: CarePlan) -> str:
    names = [c.first_name for c in plan.children.order_by("date_of_birth", "id")]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def next_check_date(plan: CarePlan, version: PlanVersion) -> date | None:
    """When the plan will next be checked: the latest review's next review date, else the version's
    review date; None when that date has passed (the family is told a date will be agreed)."""
    latest = plan.reviews.order_by("-held_on", "-id").first()
    when = (latest.next_review_on if latest else None) or version.review_date
    return when if when is not None and when >= timezone.localdate() else None


def contact_sentence(plan: CarePlan) -> str:
    """How the family can ring the lead professional: their work number; without one, the number of
    their team in the lead agency, else the front door's; without any, nothing (never a guess)."""
    lead = plan.lead_professional
    name = lead.get_full_name() or lead.username
    if lead.work_phone:
        return f"You can contact {name} on {lead.work_phone}."
    teams = Team.objects.filter(is_active=True).exclude(phone="")
    team = (
        teams.filter(agency=plan.lead_agency, memberships__user=lead, memberships__is_active=True).first()
        or teams.filter(is_front_door=True).order_by("agency__name", "name").first()
    )
    return f"You can contact {team.name} on {team.phone}." if team is not None else ""


def context(plan: CarePlan, version: PlanVersion) -> dict[str, Any]:
    text_fields = (
        "harm",
        "danger_statements",
        "complicating_factors",
        "strengths",
        "existing_safety",
        "safety_goals",
        "contingency",
        "safety_network",
        "family_words",
        "child_views",
        "review_forum",
    )
    plain = {name: plain_words(getattr(version, name)) for name in text_fields}
    objectives = [
        {
            "action": plain_words(o.action),
            "who": o.owner_label,
            "due_on": o.due_on,
            "support": plain_words(o.support_offered),
            "measure": plain_words(o.progress_measure),
        }
        for o in version.objectives.select_related("owner_agency").order_by("order", "id")
    ]
    agreement = version.agreement
    return {
        "plan": plan,
        "version": version,
        "names": _names(plan),
        "text": plain,
        "family_words": version.family_words,  # their own words, never changed
        "child_views": version.child_views,
        "objectives": objectives,
        "agreement": agreement,
        "next_check": next_check_date(plan, version),
        "contact": contact_sentence(plan),
        "agreed_people": list(agreement.people.all()),
        "generated": timezone.now(),
    }


def family_pdf(plan: CarePlan, version: PlanVersion) -> bytes:
    from weasyprint import HTML

    html = render_to_string("plans/family_pdf.html", context(plan, version))
    document = HTML(string=html)
    try:
        return bytes(document.write_pdf(pdf_variant="pdf/ua-1"))
    except (TypeError, ValueError):  # an older WeasyPrint without PDF/UA
        return bytes(document.write_pdf())
