"""``klantreis agreement FILE --level ...``: Krippendorff's alpha of a calibration file.

The file is a CSV with columns ``unit, rater, value`` (one rating per row). The alpha itself is
``scoring.agreement.krippendorff_alpha``; this command only reads and checks the file.
"""

import csv
import io
import math
from pathlib import Path

import pandas as pd
import typer

from cli.app import console
from journeys.errors import Problem, ValidationError
from journeys.language import N_, _, ngettext, number

REQUIRED_COLUMNS = ("unit", "rater", "value")


def read_ratings(path: Path, level: str) -> pd.DataFrame:
    """The ratings as a raters × units table of numbers (nominal text values become codes).

    Raises:
        ValidationError: missing file, missing columns, a rater rating a unit twice, or a
            non-numeric value for an ordinal, interval or ratio level; every bad row is listed.
    """
    if not path.is_file():
        raise ValidationError(Problem("file", str(path), _("does not exist or is not a file")))
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(Problem("file", str(path), _("is not UTF-8 text (byte {position})").format(
            position=exc.start))) from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = {(h or "").strip().lower(): h for h in reader.fieldnames or []}
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ValidationError(Problem("header", ", ".join(reader.fieldnames or []),
                                      _("needs the columns unit, rater, value (missing: {missing})").format(
                                          missing=", ".join(missing)), 1))
    problems: list[Problem] = []
    records = []
    seen: dict[tuple[str, str], int] = {}
    for row_number, row in enumerate(reader, start=2):
        unit, rater, value = ((row.get(header[c]) or "").strip() for c in REQUIRED_COLUMNS)
        if not unit:
            problems.append(Problem("unit", None, _("is required"), row_number))
        if not rater:
            problems.append(Problem("rater", None, _("is required"), row_number))
        if (unit, rater) in seen:
            problems.append(Problem("rater", rater, _("rated unit {unit} already in row {row}").format(
                unit=unit, row=seen[(unit, rater)]), row_number))
            continue
        seen[(unit, rater)] = row_number
        if value == "":
            continue  # a missing rating is allowed: alpha handles missing values
        if level != "nominal":
            try:
                number_value = float(value)
                if not math.isfinite(number_value):
                    raise ValueError
            except ValueError:
                problems.append(Problem("value", value, _("must be a number for the {level} level").format(level=level),
                                        row_number))
                continue
            if level == "ratio" and number_value < 0:
                problems.append(Problem("value", value, _("must not be negative for the ratio level"), row_number))
                continue
            value = number_value
        records.append((unit, rater, value))
    if problems:
        raise ValidationError(problems)
    frame = pd.DataFrame(records, columns=list(REQUIRED_COLUMNS))
    if level == "nominal":
        frame["value"] = pd.factorize(frame["value"], sort=True)[0].astype(float)
    return frame.pivot(index="rater", columns="unit", values="value")


AGREEMENT_HELP = N_("Krippendorff's alpha: how well raters (auditors) agree beyond chance.")


def agreement(
    file: Path = typer.Argument(..., help=N_("CSV with columns unit, rater, value."), dir_okay=False),
    level: str = typer.Option("nominal", "--level", help=N_("nominal, ordinal, interval or ratio.")),
) -> None:
    """Krippendorff's alpha: how well raters (auditors) agree beyond chance."""
    # imported here, not at the top: scoring loads scipy, which would slow every command (and --help) by seconds
    from scoring.agreement import LEVELS, krippendorff_alpha

    if level not in LEVELS:
        raise typer.BadParameter(_("must be one of {choices}").format(choices=", ".join(LEVELS)), param_hint="--level")
    table = read_ratings(file, level)
    alpha = krippendorff_alpha(table.to_numpy(dtype=float), level)
    pairable = int((table.notna().sum(axis=0) >= 2).sum())
    shown = _("undefined (no pairable ratings or no variation)") if math.isnan(alpha) else number(alpha, 3)
    console.print(_("Krippendorff's alpha ({level}): {alpha}").format(level=level, alpha=shown), highlight=False)
    raters = ngettext("{n} rater", "{n} raters", table.shape[0]).format(n=number(table.shape[0]))
    units = ngettext("{n} unit", "{n} units", table.shape[1]).format(n=number(table.shape[1]))
    paired = ngettext("{n} unit rated by at least two raters", "{n} units rated by at least two raters",
                      pairable).format(n=number(pairable))
    console.print(_("{raters}, {units}, {paired}").format(raters=raters, units=units, paired=paired),
                  highlight=False)
