"""Loading templates and descriptors: valid, invalid (every problem, with its line or path), idempotent,
all or nothing; the shipped neglect profile holds the GCP2 structure and no descriptor wording."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from safeguarding.assessments.defaults import NEGLECT_PROFILE_FILE, install_defaults
from safeguarding.assessments.models import Area, AssessmentTemplate, Descriptor, SubArea
from safeguarding.assessments.tests.conftest import AsmCast

VALID = """\
code: home-conditions
name: Home conditions check
version: 1
grade_by: item
scale:
  - {value: 1, label: Good}
  - {value: 2, label: Adequate}
  - {value: 3, label: Poor}
areas:
  - code: home
    title: The home
    guidance: Look at every room the child uses.
    sub_areas:
      - code: kitchen
        title: Kitchen
        items:
          - {code: food-stored, title: Food stored safely}
          - {code: cooker-safe, title: Cooker safe, guidance: Guard fitted where needed.}
      - code: bedroom
        title: Child's bedroom
        items:
          - {code: own-bed, title: The child has their own bed}
"""


def _write(tmp_path: Path, text: str, name: str = "template.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _load(path: str, *args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("load_assessment_template", path, *args, stdout=out)
    return out.getvalue()


def test_the_shipped_neglect_profile_has_the_gcp2_structure_and_no_descriptors(db: None) -> None:
    template = AssessmentTemplate.objects.get(code="neglect-profile", version=1)
    assert template.name == "Neglect profile (GCP2 structure)"
    areas = {a.title: [s.title for s in a.sub_areas.all()] for a in Area.objects.filter(template=template)}
    assert areas == {
        "Physical care": ["Nutrition", "Housing", "Clothing", "Hygiene", "Health"],
        "Safety": ["Safety when the carer is present", "Safety when the carer is absent"],
        "Love and belonging": ["Emotional care: the carer's responsiveness"],
        "Esteem and development": ["Stimulation", "Approval", "Acceptance"],
    }
    assert list(template.scale.values_list("value", flat=True)) == [1, 2, 3, 4, 5]
    assert template.scale.get(value=1).label == "All needs met, child first"
    assert template.scale.get(value=5).label.startswith("Needs entirely unmet")
    assert not Descriptor.objects.exists()
    assert "descriptor" not in NEGLECT_PROFILE_FILE.read_text().split("areas:")[1].lower()


def test_install_defaults_is_idempotent(db: None) -> None:
    before = (AssessmentTemplate.objects.count(), SubArea.objects.count())
    install_defaults()
    install_defaults()
    assert (AssessmentTemplate.objects.count(), SubArea.objects.count()) == before


def test_a_valid_file_loads_and_loading_it_again_changes_nothing(db: None, tmp_path: Path) -> None:
    path = _write(tmp_path, VALID)
    assert "made 1 change" in _load(path)
    template = AssessmentTemplate.objects.get(code="home-conditions")
    assert template.grade_by == "item"
    assert [i.code for s in SubArea.objects.filter(area__template=template) for i in s.items.all()] == [
        "food-stored",
        "cooker-safe",
        "own-bed",
    ]
    assert "No changes: the database already matches" in _load(path)
    assert AssessmentTemplate.objects.filter(code="home-conditions").count() == 1


def test_a_dry_run_saves_nothing(db: None, tmp_path: Path) -> None:
    out = _load(_write(tmp_path, VALID), "--dry-run")
    assert "Dry run: nothing was saved." in out
    assert "would make 1 change" in out
    assert not AssessmentTemplate.objects.filter(code="home-conditions").exists()


def test_an_invalid_file_lists_every_problem_with_its_line_and_path(db: None, tmp_path: Path) -> None:
    text = VALID.replace("grade_by: item", "grade_by: items").replace("code: bedroom", "code: Bed Room")
    text = text.replace("{value: 3, label: Poor}", "{value: 2, label: Poor}").replace(
        "    title: Kitchen\n", "    titel: Kitchen\n"
    )
    path = _write(tmp_path, text)
    with pytest.raises(CommandError) as exc:
        _load(path)
    message = str(exc.value)
    assert message.startswith(f"{path} was not loaded: 5 problems to fix. Nothing was changed.")
    assert f"{path}:4: grade_by: grade_by is 'items'; use one of: sub_area, item." in message
    assert f"{path}:8: scale[2].value: grade 2 is listed twice (first at scale[1])." in message
    assert f"{path}:15: areas[0].sub_areas[0].titel: unknown key 'titel' in sub-area. Did you mean 'title'?" in message
    assert f"{path}:14: areas[0].sub_areas[0].title: the sub-area has no 'title'; add it." in message
    assert f"{path}:19: areas[0].sub_areas[1].code: code 'Bed Room' of the sub-area: use lower-case letters" in message
    assert not AssessmentTemplate.objects.filter(code="home-conditions").exists()


def test_a_json_file_reports_paths(db: None, tmp_path: Path) -> None:
    data = {
        "code": "json-check",
        "name": "JSON check",
        "scale": [{"value": 1, "label": "One"}],
        "areas": [{"code": "a", "title": "A", "sub_areas": [{"code": "a", "title": "Duplicate code"}]}],
    }
    path = _write(tmp_path, json.dumps(data, indent=2), "template.json")
    with pytest.raises(CommandError) as exc:
        _load(path)
    assert (
        f"{path}: areas[0].sub_areas[0].code: code 'a' is already used at areas[0]; "
        "each area, sub-area and item needs its own code."
    ) in str(exc.value)
    broken = _write(tmp_path, '{"code": "x",\n "name": }', "broken.json")
    with pytest.raises(CommandError, match=r"broken.json:2: the file is not valid JSON"):
        _load(broken)
    data["areas"][0]["sub_areas"][0]["code"] = "b"  # type: ignore[index]
    assert "made 1 change" in _load(_write(tmp_path, json.dumps(data), "fixed.json"))


def test_a_yaml_syntax_error_names_its_line(db: None, tmp_path: Path) -> None:
    path = _write(tmp_path, "code: x\nname: [unclosed\nversion: 1\n")
    with pytest.raises(CommandError, match=r"template.yaml:\d: the file is not valid YAML"):
        _load(path)


def test_loading_is_all_or_nothing_against_the_database(asm: AsmCast, tmp_path: Path) -> None:
    """A version that has assessments keeps its shape: a changed structure must be a new version,
    and the refused file changes nothing, not even the titles it also changed."""
    asm.completed()
    text = NEGLECT_PROFILE_FILE.read_text().replace("title: Physical care", "title: Physical care (renamed)")
    text = text.replace("      - {code: acceptance, title: Acceptance}\n", "")
    path = _write(tmp_path, text)
    with pytest.raises(
        CommandError, match=r"already has assessments, so its grades, areas, sub-areas and items cannot change"
    ):
        _load(path)
    assert Area.objects.get(template=asm.template, code="physical-care").title == "Physical care"
    assert SubArea.objects.filter(area__template=asm.template, code="acceptance").exists()
    # A title alone may change within a version; the changed structure loads as version 2.
    assert "made 1 change" in _load(
        _write(
            tmp_path,
            NEGLECT_PROFILE_FILE.read_text().replace("title: Safety\n", "title: Safety and supervision\n"),
            "titles.yaml",
        )
    )
    assert "made 1 change" in _load(_write(tmp_path, text.replace("version: 1", "version: 2"), "v2.yaml"))
    assert AssessmentTemplate.objects.filter(code="neglect-profile").count() == 2


DESCRIPTORS = """\
template: neglect-profile
descriptors:
  - {unit: nutrition, grade: 1, text: "Licensed wording A (test placeholder)."}
  - {unit: nutrition, grade: 5, text: "Licensed wording B (test placeholder)."}
"""


def test_descriptors_load_replace_and_report_unknown_units(db: None, tmp_path: Path) -> None:
    from io import StringIO

    path = _write(tmp_path, DESCRIPTORS, "descriptors.yaml")
    out = StringIO()
    call_command("load_assessment_descriptors", "neglect-profile", path, stdout=out)
    assert "descriptors: 2 added, 0 changed, 0 removed" in out.getvalue()
    assert Descriptor.objects.count() == 2
    out = StringIO()
    call_command("load_assessment_descriptors", "neglect-profile", path, stdout=out)
    assert "No changes" in out.getvalue()
    bad = _write(tmp_path, DESCRIPTORS + '  - {unit: nutrtion, grade: 7, text: "x"}\n', "bad.yaml")
    with pytest.raises(CommandError) as exc:
        call_command("load_assessment_descriptors", "neglect-profile", bad)
    message = str(exc.value)
    assert (
        "bad.yaml:5: descriptors[2]: unit 'nutrtion' is not a graded sub-area of neglect-profile version 1." in message
    )
    assert "bad.yaml:5: descriptors[2]: grade 7 is not on the template's scale (1, 2, 3, 4, 5)." in message
    assert Descriptor.objects.count() == 2
    with pytest.raises(CommandError, match="the file is for template 'neglect-profile', not 'other'"):
        call_command("load_assessment_descriptors", "other", path)
