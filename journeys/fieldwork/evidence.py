"""Evidence files: what is accepted, checked once at upload, and what a page may show.

An upload is checked by content, never by the name the browser sends::

    checked = inspect_evidence("photo.png", data)   # raises ValidationError naming the file
    checked.media_type, checked.thumbnail, checked.thumbnail_media_type

* Images (PNG, JPEG, GIF, WebP) are decoded in full here, once: the header's size against
  ``MAX_EVIDENCE_PIXELS``, ``Image.Image.verify()``, then a complete ``Image.Image.load()`` on a fresh open, so a
  truncated or fake image (a PNG signature followed by HTML) is refused with the file's name.
  A bounded thumbnail (``THUMBNAIL_MAX_SIDE`` on the long side, EXIF orientation applied,
  metadata dropped) is made from that decode and stored beside the original.
* PDF must start with ``%PDF-`` and end with ``%%EOF`` (within the last 1024 bytes, as PDF
  readers look for it), so a cut-off download is refused.
* Audio and video are recognised by their signature; the browser plays them, the server never
  decodes them.

Pages show the stored thumbnail and offer the original as a download: the original is never
decoded on view. Rows stored before thumbnails existed get one made lazily, once, with the
same limits (``ensure_preview``); a file that cannot be decoded is marked with the reason and
shown as "this file could not be shown" from then on.

Reading a file is reading its contact: given the reader (``actor``), ``ensure_preview`` and
``original_content`` refuse a file of a contact it may not read
(``journeys.accounts.access.ensure_can_read_contact``: a client user learns only that the contact
is not among its results, never whose it is).
"""

import io
import math
from dataclasses import dataclass

import sqlalchemy as sa
from PIL import Image, ImageOps
from sqlmodel import Session

from journeys.accounts.access import ensure_can_read_contact
from journeys.errors import Problem, ValidationError
from journeys.language import N_, _, number
from journeys.limits import MAX_EVIDENCE_MB, MEGABYTE
from journeys.models import Contact, Evidence

MAX_EVIDENCE_BYTES = MAX_EVIDENCE_MB * MEGABYTE
# 40 megapixels covers every phone camera in use (a 48 MP sensor saves 12 MP by default) and
# a full-page screenshot of a long web page; checking one costs about 220 MB once, at upload.
MAX_EVIDENCE_PIXELS = 40_000_000
# Set deliberately for the whole process: Pillow warns above this and refuses above twice
# this, so nothing else that decodes an image here (Streamlit's st.image) can be bombed either.
Image.MAX_IMAGE_PIXELS = MAX_EVIDENCE_PIXELS
THUMBNAIL_MAX_SIDE = 1280
PDF_EOF_WINDOW = 1024

# Recognised by their first bytes, not by the file name the browser sends.
EVIDENCE_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
    (b"%PDF-", 0, "application/pdf"),
    (b"ID3", 0, "audio/mpeg"),
    (b"\xff\xfb", 0, "audio/mpeg"),
    (b"\xff\xf3", 0, "audio/mpeg"),
    (b"\xff\xf2", 0, "audio/mpeg"),
    (b"OggS", 0, "audio/ogg"),
    (b"WAVE", 8, "audio/wav"),
    (b"ftypM4A", 4, "audio/mp4"),
    (b"ftyp", 4, "video/mp4"),
)
# Shown translated (``_(ALLOWED_EVIDENCE)``) where a page or a refusal names the accepted types.
ALLOWED_EVIDENCE = N_("PNG, JPEG, GIF or WebP images, PDF, MP3/M4A/OGG/WAV audio, MP4 video")
# The ISO container brands of HEIC/AVIF photos (an iPhone's default): they start like an MP4
# but no browser plays them as video and Pillow cannot read them.
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"})
_PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
_TYPE_NAMES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WebP"}


@dataclass(frozen=True)
class CheckedEvidence:
    """An accepted upload: its real media type and, for images, the thumbnail to store."""

    media_type: str
    thumbnail: bytes | None = None
    thumbnail_media_type: str | None = None


@dataclass(frozen=True)
class Preview:
    """What a page shows for one evidence file: a thumbnail, or why there is none."""

    thumbnail: bytes | None
    media_type: str | None
    problem: str | None


def sniff_media_type(data: bytes) -> str | None:
    """The media type the file's first bytes announce, if it is one we accept."""
    for signature, offset, media_type in EVIDENCE_SIGNATURES:
        if data[offset:offset + len(signature)] == signature:
            return media_type
    return None


def is_image(media_type: str) -> bool:
    return media_type in _PILLOW_FORMATS


def _problem(value: object, message: str) -> Problem:
    """A problem with an upload, named "evidence" on screen in the user's language."""
    return Problem("evidence", value, message, label=_("evidence"))


def _refuse(message: str) -> ValidationError:
    return ValidationError(_problem(None, message))


def inspect_evidence(name: str, data: bytes) -> CheckedEvidence:
    """Check an upload by its content; for an image, decode it fully and make its thumbnail.

    Raises:
        ValidationError: empty, too large, not an allowed type, an image over the pixel limit
            or that does not decode completely, a PDF without its end marker — each message
            naming the file and what to do.
    """
    if not data:
        raise ValidationError(_problem(name, _("the file is empty")))
    if len(data) > MAX_EVIDENCE_BYTES:
        raise ValidationError(_problem(name, _("is {size} MB; the limit is {limit} MB").format(
            size=number(math.ceil(len(data) * 10 / MEGABYTE) / 10, 1), limit=number(MAX_EVIDENCE_MB))))
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        raise _refuse(_("{name} is a HEIC/AVIF photo, which cannot be shown here — save or export it as JPEG "
                        "and attach again").format(name=name))
    media_type = sniff_media_type(data)
    if media_type is None:
        raise ValidationError(_problem(name, _("is not an allowed file type ({types})").format(
            types=_(ALLOWED_EVIDENCE))))
    if media_type == "application/pdf":
        if b"%%EOF" not in data[-PDF_EOF_WINDOW:]:
            raise _refuse(_("{name} is not a complete PDF (its %%EOF end marker is missing, so the file is cut "
                            "off or damaged) — save it again and attach the new file").format(name=name))
        return CheckedEvidence(media_type)
    if not is_image(media_type):
        return CheckedEvidence(media_type)
    try:
        thumbnail, thumbnail_type = make_thumbnail(data, media_type)
    except ImageProblem as problem:
        raise _refuse(f"{name} {problem}") from None
    return CheckedEvidence(media_type, thumbnail, thumbnail_type)


class ImageProblem(Exception):
    """Why stored or uploaded bytes cannot be used as an image (a phrase following the file name)."""


def make_thumbnail(data: bytes, media_type: str) -> tuple[bytes, str]:
    """Decode ``data`` completely within the pixel limit and return a bounded thumbnail.

    Returns:
        The thumbnail's bytes and media type: PNG for PNG and GIF sources (screenshots stay
        sharp), JPEG for photos.

    Raises:
        ImageProblem: over the pixel limit, or the bytes do not decode completely.
    """
    pillow_format = _PILLOW_FORMATS[media_type]
    type_name = _TYPE_NAMES[media_type]
    unreadable = _("could not be read as a {type} image: the file is damaged, cut off or not really "
                   "a {type} — export it again and attach the new file").format(type=type_name)
    try:
        width, height = _header_size(data, pillow_format)
    except Exception:  # any failure to parse untrusted bytes means "not an image"
        raise ImageProblem(unreadable) from None
    if width * height > MAX_EVIDENCE_PIXELS:
        raise ImageProblem(_("is {width} × {height} pixels; at most {limit} megapixels are accepted — resize it "
                             "and attach again").format(width=width, height=height,
                                                        limit=number(MAX_EVIDENCE_PIXELS // 1_000_000)))
    try:
        # within the limit now, so Pillow's own bomb check (MAX_IMAGE_PIXELS) cannot fire either
        with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
            image.verify()  # structure and checksums, without decoding the pixels
        # verify() leaves the image unusable: decode every pixel from a fresh open
        with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
            image.load()
            if image.size != (width, height):
                raise ValueError("size changed between header and decode")
            return _thumbnail_bytes(image, pillow_format)
    except Exception:  # Pillow raises many types (OSError, SyntaxError, ValueError...)
        raise ImageProblem(unreadable) from None


def _header_size(data: bytes, pillow_format: str) -> tuple[int, int]:
    """The width and height the image's header declares, without decoding any pixel.

    The format's own reader is used rather than ``Image.open``, which refuses anything above
    twice ``MAX_IMAGE_PIXELS`` before the size is known — and the refusal should say the size.
    """
    Image.init()
    factory, _accept = Image.OPEN[pillow_format]
    with factory(io.BytesIO(data), "") as image:
        return image.size


def _thumbnail_bytes(image: Image.Image, pillow_format: str) -> tuple[bytes, str]:
    # shrink in place first (the box is square, so turning afterwards keeps it bounded): turning
    # the full decode would copy all of it once more
    image.thumbnail((THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE))
    image = ImageOps.exif_transpose(image)  # phone photos are stored sideways with an orientation tag
    out = io.BytesIO()
    if pillow_format in ("PNG", "GIF"):
        if image.mode not in ("1", "L", "LA", "RGB", "RGBA", "P"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
        return out.getvalue(), "image/png"
    if image.mode != "RGB":
        image = image.convert("RGB")
    image.save(out, "JPEG", quality=85)
    return out.getvalue(), "image/jpeg"


_MISSING_PREVIEW = (sa.select(Evidence.content, Evidence.media_type, Evidence.thumbnail,
                              Evidence.thumbnail_media_type, Evidence.preview_problem)
                    .where(Evidence.id == sa.bindparam("evidence_id")))


def _ensure_reader(session: Session, evidence_id: int, actor) -> None:
    """Refuse ``actor`` a file of a contact it may not read (nothing to check without an actor:
    the command line, or a caller that has checked the contact itself)."""
    if actor is None:
        return
    contact = session.exec(sa.select(Contact).join(Evidence, Evidence.contact_id == Contact.id)
                           .where(Evidence.id == evidence_id)).scalars().first()
    if contact is None:
        return  # removed meanwhile: nothing to read, nothing told
    ensure_can_read_contact(actor, contact)


def ensure_preview(*, session: Session, evidence_id: int, actor=None) -> Preview | None:
    """The thumbnail of an image stored before thumbnails existed, made and stored once.

    Uses the same pixel limit and full decode as an upload; a file that fails is marked with
    the reason, so it is never decoded again and pages show "this file could not be shown".
    This is a cache of the file, not a change to the contact: it is not written to the change log.

    Returns:
        The preview, or None when the evidence no longer exists or is not an image.

    Raises:
        PermissionDenied: ``actor`` may not read the file's contact.
    """
    _ensure_reader(session, evidence_id, actor)
    row = session.exec(_MISSING_PREVIEW, params={"evidence_id": evidence_id}).first()
    if row is None or not is_image(row.media_type):
        return None
    if row.thumbnail is not None or row.preview_problem is not None:
        return Preview(row.thumbnail, row.thumbnail_media_type, row.preview_problem)
    try:
        thumbnail, thumbnail_type = make_thumbnail(row.content, row.media_type)
        values = dict(thumbnail=thumbnail, thumbnail_media_type=thumbnail_type, preview_problem=None)
    except ImageProblem as problem:
        values = dict(thumbnail=None, thumbnail_media_type=None, preview_problem=str(problem)[:500])
    session.execute(sa.update(Evidence).where(Evidence.id == evidence_id).values(**values))
    return Preview(values["thumbnail"], values["thumbnail_media_type"], values["preview_problem"])


def original_content(*, session: Session, evidence_id: int, actor=None) -> bytes:
    """The stored original (empty when the file has been removed meanwhile), for a download.

    Raises:
        PermissionDenied: ``actor`` may not read the file's contact.
    """
    _ensure_reader(session, evidence_id, actor)
    row = session.exec(sa.select(Evidence.content).where(Evidence.id == evidence_id)).first()
    return b"" if row is None else bytes(row[0])
