"""Helpers for the PDF tests: the poppler/qpdf/NSS command-line tools.

The tools come from the Makefile's ``sysdeps`` (apt). Locally a missing tool skips the test; on CI
(``CI`` set) it fails, so a broken CI image cannot pass silently.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (make sysdeps installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
    raise AssertionError("unreachable")


def run(*args: str | os.PathLike, check: bool = True) -> subprocess.CompletedProcess[str]:
    require_tool(str(args[0]))
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=check,
                          encoding="utf-8")


def pdftotext(path: Path, *extra: str, first: int | None = None, last: int | None = None) -> str:
    args: list[str | os.PathLike] = ["pdftotext", "-enc", "UTF-8", *extra]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return run(*args, path, "-").stdout


def flat(text: str) -> str:
    """Collapse line wraps and runs of spaces (layout), nothing else."""
    return " ".join(text.split())


def is_nfc(text: str) -> bool:
    return unicodedata.normalize("NFC", text) == text


def pdffonts(path: Path) -> list[dict[str, str]]:
    out = run("pdffonts", path).stdout.splitlines()
    rows = []
    for line in out[2:]:
        # name type encoding emb sub uni object ID
        m = re.match(r"^(\S+)\s+(.+?)\s+(Identity-H|WinAnsi|Custom|Builtin|MacRoman|Standard)\s+"
                     r"(yes|no)\s+(yes|no)\s+(yes|no)", line)
        if m:
            rows.append({"name": m.group(1), "type": m.group(2), "encoding": m.group(3),
                         "emb": m.group(4), "sub": m.group(5), "uni": m.group(6)})
    return rows


def qpdf_check(path: Path) -> subprocess.CompletedProcess[str]:
    return run("qpdf", "--check", path, check=False)
