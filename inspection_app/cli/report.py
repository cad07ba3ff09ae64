"""``inspection-app report``: the period report for the Director, as PDF and (optionally) XLSX."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path

from ..services.context import AppContext


def _day(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD or DD/MM/YYYY): {text!r}")


def _report(args: argparse.Namespace) -> int:
    from ..services import reports

    ctx = AppContext.open(getattr(args, "data_dir", None))
    try:
        pdf = reports.write_report_pdf(ctx, args.date_from, args.date_to, Path(args.out), number=args.number or "")
        print(f"Đã lập báo cáo / report written: {pdf.path} ({pdf.pages} trang / pages)")
        if args.xlsx:
            xlsx = reports.write_report_xlsx(ctx, args.date_from, args.date_to, Path(args.xlsx))
            print(f"Bảng số liệu / tables: {xlsx}")
    finally:
        ctx.close()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="period report for the Director (PDF, and the tables as XLSX)")
    p.add_argument("--from", dest="date_from", type=_day, required=True, metavar="DATE",
                   help="first day of the period (YYYY-MM-DD or DD/MM/YYYY)")
    p.add_argument("--to", dest="date_to", type=_day, required=True, metavar="DATE", help="last day of the period")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="PDF to write")
    p.add_argument("--xlsx", metavar="FILE.xlsx", help="also write the underlying tables")
    p.add_argument("--number", help="the report's number, if already assigned")
    p.set_defaults(func=_report)
