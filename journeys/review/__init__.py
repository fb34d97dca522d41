"""Review before release, release to the client, appeals and the audit trail.

- ``states``: the moves of a contact's review status (pure: which move, from which status, by whom).
- ``appeals``: a client's appeal of an answer or the timing, and the agency's decision (rescored).
- ``trail``: the audit trail (``journeys.models.ReviewEvent``): every move with who, when and why.
"""
