"""Entry point of the Flet builds (``[tool.flet.app] path = "flet_app"``, module ``main``).

``flet build`` packages this folder as the app and installs ``inspection-app`` itself from the
checkout as a dependency (``[tool.flet.*.dependencies]`` and ``[tool.flet.dev_packages]`` in
pyproject.toml), so the app runs the same wheel that CI tests, package data and all.
"""

from inspection_app.main import run

run()
