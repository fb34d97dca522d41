"""What auditors do and what it produced: logging contacts with their timings, answers and drafts
(``contacts``), evidence files (``evidence``) and their retention (``retention``), which
contacts a filter selects (``contact_filter``), the contacts read as frames for ``scoring/``
(``frames``), the installation's counts (``overview``) and the pure rules of automatic
assignment (``assignment_rules``)."""
