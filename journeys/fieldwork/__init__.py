"""What auditors do and what it produced: logging contacts with their timings, answers and drafts
(``contacts``), evidence files (``evidence``) and their retention (``retention``), which
contacts a filter selects (``contact_filter``), the contacts read as frames for ``scoring/``
(``frames``), the installation's counts (``overview``); waves, their scope and closing
(``waves``), a wave's fieldwork plan (``plan``), its planned contacts and their status
(``planned``), the pure rules of automatic assignment (``assignment_rules``), the auditor's work
list (``worklist``) and the progress of fieldwork (``progress``)."""
