"""The Klantreis domain: what is measured, who measures it and what they found. Never imports streamlit.

The bottom layer, shared by every area and by storage (``data/``): the tables (``models``), the
errors a user can correct (``errors``), what the database can store (``limits``) and local time
(``local_time``). Above it the areas, each a sub-package opened by a docstring, each building only
on the ones listed after it:

    interchange/  contact files in and out: the format, import, export
    alerts/       alert mails: notifications, the outbox with its idempotency keys, SMTP, the worker
    actions/      action rules (when a finding needs follow-up), action items, their follow-up check
    review/       review before release, release to the client, appeals, the audit trail
    fieldwork/    contacts with their timings, answers, drafts and evidence; filters; frames for scoring
    catalogue/    brands, locations, channels, waves, journeys and their versioned checklists
    accounts/     users, sign-in sessions, roles and access, pseudonyms

``demo`` seeds demo data through all of them. The order is checked by ``tests/test_import_layers.py``.
"""
