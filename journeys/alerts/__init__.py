"""Alert mails: who is told what, and getting it to them exactly once. Never imports streamlit.

Events (a new action for its owner, an action due soon or overdue, a decided appeal) become
``journeys.models.Notification`` rows, once per event and user (a unique key). Urgent notifications are
composed into a mail of their own, the others into the user's daily digest, in the recipient's
language; each mail is a ``journeys.models.OutboxMail`` row with an idempotency key. A worker (``klantreis
alerts send``, or the app's background thread) sends due mails over SMTP, retrying with
back-off; a failed send stays queued, a sent one is never sent again.
"""
