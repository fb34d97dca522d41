"""The five built-in journeys: the routine questions the trade's studies send on every channel.

Users start a new journey from one of these (or copy their own); the demo data uses them too,
so there is one definition of each scenario and checklist.
"""

from journeys.catalogue.journeys import CriterionIn, JourneyChannelIn, JourneyIn

ALL_CHANNELS = ("store", "phone", "email", "webchat", "whatsapp", "twitter", "facebook", "instagram", "messenger", "sms")
REMOTE_CHANNELS = tuple(c for c in ALL_CHANNELS if c != "store")
ASYNC_ONLY = ("email", "whatsapp", "twitter", "facebook", "instagram", "messenger", "sms")
SOCIAL_ONLY = ("twitter", "facebook", "instagram")


def _c(code, text, section, weight=1.0, **kw) -> CriterionIn:
    return CriterionIn(code=code, text=text, section=section, weight=weight, **kw)


def _contact_basics() -> list[CriterionIn]:
    """Items every journey scores: reaching the company, the first reply, the tone."""
    return [
        _c("GREET", "Greeted within 30 seconds of entering", "Contact", 1, channels=("store",), na_allowed=False),
        _c("ACK", "Acknowledged with a time indication for the answer", "Contact", 1, channels=ASYNC_ONLY),
        _c("NAME", "Employee introduced themselves by name", "Contact", 0.5),
        _c("PUBLIC", "Did not ask for account data in public", "Contact", 1, channels=SOCIAL_ONLY,
           critical_policy="zero_section"),
        _c("TONE", "Tone was personal and human (no canned text only)", "Conversation", 1,
           kind="scale", scale_min=1, scale_max=5),
        _c("LISTEN", "Asked questions to understand the situation", "Conversation", 1),
    ]


def _closing() -> list[CriterionIn]:
    return [
        _c("NEXT", "Explained the next step and when it happens", "Closing", 1),
        _c("RESUME", "Conversation can be resumed without repeating the story", "Closing", 0.5,
           channels=ASYNC_ONLY),
        _c("EXTRA", "Offered something beyond the question", "Closing", 1, bonus=True),
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
        "Cancel a flight and get a refund",
        "You booked a return flight for two and must cancel because of illness. You want your money back, not a voucher.",
        "I have to cancel my flight because I am ill. Can I get a refund of the ticket price, and how?",
        "Yes: a refund of taxes and fees is always possible; with a medical certificate the full fare is "
        "refunded within 7 days via the refund form. A voucher is optional, never required.",
        [
            _c("REFUND", "Stated that a refund (not only a voucher) is possible", "Answer", 2,
               critical_policy="flag_fail", na_allowed=False),
            _c("TERM", "Gave the refund term (within 7 days)", "Answer", 1),
            _c("HOWTO", "Explained how to apply (form, certificate)", "Answer", 1),
            _c("NOVOUCHER", "Did not push a voucher as the only option", "Answer", 1, critical_policy="zero_section"),
        ],
        channels=("phone", "email", "webchat", "whatsapp", "twitter", "facebook", "instagram", "messenger"),
    ),
    _journey(
        "Ask about a delivery",
        "You ordered a product a week ago; the tracking page has not changed for four days.",
        "My order has not moved for four days according to the tracking page. Where is it and when will it arrive?",
        "The parcel is delayed at the sorting centre; it will arrive within 2 working days. If not, "
        "a free replacement is sent or the money refunded.",
        [
            _c("LOOKUP", "Looked up the order instead of giving a generic answer", "Answer", 2),
            _c("DATE", "Gave an expected delivery date", "Answer", 1, critical_policy="flag_fail"),
            _c("REMEDY", "Offered a remedy if it does not arrive", "Answer", 1),
        ],
    ),
    _journey(
        "File a complaint",
        "A service engineer did not show up for the agreed appointment and you took a day off for it.",
        "Your engineer did not come yesterday although I took the day off. I want to complain. What happens now?",
        "Apologise, register the complaint with a reference number, plan a new appointment with priority "
        "and explain the compensation (a fixed amount for a missed appointment).",
        [
            _c("SORRY", "Apologised sincerely", "Answer", 1),
            _c("REF", "Gave a complaint reference number", "Answer", 1),
            _c("COMP", "Mentioned the compensation for a missed appointment", "Answer", 2, critical_policy="flag_fail"),
            _c("NEWAPPT", "Offered a new appointment with priority", "Answer", 1),
            _c("NOCALL", "Did not redirect to another channel without solving", "Answer", 1,
               channels=REMOTE_CHANNELS, critical_policy="zero_contact"),
        ],
    ),
    _journey(
        "A technical question",
        "Your new modem keeps dropping the wireless connection in the evening.",
        "My Wi-Fi drops every evening since I got the new modem. What can I do?",
        "Switch the modem to a fixed 5 GHz channel or enable band steering in the modem app; if that does "
        "not help, a free engineer visit or a replacement modem.",
        [
            _c("DIAG", "Asked diagnostic questions (when, which devices)", "Answer", 1),
            _c("FIX", "Gave the correct fix (channel or band steering)", "Answer", 2, critical_policy="zero_section"),
            _c("ESCAL", "Offered an escalation if the fix fails", "Answer", 1),
            _c("CLEAR", "Explanation was clear without jargon", "Answer", 1, kind="scale", scale_min=1, scale_max=5),
        ],
    ),
    _journey(
        "Help with an order",
        "You want to change the delivery address of an order you placed this morning.",
        "I placed an order this morning. Can I still change the delivery address?",
        "Yes, until the order is packed (usually the same evening) via My orders or by the service desk; "
        "after that the parcel can be redirected by the carrier.",
        [
            _c("POSSIBLE", "Said whether and until when the change is possible", "Answer", 2, critical_policy="flag_fail"),
            _c("HOW", "Explained how to change it or did it directly", "Answer", 1),
            _c("CONFIRM", "Confirmed the change in writing", "Answer", 1, channels=REMOTE_CHANNELS),
        ],
    ),
)
