"""Contacts in and out of Klantreis: the interchange file format read and validated row by row
(``contact_file``), importing a file all or nothing (``imports``) and exporting contacts to
CSV or XLSX, safe in a spreadsheet (``exports``). The format is documented in docs/interchange.md."""
