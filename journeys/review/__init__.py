"""Review before release, release to the client, appeals and the audit trail.

- ``states``: the moves of a contact's review status (pure: which move, from which status, by whom).
- ``appeals``: a client's appeal of an answer or the timing, and the agency's decision (rescored).
- ``release``: a wave's approved contacts released to the client (at once or continuously), its
  release settings and the counts per status of the release panel.
- ``trail``: the audit trail (``journeys.models.ReviewEvent``): every move with who, when and why.
"""
