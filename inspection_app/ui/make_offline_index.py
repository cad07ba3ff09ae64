"""Write the packaged ``inspection_app/assets/index.html``: Flet's own web ``index.html`` plus a
shim that keeps it offline.

The stock Flet web client compiles in the Rive extension, whose start-up hook appends a
``<script>`` loading ``rive_native.js`` from cdn.jsdelivr.net, even when the app uses no Rive
control and ``no_cdn=True``. Flet serves ``assets/index.html`` in preference to its own, so this
copy drops that one script before it is added. Nothing else changes.

Re-run after upgrading Flet: ``python -m inspection_app.ui.make_offline_index``.
"""

from __future__ import annotations

from pathlib import Path

from ..fsutil import write_atomically

MARKER = "<!-- fletAppConfig -->"  # Flet fills this in with the runtime configuration

SHIM = """  <script>
    (() => {  // offline: never load @rive-app/flutter-native-wasm from a CDN
      const orig = Element.prototype.append;
      Element.prototype.append = function (...nodes) {
        return orig.apply(this, nodes.filter(n => !(n instanceof HTMLScriptElement
          && (n.src || "").includes("/@rive-app/"))));
      };
    })();
  </script>
  """ + MARKER


def offline_index(source: str) -> str:
    if MARKER not in source:
        raise RuntimeError("Flet's index.html has no fletAppConfig marker: check the Flet version")
    return source.replace(MARKER, SHIM.lstrip(), 1)


def stock_index() -> str:
    import flet_web

    return (Path(flet_web.__file__).parent / "web" / "index.html").read_text(encoding="utf-8")


def write(dst: Path | None = None) -> Path:
    from .app import assets_dir

    dst = dst or assets_dir() / "index.html"
    write_atomically(dst, offline_index(stock_index()).encode("utf-8"))
    return dst


if __name__ == "__main__":
    print("wrote", write())
