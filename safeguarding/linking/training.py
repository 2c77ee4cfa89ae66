"""Training the linkage model on the Hub's own records, stored as a new version (logged)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from safeguarding.children.models import Child
from safeguarding.core import kernel
from safeguarding.core.services import record_activity
from safeguarding.linking import engine
from safeguarding.linking.models import LinkageModel

if TYPE_CHECKING:
    from safeguarding.core.types import Person

MAX_TRAINING_RECORDS = 200_000


def training_records(limit: int = MAX_TRAINING_RECORDS) -> list[engine.PersonRecord]:
    rows = Child.objects.order_by("-pk").values_list(
        "pk", "first_name", "last_name", "date_of_birth", "nhs_number", "sex"
    )[:limit]
    return [
        engine.PersonRecord(
            key=f"c:{pk}", first_name=first, last_name=last, date_of_birth=dob, nhs_number=nhs or "", sex=sex or ""
        )
        for pk, first, last, dob, nhs, sex in rows
    ]


def train_model(*, actor: Person | None, dry_run: bool = False) -> LinkageModel | None:
    records = training_records()
    parameters = engine.train(records)
    if dry_run:
        return None
    return store_model(actor=actor, parameters=parameters, records=len(records))


@kernel.service
def store_model(*, actor: Person | None, parameters: Any, records: int) -> LinkageModel:
    """A trained model as the next version (the latest row locked, so two trainings number apart)."""
    latest = LinkageModel.objects.select_for_update().order_by("-version").first()
    model = LinkageModel.objects.create(
        version=(latest.version + 1) if latest else 1,
        parameters=parameters,
        trained_by=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        records=records,
    )
    record_activity(
        actor=actor,
        action="linkage_model.trained",
        target=model,
        changes={"version": [None, model.version], "records": [None, model.records]},
    )
    return model
