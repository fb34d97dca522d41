"""Files a manager downloads: tables as CSV or XLSX, safe to open in a spreadsheet.

Every text cell passes through ``journeys.interchange.exports.neutralise_frame`` (a leading = + - @ tab or
carriage return would otherwise run as a formula). Streamlit's own dataframe download is
switched off (``client.disableDataExport``) so these are the only way out.
"""

import io

import pandas as pd

from journeys.interchange.exports import neutralise_frame

XLSX_MAX_ROWS = 1_048_575  # a worksheet's 1,048,576 rows, less the header


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM (so Excel reads accents correctly)."""
    return neutralise_frame(frame).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    buffer = io.BytesIO()
    safe = neutralise_frame(frame)
    for column in safe.columns:  # Excel has no timezone-aware dates: write them as UTC text
        if isinstance(safe[column].dtype, pd.DatetimeTZDtype):
            safe[column] = safe[column].dt.strftime("%Y-%m-%d %H:%M:%S+00:00")
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe.to_excel(writer, sheet_name=sheet[:31], index=False)
    return buffer.getvalue()
