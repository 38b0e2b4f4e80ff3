"""Photos and signatures from phones: checked by their bytes, hashed, stored as files beside the database."""

from __future__ import annotations

import hashlib
import io
import os
import uuid
import warnings
from pathlib import Path
from typing import IO

from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.models import Attachment, Order, User, Visit
from app.services.errors import Invalid, NotFound, ServiceError
from app.services.mobile import own_visit, technician_id

KINDS = ("photo", "signature")


class ContentTooLarge(ServiceError):
    status = 413
    title = "Content Too Large"


IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
MAX_IMAGE_PIXELS = 50_000_000  # a phone camera makes 12-50 megapixels; more is a decompression bomb


def decode_image(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a JPEG, PNG or WebP that decodes to its last pixel; else None.

    Neither the file's name nor its first bytes are trusted: a file that starts like a JPEG and goes on
    as HTML is refused, and so is one whose header promises more pixels than a camera takes.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS)) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    return None
                image.load()
                return IMAGE_FORMATS[image.format or ""]
    except (
        OSError,
        ValueError,
        SyntaxError,
        KeyError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        return None


def store_attachment(
    *, user: User, visit_id: int, kind: str, stream: IO[bytes], directory: Path, max_bytes: int
) -> Attachment:
    """Keep an image for one of the caller's visits; a refused upload leaves neither a row nor a file."""
    visit = own_visit(user, visit_id)
    if kind not in KINDS:
        raise Invalid({"kind": f"must be one of: {', '.join(KINDS)}"})
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ContentTooLarge(f"an attachment may be at most {max_bytes} bytes")
    if not data:
        raise Invalid({"file": "is empty"})
    sniffed = decode_image(data)
    if sniffed is None:
        raise Invalid({"file": "must be a whole JPEG, PNG or WebP image"})
    content_type, extension = sniffed
    name = f"{visit.id}/{uuid.uuid4().hex}.{extension}"
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
        attachment = Attachment(
            visit_id=visit.id,
            kind=kind,
            content_type=content_type,
            size_bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            storage_name=name,
            uploaded_by_id=user.id,
        )
        db.session.add(attachment)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        partial.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        raise
    return attachment


def attachment_for_technician(*, user: User, attachment_id: int) -> Attachment:
    """An attachment of one of the caller's own visits; any other is 404."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.visit.technician_id != technician_id(user):
        raise NotFound(f"attachment {attachment_id} not found")
    return attachment


def attachment_for_office(*, attachment_id: int, scope: set[int] | None) -> Attachment:
    """An attachment of an order in the dispatcher's regions; others are 404."""
    attachment = db.session.scalar(
        select(Attachment)
        .join(Visit, Attachment.visit_id == Visit.id)
        .join(Order, Visit.order_id == Order.id)
        .where(Attachment.id == attachment_id)
        .where(Order.region_id.in_(scope) if scope is not None else True)
    )
    if attachment is None:
        raise NotFound(f"attachment {attachment_id} not found")
    return attachment


def attachment_path(attachment: Attachment, directory: Path) -> Path:
    """Where the attachment's bytes are; a missing file is reported as a missing attachment."""
    path = directory / attachment.storage_name
    if not path.is_file():
        raise NotFound(f"attachment {attachment.id} has no stored file")
    return path
