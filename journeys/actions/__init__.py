"""Action plans: from a finding to its follow-up. Never imports streamlit.

An action rule (``journeys.models.ActionRule``, data set by the agency) says when a finding needs follow-up: a
critical item failed, a contact scored below a threshold, a channel missed its response target
by more than a margin, or a journey's channel gap in a wave is too wide. Which released contacts
break a rule is decided by pure functions over the scored frames (``scoring.action_rules``);
this package stores one action item per rule and finding (``journeys.models.ActionItem``: owner, due date,
status, comments in ``journeys.models.ActionEvent``) and shows beside it what the next wave found on the same
item and location.
"""
