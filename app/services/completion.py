"""What a technician must show before a visit counts as done: the checklist, and proof the customer saw it."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select

from app.extensions import db
from app.models import Attachment, Visit, VisitProgress
from app.services.errors import Invalid
from dispatch.checklists import unanswered


def check_completion(
    visit: Visit, progress: VisitProgress, checklist: dict[str, bool] | None, confirmation_code: str | None
) -> None:
    """Done means the checklist answered and proof of it: a photo and a signature, or the customer's code."""
    errors: dict[str, str] = {}
    answers = checklist if checklist is not None else progress.checklist
    problems = unanswered(visit.order.kind, answers)
    if problems:
        errors["checklist"] = "; ".join(f"{code}: {text}" for code, text in problems.items())
    if confirmation_code:
        if not secrets.compare_digest(confirmation_code.strip(), progress.confirmation_code):
            errors["confirmation_code"] = "does not match the code the customer was given"
    else:
        counts = dict(
            db.session.execute(
                select(Attachment.kind, func.count())
                .where(Attachment.visit_id == visit.id)
                .group_by(Attachment.kind)
            ).all()
        )
        missing = [kind for kind in ("photo", "signature") if not counts.get(kind)]
        if missing:
            errors["attachments"] = (
                f"needs at least one photo and the customer's signature (missing: {', '.join(missing)}), "
                "or the customer's confirmation code"
            )
    if errors:
        raise Invalid(errors)
