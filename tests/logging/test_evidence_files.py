"""Evidence files: decoded and verified once at upload (pixel limit, full decode), shown from a
stored thumbnail, never decoded on view; a bad stored file says so without breaking the page;
only admins remove files, and the change log keeps who removed which file when."""

import io
import struct
import zlib
from datetime import UTC, datetime, timedelta
from functools import cache

import pytest
from PIL import Image
from sqlmodel import select
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from data import db
from data.db import session_scope
from journeys.accounts.users import create_user
from journeys.errors import PermissionDenied, ValidationError
from journeys.fieldwork.contacts import ContactStart, add_evidence, remove_evidence, start_contact
from journeys.fieldwork.evidence import (
    MAX_EVIDENCE_BYTES,
    MAX_EVIDENCE_PIXELS,
    THUMBNAIL_MAX_SIDE,
    ensure_preview,
    inspect_evidence,
)
from journeys.limits import MAX_EVIDENCE_MB
from journeys.models import ChangeLog, Evidence
from tests.apptest import open_page
from tests.factories import make_world
from tests.shown import shown


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@cache
def blank_png(width: int, height: int) -> bytes:
    """A valid black 1-bit PNG of any size, compressed row by row (20000 × 20000 px is ~50 KB)."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte "none", then the packed pixels
    block = row * 256
    parts = [compressor.compress(block) for _ in range(height // 256)]
    parts += [compressor.compress(row * (height % 256)), compressor.flush()]
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b""))


def photo(width=2400, height=1600, fmt="PNG") -> bytes:
    """A real image with varied pixels, made with Pillow."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


PNG_THEN_HTML = b"\x89PNG\r\n\x1a\n<html><body><script>alert(1)</script></body></html>"


@pytest.fixture
def world(engine):
    """A world with an e-mail contact by auditor1, plus a manager and an admin."""
    with session_scope(engine) as session:
        w = make_world(session)
        w["manager"] = create_user(session=session, username="boss", role="manager", password="manager-pass")
        w["admin"] = create_user(session=session, username="root", role="admin", password="admin-pass-1")
        w["contact_id"] = start_contact(session=session, actor=w["auditor"], start=ContactStart(
            journey_id=w["journey"].id, brand_id=w["brand"].id, channel_id=w["channels"]["email"].id,
            started_at=datetime.now(UTC) - timedelta(hours=2))).id
        return w


def _attach(engine, world, name, data, actor=None):
    with session_scope(engine) as session:
        return add_evidence(session=session, actor=actor or world["auditor"], contact_id=world["contact_id"],
                            file_name=name, data=data)


def _evidence(engine) -> list[Evidence]:
    with session_scope(engine) as session:
        return session.exec(select(Evidence).order_by(Evidence.id)).all()


def _store_old_row(engine, world, name, data, media_type="image/png") -> int:
    """An evidence row as databases migrated from before thumbnails hold it: no thumbnail."""
    import hashlib

    with session_scope(engine) as session:
        row = Evidence(contact_id=world["contact_id"], file_name=name, media_type=media_type, size_bytes=len(data),
                       sha256=hashlib.sha256(data).hexdigest(), content=data, uploaded_by_id=world["auditor"].id)
        session.add(row)
        session.flush()
        return row.id


# --- checked at upload ----------------------------------------------------------------------

def test_decompression_bomb_is_refused_at_upload_with_its_size(engine, world):
    """A 20000 × 20000 PNG (~50 KB, 400 megapixels) is refused naming the file, its size and the limit."""
    bomb = blank_png(20000, 20000)
    assert len(bomb) < 500_000
    with pytest.raises(ValidationError) as refusal:
        _attach(engine, world, "photo.png", bomb)
    assert ("photo.png is 20000 × 20000 pixels; at most 40 megapixels are accepted — resize it and attach again"
            in str(refusal.value))
    assert _evidence(engine) == []


def test_a_12500_pixel_square_is_over_the_limit(engine, world):
    """12500 × 12500 px (156 megapixels, +600 MB when decoded) is over the 40-megapixel limit: refused."""
    assert 12500 * 12500 > MAX_EVIDENCE_PIXELS
    with pytest.raises(ValidationError, match="big.png is 12500 × 12500 pixels; at most 40 megapixels"):
        _attach(engine, world, "big.png", blank_png(12500, 12500))
    assert _evidence(engine) == []


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("fake.png", PNG_THEN_HTML, "fake.png could not be read as a PNG image"),
        ("cut.png", photo(300, 200)[:-200], "cut.png could not be read as a PNG image"),
        ("cut.jpg", photo(300, 200, "JPEG")[:600], "cut.jpg could not be read as a JPEG image"),
        ("garbage.gif", b"GIF89a" + b"\x00" * 200, "garbage.gif could not be read as a GIF image"),
        ("cut.pdf", b"%PDF-1.7\n1 0 obj << >> endobj\n", "cut.pdf is not a complete PDF"),
        ("IMG_0001.mp4", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40, "IMG_0001.mp4 is a HEIC/AVIF photo"),
    ],
)
def test_damaged_or_fake_files_are_refused_naming_the_file(engine, world, name, data, message):
    """A PNG signature followed by HTML, truncated images, a cut-off PDF and a HEIC photo are refused."""
    with pytest.raises(ValidationError, match=message):
        _attach(engine, world, name, data)
    assert _evidence(engine) == []


def test_an_image_gets_a_bounded_thumbnail_and_keeps_its_original(engine, world):
    """A 2400 × 1600 photo is stored unchanged with a thumbnail of at most 1280 px on the long side."""
    original = photo(2400, 1600, "JPEG")
    _attach(engine, world, "shop.jpg", original)
    (row,) = _evidence(engine)
    assert row.content == original and row.media_type == "image/jpeg"
    assert row.thumbnail_media_type == "image/jpeg" and row.preview_problem is None
    with Image.open(io.BytesIO(row.thumbnail)) as thumbnail:
        assert thumbnail.size == (THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE * 1600 // 2400)


def test_pdf_and_audio_are_accepted_without_a_thumbnail(engine, world):
    """A complete PDF and an MP3 are accepted by their content; neither gets a thumbnail."""
    _attach(engine, world, "reply.pdf", b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
    _attach(engine, world, "call.mp3", b"ID3\x04\x00" + b"\x00" * 100)
    assert [(e.media_type, e.thumbnail) for e in _evidence(engine)] == [("application/pdf", None), ("audio/mpeg", None)]


def test_a_sideways_phone_photo_gets_an_upright_thumbnail():
    """A JPEG stored sideways with EXIF orientation 6 (turn 90°) gets a thumbnail turned upright."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was held upright, the pixels are stored turned
    out = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(out, "JPEG", exif=exif)
    with Image.open(io.BytesIO(inspect_evidence("phone.jpg", out.getvalue()).thumbnail)) as thumbnail:
        assert thumbnail.size == (200, 300)


def test_the_pixel_limit_is_set_for_the_whole_process():
    """Pillow's own bomb limit is the evidence limit, so no other decode in the app can be bombed."""
    assert Image.MAX_IMAGE_PIXELS == MAX_EVIDENCE_PIXELS
    assert inspect_evidence("small.png", photo(40, 30)).thumbnail is not None


# --- rows stored before thumbnails -------------------------------------------------------

def test_an_old_row_gets_its_thumbnail_once(engine, world, monkeypatch):
    """A stored image without a thumbnail is decoded once (within the limit), then never again."""
    evidence_id = _store_old_row(engine, world, "old.png", photo(1600, 900))
    with session_scope(engine) as session:
        preview = ensure_preview(session=session, evidence_id=evidence_id)
    assert preview.thumbnail is not None and preview.problem is None

    def no_decoding(*args, **kwargs):
        raise AssertionError("the original was decoded again")

    monkeypatch.setattr("journeys.fieldwork.evidence.make_thumbnail", no_decoding)
    with session_scope(engine) as session:
        assert ensure_preview(session=session, evidence_id=evidence_id).thumbnail == preview.thumbnail


def test_an_old_bad_row_is_marked_once(engine, world):
    """A stored bomb or fake image gets a reason instead of a thumbnail, stored for later views."""
    bomb_id = _store_old_row(engine, world, "bomb.png", blank_png(20000, 20000))
    fake_id = _store_old_row(engine, world, "fake.png", PNG_THEN_HTML)
    with session_scope(engine) as session:
        assert "20000 × 20000 pixels" in ensure_preview(session=session, evidence_id=bomb_id).problem
        assert "could not be read as a PNG image" in ensure_preview(session=session, evidence_id=fake_id).problem
    assert [(e.thumbnail, bool(e.preview_problem)) for e in _evidence(engine)] == [(None, True), (None, True)]


# --- removal ---------------------------------------------------------------------------------

def test_an_admin_removes_a_file_and_the_change_log_says_who_and_which(engine, world):
    """The admin's removal deletes the file; the contact's log keeps the admin, the time and the file name."""
    evidence = _attach(engine, world, "wrong.png", photo(50, 50))
    before = datetime.now(UTC)
    with session_scope(engine) as session:
        assert remove_evidence(session=session, actor=world["admin"], evidence_id=evidence.id) == "wrong.png"
    assert _evidence(engine) == []
    with session_scope(engine) as session:
        entry = session.exec(select(ChangeLog).where(ChangeLog.action == "delete")).one()
    assert (entry.entity, entry.entity_id, entry.field) == ("contact", world["contact_id"], "evidence")
    assert entry.user_id == world["admin"].id and entry.changed_at >= before - timedelta(seconds=1)
    assert entry.old_value.startswith("wrong.png (image/png, sha256 ") and entry.new_value is None


@pytest.mark.parametrize("who", ["auditor", "manager"])
def test_auditors_and_managers_cannot_remove_files(engine, world, who):
    """Not even the contact's own auditor may remove evidence; the file and the log stay as they were."""
    evidence = _attach(engine, world, "shot.png", photo(50, 50))
    with pytest.raises(PermissionDenied, match="may not remove evidence files"):
        with session_scope(engine) as session:
            remove_evidence(session=session, actor=world[who], evidence_id=evidence.id)
    assert len(_evidence(engine)) == 1


# --- retention and backups -------------------------------------------------------------------

def test_retention_and_portable_backup_keep_working_with_thumbnails(engine, world, tmp_path):
    """A portable backup restores thumbnails and marks byte for byte; retention still deletes the rows."""
    from cli.backup import portable_backup, portable_restore
    from journeys.fieldwork.retention import purge_evidence

    _attach(engine, world, "shop.png", photo(1400, 700))
    bad_id = _store_old_row(engine, world, "fake.png", PNG_THEN_HTML)
    with session_scope(engine) as session:
        ensure_preview(session=session, evidence_id=bad_id)
    snapshot = tmp_path / "backup.json.gz"
    portable_backup(engine, snapshot)
    target_url = f"sqlite:///{tmp_path / 'restored.db'}"
    db.upgrade(target_url)
    target = db.get_engine(target_url)
    portable_restore(target, snapshot)
    pick = lambda rows: [(e.file_name, e.content, e.thumbnail, e.thumbnail_media_type, e.preview_problem)  # noqa: E731
                         for e in rows]
    assert pick(_evidence(target)) == pick(_evidence(engine))
    with session_scope(engine) as session:
        report = purge_evidence(session=session, months=1, dry_run=False, now=datetime.now(UTC) + timedelta(days=62))
    assert report.files == 2 and _evidence(engine) == []


# --- the contact page ------------------------------------------------------------------------

def _page(world, who: str) -> AppTest:
    return open_page("contact_log", world[who], log_contact_id=world["contact_id"],
                     log_show_saved=True)  # the saved contact, shown on request


@pytest.fixture
def page_world(app_env):
    engine = db.get_engine(app_env)
    with session_scope(engine) as session:
        w = make_world(session)
        w["admin"] = create_user(session=session, username="root", role="admin", password="admin-pass-1")
        w["contact_id"] = start_contact(session=session, actor=w["auditor"], start=ContactStart(
            journey_id=w["journey"].id, brand_id=w["brand"].id, channel_id=w["channels"]["email"].id,
            started_at=datetime.now(UTC) - timedelta(hours=2))).id
    return engine, w


def test_page_refuses_the_bomb_at_upload(page_world):
    """Uploading the 20000 × 20000 PNG on the contact page shows the size and the limit; nothing is attached."""
    engine, world = page_world
    at = _page(world, "auditor")
    at.file_uploader[0].upload("photo.png", blank_png(20000, 20000), "image/png")
    at.run()
    at.button(key="evidence_attach").click().run()
    assert not at.exception
    assert any("photo.png is 20000 × 20000 pixels; at most 40 megapixels are accepted" in shown(e.value) for e in at.error)
    assert _evidence(engine) == []


def test_old_bad_files_show_could_not_be_shown_and_the_history_still_renders(page_world):
    """A stored bomb and a PNG-header-plus-HTML file each say "could not be shown"; the page and its
    change history render for everyone, on every view."""
    engine, world = page_world
    _store_old_row(engine, world, "bomb.png", blank_png(20000, 20000))
    _store_old_row(engine, world, "fake.png", PNG_THEN_HTML)
    for _ in range(2):  # the first view marks them, the second reads the mark
        at = _page(world, "auditor")
        warnings = [w.value for w in at.warning if "This file could not be shown" in w.value]
        assert len(warnings) == 2 and "bomb" in warnings[0] and "fake" in warnings[1]
        assert "**Change history**" in [m.value for m in at.markdown]
        assert at.dataframe  # the history table is there


def test_the_page_never_decodes_the_original(page_world, monkeypatch):
    """With a thumbnail stored at upload, rendering the page opens no image made from the original's bytes."""
    engine, world = page_world
    original = photo(2400, 1600)
    _attach(engine, world, "shop.png", original)
    opened = []
    real_open = Image.open

    def recording_open(fp, *args, **kwargs):
        opened.append(fp.getvalue() if isinstance(fp, io.BytesIO) else fp)
        return real_open(fp, *args, **kwargs)

    monkeypatch.setattr(Image, "open", recording_open)
    at = _page(world, "auditor")
    assert at.image and "shop" in at.image[0].captions[0], "the thumbnail is shown"
    assert opened, "Streamlit's own decode of the thumbnail is seen, so the check is live"
    assert original not in opened
    (download,) = at.get("download_button")
    assert "Download the original shop" in download.label and f"({len(original):,} bytes)" in download.label


def test_only_an_admin_sees_the_remove_button_and_it_is_logged(page_world):
    """The auditor gets no remove button; the admin removes the file and the history names the admin."""
    engine, world = page_world
    _attach(engine, world, "wrong.png", photo(60, 40))
    auditor = _page(world, "auditor")
    assert not [b for b in auditor.button if (b.key or "").startswith("evidence_remove_")]
    admin = _page(world, "admin")
    next(b for b in admin.button if (b.key or "").startswith("evidence_remove_")).click().run()
    assert not admin.exception
    assert _evidence(engine) == []
    assert any("Removed wrong" in s.value for s in admin.success)
    history = admin.dataframe[-1].value
    removal = history[history["Change"] == "Removed"].iloc[0]
    assert removal["By"] == "root" and removal["Field"] == "Evidence" and removal["Before"].startswith("wrong.png")


def test_the_uploader_limit_is_the_stated_limit_whatever_the_server_setting(page_world):
    """The evidence uploader refuses files above the limit its label states (journeys.limits.MAX_EVIDENCE_MB)
    even on a server started with another server.maxUploadSize (or without .streamlit/config.toml:
    Streamlit's own default), where it said "at most 10 MB" beside "25MB per file" (issue 15, item 14)."""
    _, world = page_world
    before = st_config.get_option("server.maxUploadSize")
    st_config.set_option("server.maxUploadSize", 25)
    try:
        at = _page(world, "auditor")
    finally:
        st_config.set_option("server.maxUploadSize", before)
    [uploader] = at.get("file_uploader")
    assert uploader.proto.max_upload_size_mb == MAX_EVIDENCE_MB == MAX_EVIDENCE_BYTES // (1024 * 1024)
    assert f"at most {MAX_EVIDENCE_MB} MB" in uploader.proto.label


def test_a_file_just_over_the_limit_never_reads_as_the_limit():
    """One byte over reads "10.1 MB; the limit is 10 MB", never "10.0 MB; the limit is 10 MB"."""
    from journeys.errors import ValidationError
    from journeys.fieldwork.evidence import inspect_evidence

    with pytest.raises(ValidationError) as refused:
        inspect_evidence("big.png", b"\x89PNG" + b"\0" * MAX_EVIDENCE_BYTES)
    assert f"is {MAX_EVIDENCE_MB}.1 MB; the limit is {MAX_EVIDENCE_MB} MB" in str(refused.value)
