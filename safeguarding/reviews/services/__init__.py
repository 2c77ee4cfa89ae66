"""State changes of case reviews: one `verb_noun(*, actor, …)` service per action, each a
`kernel.service` (one transaction, the activity log written), checking the rule (`permissions.py`),
writing (stage changes through `workflow.apply_transition`, which writes the history row) and logging.
Pages, the API, commands and demo data call these; this module names them all.

By part of the review's life:
- `notification`: the notification, the rapid review and the partners' decision;
- `decisions`: the notification's copies and the partners informed, a national review (referral, the
  national panel's response, closing it) and reopening a closed case;
- `submissions`: requests to agencies, reminders and the agencies' answers;
- `practice`: the practice review from terms of reference to publication and closure;
- `stages`: `move_review`, the one entry point for a stage change;
- `findings`: findings, recommendations and a recommendation's status;
- `publication`: deferring publication, publishing the learning only, the file to be published and its
  identifier scan, the NSPCC copy, closing another learning review unpublished.

`at` lets demo data date a change in the past; pages and the API never pass it.
"""

from __future__ import annotations

from safeguarding.reviews.permissions import WRITING_STAGES
from safeguarding.reviews.services.common import MAX_DOCUMENT_BYTES, ChildInput, Upload, store_document
from safeguarding.reviews.services.decisions import (
    RESPONSE_ACTIONS,
    close_national_review,
    record_notification_copies,
    record_panel_response,
    record_partners_informed,
    refer_national_review,
    reopen_review,
)
from safeguarding.reviews.services.findings import (
    add_finding,
    add_recommendation,
    follow_actions,
    set_recommendation_status,
)
from safeguarding.reviews.services.notification import (
    close_at_decision,
    decide_practice_review,
    notify_serious_incident,
    open_legacy_review,
    record_notification_sent,
    record_panel_meeting,
    send_rapid_review,
    sign_off_rapid_review,
)
from safeguarding.reviews.services.practice import (
    add_family_contact,
    add_member,
    add_practitioner_event,
    close_review,
    finalise_report,
    move_to_draft,
    publish_review,
    record_sent_dates,
    share_with_family,
    update_terms_of_reference,
    upload_report_draft,
)
from safeguarding.reviews.services.publication import (
    close_without_publication,
    defer_publication,
    mark_identifier_intended,
    publish_learning_only,
    record_nspcc_copy,
    resume_publication,
    upload_publication_report,
)
from safeguarding.reviews.services.stages import TRANSITION_NEEDS, move_review
from safeguarding.reviews.services.submissions import (
    REQUEST_STAGES,
    remind_agency,
    request_from_agency,
    send_request_reminders,
    submit_to_request,
)

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "REQUEST_STAGES",
    "RESPONSE_ACTIONS",
    "TRANSITION_NEEDS",
    "WRITING_STAGES",
    "ChildInput",
    "Upload",
    "add_family_contact",
    "add_finding",
    "add_member",
    "add_practitioner_event",
    "add_recommendation",
    "close_at_decision",
    "close_national_review",
    "close_review",
    "close_without_publication",
    "decide_practice_review",
    "defer_publication",
    "finalise_report",
    "follow_actions",
    "mark_identifier_intended",
    "move_review",
    "move_to_draft",
    "notify_serious_incident",
    "open_legacy_review",
    "publish_learning_only",
    "publish_review",
    "record_notification_copies",
    "record_notification_sent",
    "record_nspcc_copy",
    "record_panel_meeting",
    "record_panel_response",
    "record_partners_informed",
    "record_sent_dates",
    "refer_national_review",
    "remind_agency",
    "reopen_review",
    "request_from_agency",
    "resume_publication",
    "send_rapid_review",
    "send_request_reminders",
    "set_recommendation_status",
    "share_with_family",
    "sign_off_rapid_review",
    "store_document",
    "submit_to_request",
    "update_terms_of_reference",
    "upload_publication_report",
    "upload_report_draft",
]
