"""Workbooks (XLSX, XLS, ODS) for the table reader (:mod:`.table`; the types it shares come from :mod:`.rows`), through python-calamine (or
openpyxl for XLSX where python-calamine is not installed, as on a tablet build).

calamine reads the sheet to its real extent whatever ``<dimension>`` says. For XLSX this module also
reads the workbook's date system (``date1904``) and scans the sheet's XML once for formula cells with
no stored result and for control characters written as ``_x0000_`` escapes (ECMA-376 Part 1,
§18.3.1.4, §18.3.1.40, §18.17.4.1, §22.9.2.19). A workbook bigger than :data:`MAX_UNPACKED_BYTES`
once unzipped is refused before anything is unpacked.
"""

from __future__ import annotations

import io
import itertools
import operator
import re
import zipfile
from collections.abc import Callable, Iterator
from xml.etree import ElementTree

from ..domain.errors import ValidationFailed
from ..domain.text import fold
from .rows import EPOCH_1900, EPOCH_1904, FileFormat, Table, control_problem

MAX_UNPACKED_BYTES = 1024 * 1024 * 1024  # a workbook's parts once unzipped: a zip bomb is refused


def read_workbook(data: bytes, source_name: str, digest: str, sheet: str | None) -> Table:
    """A workbook's sheet (the first worksheet, or `sheet` matched forgivingly) as a Table."""
    kind: FileFormat = "xls" if data.startswith(b"\xd0\xcf\x11\xe0") else _zip_kind(data, source_name)
    return _workbook(data, source_name, digest, sheet, kind)


def _zip_kind(data: bytes, source_name: str) -> FileFormat:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            unpacked = sum(info.file_size for info in z.infolist())
            if unpacked > MAX_UNPACKED_BYTES:
                raise ValidationFailed(
                    "Bảng tính {source_name} khi giải nén quá lớn ({value} MB; tối đa {value2} MB).", source_name=source_name, value=unpacked // (1024 * 1024), value2=MAX_UNPACKED_BYTES // (1024 * 1024),
                )
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names and z.read("mimetype").startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
                return "ods"
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise _damaged(source_name, exc) from exc
    raise ValidationFailed(
        "Tệp {source_name} là tệp nén nhưng không phải bảng tính Excel (XLSX) hay ODS.", source_name=source_name,
    )


def _damaged(source_name: str, exc: BaseException) -> ValidationFailed:
    return ValidationFailed(
        "Không đọc được bảng tính {source_name}: tệp bị hỏng hoặc không đúng định dạng ({exc}).", source_name=source_name, exc=exc,
    )


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _xlsx_parts(data: bytes) -> tuple[bool, dict[str, str]]:
    """(the workbook uses the 1904 date system, sheet name -> path of its XML part)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        workbook = ElementTree.fromstring(z.read("xl/workbook.xml"))
        try:
            rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        except KeyError:
            rels = ElementTree.Element("none")
    pr = workbook.find(f"{_MAIN_NS}workbookPr")
    date1904 = pr is not None and pr.get("date1904", "").lower() in ("1", "true")
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL_NS}Relationship")}
    paths: dict[str, str] = {}
    for sheet in workbook.iter(f"{_MAIN_NS}sheet"):
        target = targets.get(sheet.get(f"{_REL_NS}id"), "")
        if target:
            paths[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return date1904, paths


_HAS_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_FORMULA_HINT = b"f>"  # every formula has a closing tag, </f> or </x:f> (a shared one's master cell too)
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_STR_TYPE = re.compile(rb'\bt="str"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


def contains(data: bytes, needle: bytes, budget: int = 1000) -> bool:
    """``needle in data``, found by hopping from one occurrence of the needle's first byte to the next.

    A single byte is found with memchr, many times faster than a search for several bytes; when the
    first byte is rare (an "f" or "_" in a sheet's XML) a 60 MB part is settled in about a millisecond.
    After `budget` hops the plain search finishes the job, so a common first byte costs little more.
    """
    first = needle[:1]
    pos = data.find(first)
    while pos != -1:
        if data.startswith(needle, pos):
            return True
        budget -= 1
        if budget == 0:
            return data.find(needle, pos) != -1
        pos = data.find(first, pos + 1)
    return False


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ch - 64)
    return index - 1


def formulas_without_values(sheet_xml: bytes) -> dict[int, list[int]]:
    """Row number -> 0-based columns of formula cells whose result was never stored.

    A formula cell keeps its last result in ``<v>``; a file written by a script and never opened in a
    spreadsheet program has the formula alone (or an empty ``<v>``), so its value is unknown.
    """
    found: dict[int, list[int]] = {}
    if not contains(sheet_xml, _FORMULA_HINT):
        return found
    for match in _CELL.finditer(sheet_xml):
        attrs, body = match.group(1), match.group(2)
        if not body or not _HAS_FORMULA.search(body):
            continue
        value = _VALUE.search(body)
        if value is not None and (value.group(1) or _STR_TYPE.search(attrs)):
            continue
        ref = _REF.search(attrs)
        if ref is not None:
            found.setdefault(int(ref.group(2)), []).append(_column_index(ref.group(1)))
    return found


def _calamine(data: bytes, source_name: str) -> tuple[list[str], Callable[[str], list[list]]]:
    """The workbook's worksheet names and a reader of one sheet's cells, through python-calamine."""
    import python_calamine  # only when a workbook arrives

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError as exc:
        raise ValidationFailed(
            "Bảng tính {source_name} có mật khẩu. Hãy bỏ mật khẩu rồi chọn lại tệp.", source_name=source_name,
        ) from exc
    except Exception as exc:  # calamine raises its own errors and ValueError for damaged files
        raise _damaged(source_name, exc) from exc
    names = [m.name for m in workbook.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet]

    def read(name: str) -> list[list]:
        return workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)

    return names, read


def _openpyxl(data: bytes, source_name: str) -> tuple[list[str], Callable[[str], list[list]]]:
    """The same through openpyxl, for XLSX on a device without python-calamine (a tablet build takes
    binary wheels only from its own index). Slower; the sheet's stored size is ignored all the same."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # BadZipFile, KeyError, ValueError, OSError for damaged files
        raise _damaged(source_name, exc) from exc
    names = [ws.title for ws in workbook.worksheets]

    def read(name: str) -> list[list]:
        worksheet = workbook[name]
        worksheet.reset_dimensions()  # read what is there, not what <dimension> says
        try:
            return [["" if v is None else v for v in row] for row in worksheet.iter_rows(values_only=True)]
        finally:
            workbook.close()

    return names, read


def _workbook(data: bytes, source_name: str, digest: str, sheet: str | None, kind: FileFormat) -> Table:
    try:
        names, read = _calamine(data, source_name)
    except ImportError:
        if kind != "xlsx":
            raise ValidationFailed(
                "Thiết bị này không đọc được tệp {value} ({source_name}). Hãy lưu lại thành XLSX hoặc CSV.", value=kind.upper(), source_name=source_name,
            ) from None
        names, read = _openpyxl(data, source_name)
    if not names:
        raise ValidationFailed("Bảng tính {source_name} không có trang tính nào.", source_name=source_name)  # fmt: skip
    if sheet is None:
        name = names[0]
    else:
        matches = [n for n in names if fold(n) == fold(sheet)]
        if not matches:
            raise ValidationFailed(
                "Không có trang tính “{sheet}” trong {source_name}. Các trang: {names}.", sheet=sheet, source_name=source_name, names=', '.join(names),
            )
        name = matches[0]
    epoch, formulas, check_controls = EPOCH_1900, {}, True  # XLS, ODS: every row is checked
    if kind == "xlsx":
        try:
            date1904, parts = _xlsx_parts(data)
            if date1904:
                epoch = EPOCH_1904
            part = parts.get(name)
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                has_formula, sheet_controls = _scan_part(z, part) if part else (False, False)
                shared = "xl/sharedStrings.xml" in z.namelist()
                check_controls = sheet_controls or (shared and _scan_part(z, "xl/sharedStrings.xml")[1])
                if has_formula and part:  # only then is the sheet's text held whole, to find the cells
                    formulas = formulas_without_values(z.read(part))
        except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
            raise _damaged(source_name, exc) from exc
    try:
        cells = read(name)
    except ValidationFailed:
        raise
    except Exception as exc:
        raise _damaged(source_name, exc) from exc
    table = Table(source_name, digest, kind, None, name, epoch, iter(()), formulas=formulas)
    table.rows = _workbook_rows(cells, table, check_controls)
    return table


def _workbook_rows(cells: list[list], table: Table, check_controls: bool) -> Iterator[tuple[int, list]]:
    if not check_controls:  # the common case, in C: the non-empty rows with their numbers
        # A row with a truthy cell is not empty, found at its first cell mostly; only the other rows
        # (empty, or holding nothing but 0, False and "") are looked at cell by cell.
        keep = list(map(any, cells))
        if all(keep):
            return zip(range(1, len(cells) + 1), cells)
        for index in itertools.compress(range(len(cells)), map(operator.not_, keep)):
            keep[index] = cells[index].count("") != len(cells[index])
        return zip(itertools.compress(range(1, len(cells) + 1), keep), itertools.compress(cells, keep))
    return _checked_rows(cells, table)


def _checked_rows(cells: list[list], table: Table) -> Iterator[tuple[int, list]]:
    for number, row in enumerate(cells, start=1):
        if row.count("") == len(row):
            continue
        problem = control_problem(row, number)
        if problem is not None:
            table.problems.append(problem)
            continue
        yield number, row


_SCAN_CHUNK = 1 << 20
_SCAN_OVERLAP = 6  # a piece starts with the last bytes of the one before: no hint or escape is cut in two


def _scan_part(z: zipfile.ZipFile, part: str) -> tuple[bool, bool]:
    """(the part may hold a formula, it holds a control character) as :func:`formulas_without_values`'s
    first look and :func:`_xml_may_hold_controls` see it, read a megabyte at a time as it is unpacked:
    a sheet's text is never held whole unless a formula is found, which makes the scan of a large
    sheet quicker (no 60 MB to allocate, each piece searched while it is in the cache)."""
    formula = controls = False
    tail = b""
    with z.open(part) as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            piece = tail + chunk
            formula = formula or contains(piece, _FORMULA_HINT)
            controls = controls or _xml_may_hold_controls(piece)
            tail = piece[-_SCAN_OVERLAP:]
    return formula, controls


_ESCAPED_CONTROL = re.compile(rb"_x00[01][0-9A-Fa-f]_|_x007[fF]_|_x00[89][0-9A-Fa-f]_|\xc2[\x80-\x9f]")


def _xml_may_hold_controls(*parts: bytes) -> bool:
    """Whether XLSX parts hold a control character: XML 1.0 cannot carry C0 characters, so a
    spreadsheet writes them as ``_x0000_`` escapes (ECMA-376 Part 1, §22.9.2.19); C1 ones are UTF-8."""
    return any((contains(part, b"_x00") or b"\xc2" in part) and _ESCAPED_CONTROL.search(part) for part in parts)
