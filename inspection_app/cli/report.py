"""``inspection-app report``: the team's period report to the Director, or (``--province``) the
Department's report to the provincial People's Committee, as PDF and (optionally) XLSX; and
``--year-end YEAR`` for the per-person and per-unit list of the year-end evaluation."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path

from ..domain.errors import UserError
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
        if args.year_end:
            from ..services import outcomes

            outcomes.year_end_xlsx(ctx, args.year_end, Path(args.out))
            print(f"Danh sách cuối năm / year-end list: {args.out}")
            return 0
        if args.date_from is None or args.date_to is None:
            raise UserError("Hãy cho biết kỳ báo cáo (--from, --to).")
        if args.province:
            from ..services import province_report

            kw = dict(number=args.number or "", signer_name=args.signer, strengths=args.strengths or "",
                      shortcomings=args.shortcomings or "", proposals=args.proposals or "")
            pdf = province_report.write_province_pdf(ctx, args.date_from, args.date_to, Path(args.out), **kw)
            print(f"Đã lập báo cáo / report written: {pdf.path} ({pdf.pages} trang / pages)")
            if args.xlsx:
                print(f"Bảng số liệu / tables: "
                      f"{province_report.write_province_xlsx(ctx, args.date_from, args.date_to, Path(args.xlsx), **kw)}")
            return 0
        pdf = reports.write_report_pdf(ctx, args.date_from, args.date_to, Path(args.out), number=args.number or "",
                                       signer_name=args.signer, signer_post=args.signer_post or "")
        print(f"Đã lập báo cáo / report written: {pdf.path} ({pdf.pages} trang / pages)")
        if args.xlsx:
            xlsx = reports.write_report_xlsx(ctx, args.date_from, args.date_to, Path(args.xlsx),
                                             signer_name=args.signer)
            print(f"Bảng số liệu / tables: {xlsx}")
    finally:
        ctx.close()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="period report for the Director, or --province for the People's Committee")
    p.add_argument("--from", dest="date_from", type=_day, metavar="DATE",
                   help="first day of the period (YYYY-MM-DD or DD/MM/YYYY)")
    p.add_argument("--to", dest="date_to", type=_day, metavar="DATE", help="last day of the period (ended)")
    p.add_argument("--out", required=True, metavar="FILE", help="PDF to write (XLSX with --year-end)")
    p.add_argument("--xlsx", metavar="FILE.xlsx", help="also write the underlying tables")
    p.add_argument("--number", help="the report's number, if already assigned")
    p.add_argument("--signer", help="the signer's full name (default: the inspector in the settings)")
    p.add_argument("--signer-post", help="team report: the signer's post in the Department")
    p.add_argument("--province", action="store_true", help="the Department's report to the People's Committee")
    p.add_argument("--strengths", help="province report: strengths (text)")
    p.add_argument("--shortcomings", help="province report: shortcomings (text)")
    p.add_argument("--proposals", help="province report: proposals (text)")
    p.add_argument("--year-end", type=int, metavar="YEAR", help="write the year-end per-person/per-unit XLSX")
    p.set_defaults(func=_report)
