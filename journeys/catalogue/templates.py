"""The five built-in journeys: the routine questions the trade's studies send on every channel.

Users start a new journey from one of these (or copy their own); the demo data uses them too,
so there is one definition of each scenario and checklist.

Languages: ``TEMPLATES`` holds each template in English, every text marked with ``N_`` so the
catalog (``locales/``) holds its Dutch. ``localized`` (and ``templates``, all five) gives a
template in the current language (``journeys.language``): its name, scenario, question,
reference answer and every criterion's text and section translated, the codes, weights,
policies and channels unchanged. A journey created from a template is stored in the language
of the person who created it — with Dutch chosen, "Een klacht indienen" with Dutch questions —
and then stays as stored: a journey's texts are data, never translated again when another
user reads them or the catalog changes. Outside a Dutch run (the tests, the demo, a CLI
without ``--language nl``) the language is English, so ``templates()`` equals ``TEMPLATES``.
"""

from dataclasses import replace

from journeys.catalogue.journeys import CriterionIn, JourneyChannelIn, JourneyIn
from journeys.language import N_, _

ALL_CHANNELS = ("store", "phone", "email", "webchat", "whatsapp", "twitter", "facebook", "instagram", "messenger", "sms")
REMOTE_CHANNELS = tuple(c for c in ALL_CHANNELS if c != "store")
ASYNC_ONLY = ("email", "whatsapp", "twitter", "facebook", "instagram", "messenger", "sms")
SOCIAL_ONLY = ("twitter", "facebook", "instagram")


def _c(code, text, section, weight=1.0, **kw) -> CriterionIn:
    return CriterionIn(code=code, text=text, section=section, weight=weight, **kw)


def _contact_basics() -> list[CriterionIn]:
    """Items every journey scores: reaching the company, the first reply, the tone."""
    return [
        _c("GREET", N_("Greeted within 30 seconds of entering"), N_("Contact"), 1, channels=("store",), na_allowed=False),
        _c("ACK", N_("Acknowledged with a time indication for the answer"), N_("Contact"), 1, channels=ASYNC_ONLY),
        _c("NAME", N_("Employee introduced themselves by name"), N_("Contact"), 0.5),
        _c("PUBLIC", N_("Did not ask for account data in public"), N_("Contact"), 1, channels=SOCIAL_ONLY,
           critical_policy="zero_section"),
        _c("TONE", N_("Tone was personal and human (no canned text only)"), N_("Conversation"), 1,
           kind="scale", scale_min=1, scale_max=5),
        _c("LISTEN", N_("Asked questions to understand the situation"), N_("Conversation"), 1),
    ]


def _closing() -> list[CriterionIn]:
    return [
        _c("NEXT", N_("Explained the next step and when it happens"), N_("Closing"), 1),
        _c("RESUME", N_("Conversation can be resumed without repeating the story"), N_("Closing"), 0.5,
           channels=ASYNC_ONLY),
        _c("EXTRA", N_("Offered something beyond the question"), N_("Closing"), 1, bonus=True),
    ]


def _journey(name, scenario, question, reference, specific, channels=ALL_CHANNELS) -> JourneyIn:
    criteria = []
    for c in _contact_basics() + specific + _closing():
        if c.channels:  # keep only this journey's channels; drop items for none of them
            c.channels = tuple(ch for ch in c.channels if ch in channels)
            if not c.channels:
                continue
        criteria.append(c)
    return JourneyIn(
        name=name,
        scenario=scenario,
        question=question,
        reference_answer=reference,
        channels=[JourneyChannelIn(channel=c) for c in channels],
        criteria=criteria,
    )


TEMPLATES: tuple[JourneyIn, ...] = (
    _journey(
        N_("Cancel a flight and get a refund"),
        N_("You booked a return flight for two and must cancel because of illness. You want your money back, not a voucher."),
        N_("I have to cancel my flight because I am ill. Can I get a refund of the ticket price, and how?"),
        N_("Yes: a refund of taxes and fees is always possible; with a medical certificate the full fare is "
        "refunded within 7 days via the refund form. A voucher is optional, never required."),
        [
            _c("REFUND", N_("Stated that a refund (not only a voucher) is possible"), N_("Answer"), 2,
               critical_policy="flag_fail", na_allowed=False),
            _c("TERM", N_("Gave the refund term (within 7 days)"), N_("Answer"), 1),
            _c("HOWTO", N_("Explained how to apply (form, certificate)"), N_("Answer"), 1),
            _c("NOVOUCHER", N_("Did not push a voucher as the only option"), N_("Answer"), 1, critical_policy="zero_section"),
        ],
        channels=("phone", "email", "webchat", "whatsapp", "twitter", "facebook", "instagram", "messenger"),
    ),
    _journey(
        N_("Ask about a delivery"),
        N_("You ordered a product a week ago; the tracking page has not changed for four days."),
        N_("My order has not moved for four days according to the tracking page. Where is it and when will it arrive?"),
        N_("The parcel is delayed at the sorting centre; it will arrive within 2 working days. If not, "
        "a free replacement is sent or the money refunded."),
        [
            _c("LOOKUP", N_("Looked up the order instead of giving a generic answer"), N_("Answer"), 2),
            _c("DATE", N_("Gave an expected delivery date"), N_("Answer"), 1, critical_policy="flag_fail"),
            _c("REMEDY", N_("Offered a remedy if it does not arrive"), N_("Answer"), 1),
        ],
    ),
    _journey(
        N_("File a complaint"),
        N_("A service engineer did not show up for the agreed appointment and you took a day off for it."),
        N_("Your engineer did not come yesterday although I took the day off. I want to complain. What happens now?"),
        N_("Apologise, register the complaint with a reference number, plan a new appointment with priority "
        "and explain the compensation (a fixed amount for a missed appointment)."),
        [
            _c("SORRY", N_("Apologised sincerely"), N_("Answer"), 1),
            _c("REF", N_("Gave a complaint reference number"), N_("Answer"), 1),
            _c("COMP", N_("Mentioned the compensation for a missed appointment"), N_("Answer"), 2, critical_policy="flag_fail"),
            _c("NEWAPPT", N_("Offered a new appointment with priority"), N_("Answer"), 1),
            _c("NOCALL", N_("Did not redirect to another channel without solving"), N_("Answer"), 1,
               channels=REMOTE_CHANNELS, critical_policy="zero_contact"),
        ],
    ),
    _journey(
        N_("A technical question"),
        N_("Your new modem keeps dropping the wireless connection in the evening."),
        N_("My Wi-Fi drops every evening since I got the new modem. What can I do?"),
        N_("Switch the modem to a fixed 5 GHz channel or enable band steering in the modem app; if that does "
        "not help, a free engineer visit or a replacement modem."),
        [
            _c("DIAG", N_("Asked diagnostic questions (when, which devices)"), N_("Answer"), 1),
            _c("FIX", N_("Gave the correct fix (channel or band steering)"), N_("Answer"), 2, critical_policy="zero_section"),
            _c("ESCAL", N_("Offered an escalation if the fix fails"), N_("Answer"), 1),
            _c("CLEAR", N_("Explanation was clear without jargon"), N_("Answer"), 1, kind="scale", scale_min=1, scale_max=5),
        ],
    ),
    _journey(
        N_("Help with an order"),
        N_("You want to change the delivery address of an order you placed this morning."),
        N_("I placed an order this morning. Can I still change the delivery address?"),
        N_("Yes, until the order is packed (usually the same evening) via My orders or by the service desk; "
        "after that the parcel can be redirected by the carrier."),
        [
            _c("POSSIBLE", N_("Said whether and until when the change is possible"), N_("Answer"), 2, critical_policy="flag_fail"),
            _c("HOW", N_("Explained how to change it or did it directly"), N_("Answer"), 1),
            _c("CONFIRM", N_("Confirmed the change in writing"), N_("Answer"), 1, channels=REMOTE_CHANNELS),
        ],
    ),
)


def localized(template: JourneyIn) -> JourneyIn:
    """``template`` (one of ``TEMPLATES``) in the current language: a new ``JourneyIn`` whose
    texts and sections are translated, everything else as the template has it."""
    return replace(
        template,
        name=_(template.name), scenario=_(template.scenario), question=_(template.question),
        reference_answer=_(template.reference_answer),
        channels=[replace(c) for c in template.channels],
        criteria=[replace(c, text=_(c.text), section=_(c.section)) for c in template.criteria],
    )


def templates() -> tuple[JourneyIn, ...]:
    """Every template in the current language (``localized``), in the order of ``TEMPLATES``."""
    return tuple(localized(t) for t in TEMPLATES)
