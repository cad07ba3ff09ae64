"""Tables a unit hands over: one reader (:mod:`.table`) for dossier registers and staff rosters."""

from inspection_app.registers.columns import FIELDS, ColumnMapping, IgnoredColumn, MappedColumn, map_headers
from inspection_app.registers.dates import DateFormatError, parse_datetime
from inspection_app.registers.encoding import decode_text
from inspection_app.registers.reader import RegisterImport, read_register, read_register_bytes
from inspection_app.registers.table import BadRow, Table, read_table

__all__ = [
    "FIELDS",
    "BadRow",
    "ColumnMapping",
    "DateFormatError",
    "IgnoredColumn",
    "MappedColumn",
    "RegisterImport",
    "Table",
    "decode_text",
    "map_headers",
    "parse_datetime",
    "read_register",
    "read_register_bytes",
    "read_table",
]
