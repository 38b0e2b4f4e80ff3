"""Photos and signatures: checked by their bytes, stored once with their hash, read only by those entitled."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attachment
from tests.factories import token
from tests.integration.mobile_day import (
    JPEG_BYTES,
    WEBP_BYTES,
    Crew,
    make_crew,
    png_bytes,
    published_visit,
    upload,
)


@pytest.fixture
def folder(app: Flask, tmp_path: Path) -> Path:
    folder = tmp_path / "attachments"
    app.config["ATTACHMENTS_DIR"] = str(folder)
    return folder


@pytest.fixture
def crew(client: FlaskClient, folder: Path) -> Crew:
    return make_crew(client)


def stored_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.mark.parametrize(
    ("data", "content_type", "filename"),
    [
        (png_bytes(), "image/png", "a.png"),
        (JPEG_BYTES, "image/jpeg", "b.jpg"),
        (WEBP_BYTES, "image/webp", "c.webp"),
        (png_bytes(), "image/png", "named-wrong.jpg"),  # the bytes decide, not the name
    ],
)
def test_images_are_stored_and_served_back(
    app: Flask, client: FlaskClient, crew: Crew, folder: Path, data: bytes, content_type: str, filename: str
) -> None:
    """An image is kept with its hash and its type by magic bytes; owner and dispatcher read it back."""
    visit = published_visit(app, crew.network.technician, day=crew.day)
    response = upload(client, crew.tech, visit.id, data=data, filename=filename, content_type="text/plain")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["content_type"] == content_type and body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["size_bytes"] == len(data) and body["kind"] == "photo"
    assert len(stored_files(folder)) == 1
    for path, headers in [
        (f"/api/mobile/v1/attachments/{body['id']}", crew.tech),
        (f"/api/v1/attachments/{body['id']}", crew.office),
    ]:
        served = client.get(path, headers=headers)
        assert served.status_code == 200 and served.data == data and served.mimetype == content_type
        served.close()


@pytest.mark.parametrize(
    ("form", "status", "field"),
    [
        (
            {"data": b"hello, this is text", "filename": "photo.jpg", "content_type": "image/jpeg"},
            422,
            "file",
        ),
        ({"data": b"GIF89a" + b"\x00" * 20, "filename": "x.gif", "content_type": "image/gif"}, 422, "file"),
        # Starts like a JPEG, goes on as a web page.
        (
            {"data": b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>", "filename": "a.jpg"},
            422,
            "file",
        ),
        ({"data": JPEG_BYTES[: len(JPEG_BYTES) // 2], "filename": "cut.jpg"}, 422, "file"),  # truncated
        ({"data": b"", "filename": "empty.png"}, 422, "file"),
        ({"kind": "selfie"}, 422, "kind"),
        ({"data": b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000}, 413, None),
    ],
)
def test_bad_uploads_leave_nothing(
    app: Flask, client: FlaskClient, crew: Crew, folder: Path, form: dict, status: int, field: str | None
) -> None:
    """Text named .jpg, other formats, empty files, unknown kinds, oversized files: 4xx, no row, no file."""
    app.config["ATTACHMENT_MAX_BYTES"] = 1000
    visit = published_visit(app, crew.network.technician, day=crew.day)
    response = upload(client, crew.tech, visit.id, **form)
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    if field:
        assert field in response.get_json()["errors"]
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert stored_files(folder) == []


def test_an_image_of_more_pixels_than_a_camera_takes_is_refused(
    app: Flask, client: FlaskClient, crew: Crew, folder: Path
) -> None:
    """A small file that decodes to 64 megapixels (a decompression bomb) is 422 before it is decoded."""
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, format="PNG")
    visit = published_visit(app, crew.network.technician, day=crew.day)
    response = upload(client, crew.tech, visit.id, data=out.getvalue(), filename="bomb.png")
    assert response.status_code == 422 and "file" in response.get_json()["errors"]
    assert stored_files(folder) == []


def test_a_body_far_over_the_limit_is_refused_while_read(
    app: Flask, client: FlaskClient, crew: Crew, folder: Path
) -> None:
    """A request body bigger than the limit plus the form's envelope is 413 before it is parsed."""
    app.config["ATTACHMENT_MAX_BYTES"] = 1000
    visit = published_visit(app, crew.network.technician, day=crew.day)
    response = upload(client, crew.tech, visit.id, data=b"\x89PNG\r\n\x1a\n" + b"\x00" * 200_000)
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    assert stored_files(folder) == []


def test_others_cannot_read_an_attachment(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """Another technician, and a dispatcher of another region, get 404 for an attachment."""
    visit = published_visit(app, crew.network.technician, day=crew.day)
    attachment_id = upload(client, crew.tech, visit.id).get_json()["id"]
    assert (
        client.get(f"/api/mobile/v1/attachments/{attachment_id}", headers=crew.other_tech).status_code == 404
    )
    east = token(client, "east")
    assert client.get(f"/api/v1/attachments/{attachment_id}", headers=east).status_code == 404
    assert client.get("/api/mobile/v1/attachments/999999", headers=crew.tech).status_code == 404
