"""A world in which every user-editable text is a Markdown payload (issue 13, item 6).

Each payload carries a link and an image to the host ``evil``, GitHub autolink literals
(``www.evil.com``, ``…@evil.org``) and Streamlit directives (``:material/home:``, ``:red[…]``),
as short as the column allows. ``poisoned_world`` builds it on an empty, migrated database for
the AppTest test (tests/auth/test_markdown_injection.py) and the browser test
(tests/e2e/test_injection.py); ``markdown_leaks`` is the AppTest side's model of how Streamlit
renders a Markdown string.
"""

import hashlib
import io
import re
from datetime import timedelta

from markdown_it import MarkdownIt
from sqlmodel import select

from data import db
from journeys.accounts.users import create_user, link_sso_email
from journeys.catalogue.reference import get_or_create_wave
from journeys.models import Answer, ChangeLog, Criterion, Evidence, Location, User, utcnow
from tests.factories import T0, make_contact, make_world

EVIL = "evil"


def poison(tag: str) -> str:
    """A payload of at most 120 characters naming the field it sits in (``tag``, a few letters)."""
    return (f"[{tag} expired](http://evil/{tag}) ![x](http://evil/{tag}.png) www.evil.com "
            f"{tag}@evil.org :material/home: :red[{tag}]")


def short_poison(tag: str) -> str:
    """A payload of 40 characters (``tag`` one letter) for short columns: an image and a link.

    It starts with ``!`` so that it sorts before ordinary names (a wave named so is the
    "previous wave" of 2026-Q1 on the dashboard)."""
    return f"![](http://evil/{tag}.png)[{tag}](http://evil/{tag})"


BRAND = poison("brand")
LOCATION = poison("loc")
JOURNEY = poison("jname")
SCENARIO = poison("scen")
QUESTION = poison("quest")
REFERENCE = poison("ref")
SECTION = poison("sect")[:80]
CRITERION = poison("crit")
CODE = "![](http://evil/k.png)"  # 22 of the 30 characters a code may have
WAVE = short_poison("w")
CHANNEL_NAME = short_poison("c")
CHANNEL_LABEL = poison("chl")[:60]
DISPLAY_NAME = poison("disp")
USERNAME = "[u](http://evil/u) ![x](http://evil/u.png) u@evil.org"
NOTES = poison("notes")
ANSWER_TEXT = poison("answ")
COMMENT = poison("comm")
FILE_NAME = poison("file") + ".png"
PASSWORDS = {"auditor1": "auditor1-pass", "manager": "manager-pass", "admin": "admin-pass1"}


def png(shade: int = 0) -> bytes:
    """A valid 8×8 PNG (a different ``shade``, a different file)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (shade, 40, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def poisoned_world(engine) -> dict:
    """Brand, location, journey (texts, criterion, section), waves, channels, users and contacts
    (notes, answer received, comments, evidence, change log) all named by payloads.

    Returns ids: ``auditor``, ``manager``, ``admin`` (users), ``contact`` (auditor1's contact
    with evidence), ``contacts`` (all).
    """
    with db.session_scope(engine) as session:
        world = make_world(session)
        manager = create_user(session=session, username="manager", role="manager", password=PASSWORDS["manager"])
        admin = create_user(session=session, username="admin", role="admin", password=PASSWORDS["admin"])
        other = create_user(session=session, username="auditor2", role="auditor", password="auditor2-pass",
                            display_name=DISPLAY_NAME)
        link_sso_email(session=session, actor=admin, user_id=other.id, email="sso@evil.org")
        world["auditor"].display_name = DISPLAY_NAME
        world["brand"].name = BRAND
        location = Location(brand_id=world["brand"].id, name=LOCATION)
        session.add(location)
        journey = world["journey"]
        journey.name, journey.scenario, journey.question, journey.reference_answer = (
            JOURNEY, SCENARIO, QUESTION, REFERENCE)
        criteria = session.exec(select(Criterion).where(Criterion.version_id == world["version"].id)
                                .order_by(Criterion.position)).all()
        criteria[0].code, criteria[0].text, criteria[0].section = CODE, CRITERION, SECTION
        world["channels"]["email"].label = CHANNEL_LABEL
        world["channels"]["twitter"].name = CHANNEL_NAME
        old_wave = get_or_create_wave(session=session, name=WAVE)
        session.flush()

        contacts = []
        for i, (channel, wave, answered) in enumerate([
            ("email", world["wave"], True), ("email", world["wave"], True), ("phone", world["wave"], True),
            ("twitter", world["wave"], True), ("email", old_wave, True), ("twitter", old_wave, True),
            ("email", world["wave"], False),
        ]):
            contact = make_contact(
                world, channel=channel, wave_id=wave.id, location_id=location.id, notes=NOTES,
                answer_text=ANSWER_TEXT, answer_correct=True, redirected_to_channel_id=world["channels"]["twitter"].id,
                started_at=(T0 if answered else utcnow()) - timedelta(hours=3 + i),
                first_response_at=(T0 - timedelta(hours=1 + i)) if answered else None,
            )
            session.add(contact)
            session.flush()
            if answered:
                session.add_all([Answer(contact_id=contact.id, criterion_id=c.id, value=1.0, comment=COMMENT)
                                 for c in criteria])
            contacts.append(contact)
        first = contacts[0]
        content = png()
        session.add(Evidence(contact_id=first.id, file_name=FILE_NAME, media_type="image/png",
                             size_bytes=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content,
                             uploaded_by_id=world["auditor"].id))
        session.add(ChangeLog(entity="contact", entity_id=first.id, action="update", field="notes",
                              old_value=NOTES, new_value=NOTES, user_id=world["auditor"].id))
        session.flush()
        # usernames are validated on creation; an older or imported account may still hold anything
        session.get(User, other.id).username = USERNAME
        return {"auditor": world["auditor"].id, "manager": manager.id, "admin": admin.id,
                "contact": first.id, "contacts": [c.id for c in contacts]}


_MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# GitHub's autolink literals that Streamlit 1.67 finds in the parsed text, after backslash escapes
# are resolved (mdast-util-gfm-autolink-literal): "www." and e-mail addresses. An "http://" in
# escaped text is not linked there (checked in Chromium), so it is not modelled here.
_AUTOLINK_LITERALS = (re.compile(r"www(?=\.)[-.\w]*", re.IGNORECASE),
                      re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+"))


def markdown_leaks(source: str) -> list[str]:
    """What of ``source`` Streamlit would turn into a link, an image or a directive pointing at
    the payloads: hrefs and srcs containing ``evil``, autolink literals, ``:material/home:`` and
    ``:red[`` directives. Empty when everything shows literally."""
    leaks = []
    text = source.replace(":material/", ":material_")  # as Streamlit does before parsing
    if ":material_home:" in text:
        leaks.append("material icon :material/home:")
    if re.search(r"(?<!\\):red\[", source):
        leaks.append("colour directive :red[")

    def visit(tokens):
        for token in tokens:
            if token.type == "link_open" and EVIL in str(token.attrGet("href")):
                leaks.append(f"link {token.attrGet('href')}")
            elif token.type == "image" and EVIL in str(token.attrGet("src")):
                leaks.append(f"image {token.attrGet('src')}")
            elif token.type == "text":
                for pattern in _AUTOLINK_LITERALS:
                    leaks.extend(f"autolink {m.group(0)}" for m in pattern.finditer(token.content)
                                 if EVIL in m.group(0))
            visit(token.children or [])

    visit(_MARKDOWN.parse(text))
    return leaks
