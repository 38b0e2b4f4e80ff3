"""Photos and signatures: phones upload and read their own; dispatchers read those of their regions."""

from __future__ import annotations

from functools import wraps
from pathlib import Path
from typing import Any

import marshmallow as ma
from flask import Response, current_app, request, send_file
from flask_smorest import Blueprint
from flask_smorest.fields import Upload

from app.models import Attachment
from app.schemas.mobile import MobileAttachmentForm, MobileAttachmentOut
from app.security import OFFICE_ROLES, current_scope, current_user, token_required
from app.services.attachments import (
    attachment_for_office,
    attachment_for_technician,
    attachment_path,
    store_attachment,
)
from app.services.errors import Invalid
from mobile_api.visits import TECHNICIAN

blp = Blueprint(
    "mobile_attachments", __name__, url_prefix="/api/mobile/v1", description="Technician phones: attachments"
)
office_blp = Blueprint(
    "attachments", __name__, url_prefix="/api/v1/attachments", description="Visit photos and signatures"
)
# Room for the multipart envelope and the `kind` field around the file itself.
ENVELOPE_BYTES = 64 * 1024


class FileIn(ma.Schema):
    file = Upload(required=True)


def _directory() -> Path:
    return Path(current_app.config["ATTACHMENTS_DIR"])


def _limit_body(view: Any) -> Any:
    """Refuse an oversized body while it is read, before any of it is parsed."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        request.max_content_length = int(current_app.config["ATTACHMENT_MAX_BYTES"]) + ENVELOPE_BYTES
        return view(*args, **kwargs)

    return wrapper


@blp.post("/visits/<int:visit_id>/attachments")
@token_required(TECHNICIAN)
@_limit_body
@blp.arguments(MobileAttachmentForm, location="form")
@blp.arguments(FileIn, location="files")
@blp.response(201, MobileAttachmentOut)
@blp.alt_response(413, description="The file is larger than ATTACHMENT_MAX_BYTES")
def upload_attachment(form: dict[str, Any], files: dict[str, Any], visit_id: int) -> Attachment:
    """Upload a JPEG, PNG or WebP photo or signature for one of the caller's visits."""
    upload = files["file"]
    if upload is None:
        raise Invalid({"file": "is required"})
    return store_attachment(
        user=current_user(),
        visit_id=visit_id,
        kind=form["kind"],
        stream=upload.stream,
        directory=_directory(),
        max_bytes=int(current_app.config["ATTACHMENT_MAX_BYTES"]),
    )


def _send(attachment: Attachment) -> Response:
    extension = attachment.content_type.rsplit("/", 1)[1].replace("jpeg", "jpg")
    response = send_file(
        attachment_path(attachment, _directory()),
        mimetype=attachment.content_type,
        download_name=f"{attachment.kind}-{attachment.id}.{extension}",
        etag=attachment.sha256,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    return response


@blp.get("/attachments/<int:attachment_id>")
@token_required(TECHNICIAN)
@blp.response(200, description="The image's bytes")
def download(attachment_id: int) -> Response:
    """One of the caller's own attachments."""
    return _send(attachment_for_technician(user=current_user(), attachment_id=attachment_id))


@office_blp.get("/<int:attachment_id>")
@token_required(*OFFICE_ROLES)
@office_blp.response(200, description="The image's bytes")
def office_download(attachment_id: int) -> Response:
    """A photo or signature of a visit in the dispatcher's regions."""
    return _send(attachment_for_office(attachment_id=attachment_id, scope=current_scope()))
