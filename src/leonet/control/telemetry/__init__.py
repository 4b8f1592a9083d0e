"""Terminal telemetry: reports of where each terminal was, when, how high and how fast.

Read from CSV or Parquet (`read_telemetry`) or from arrays (`telemetry_from_arrays`); every
bad row is reported in `RowIssues` with the reason, and the rest is kept, sorted by
``(terminal_id, time)``.
"""

from leonet.control.telemetry.checks import telemetry_from_arrays
from leonet.control.telemetry.core import COLUMNS, OPTIONAL, REQUIRED, RowIssues, Telemetry
from leonet.control.telemetry.files import read_telemetry

__all__ = ["COLUMNS", "OPTIONAL", "REQUIRED", "RowIssues", "Telemetry", "read_telemetry",
           "telemetry_from_arrays"]
