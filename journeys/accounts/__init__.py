"""Who uses Klantreis: user accounts and sign-in (``users``), signed-in browser sessions
(``sessions``), roles and what each may see and do (``access``), and pseudonymous auditor
names (``privacy``). Builds only on the domain's bottom layer (models, errors)."""
