"""Dossier registers: reading CSV/XLSX exports of the one-stop system into sampling records."""

from inspection_app.registers.columns import FIELDS, ColumnMapping, IgnoredColumn, MappedColumn, map_headers
from inspection_app.registers.dates import DateFormatError, parse_datetime
from inspection_app.registers.encoding import decode_text
from inspection_app.registers.reader import BadRow, RegisterImport, read_register, read_register_bytes

__all__ = [
    "FIELDS",
    "BadRow",
    "ColumnMapping",
    "DateFormatError",
    "IgnoredColumn",
    "MappedColumn",
    "RegisterImport",
    "decode_text",
    "map_headers",
    "parse_datetime",
    "read_register",
    "read_register_bytes",
]
