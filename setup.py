"""Build step: compile the gettext catalogs (``locale/*/LC_MESSAGES/messages.po`` → ``.mo``) into the wheel.

Everything else about the package is in pyproject.toml; this only extends ``build_py``.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in Path(__file__).parent.glob("inspection_app/locale/*/LC_MESSAGES/messages.po"):
            with po.open("rb") as f:
                catalog = read_po(f)
            with po.with_suffix(".mo").open("wb") as f:
                write_mo(f, catalog)
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogs})
