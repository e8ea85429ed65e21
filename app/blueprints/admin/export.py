"""CSV exports: one response shape, with spreadsheet formulas neutralised."""

import csv
import io
import re

from flask import Response

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def cell(value) -> str:
    """A value as CSV text; text that a spreadsheet would run as a formula is quoted with '."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_response(filename: str, header: list[str], rows, *, bom: bool = False) -> Response:
    """A downloadable UTF-8 CSV; `bom` marks it for spreadsheet programs (Chinese text)."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )
