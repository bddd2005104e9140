"""GX Data Docs that render styled with no network.

GX's page templates load Bootstrap, jQuery, Font Awesome and a few plug-ins from CDNs, and its
logo from a web bucket; offline (where BI users and the pipeline's machines are) the pages show
unstyled. :func:`install_static` copies what a validation page needs from installed packages
into ``<docs_dir>/static/`` (Bootstrap 4 and jQuery from the XStatic packages, Font Awesome with
its web fonts, the logo and favicon that GX ships), and :func:`offline_page` points the page at
those copies. Anything else the templates load from outside (bootstrap-table, datepicker, vega,
the dark theme: nothing a validation page needs to read well) is left out, so a page never
tries the network.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

STATIC = "static"


@dataclass(frozen=True)
class Bundled:
    """A CDN resource served from ``static/<name>`` instead, copied from ``source`` (a file or a
    directory of an installed package)."""

    pattern: re.Pattern
    name: str
    source: tuple[str, str]  # (importable module with a BASE_DIR or a package dir, relative path)


def _package_dir(module: str) -> Path:
    import importlib

    imported = importlib.import_module(module)
    return Path(getattr(imported, "BASE_DIR", None) or Path(imported.__file__).parent)


# What GX's templates (render/view/templates/page.j2, js_script_imports.j2) load from a CDN and a
# validation page uses. GX writes its pages for Bootstrap 4; the bundle has Popper inside.
BUNDLED = (
    Bundled(re.compile(r"/bootstrap(@[\d.]+)?/[\d.]+/css/bootstrap(\.min)?\.css$"), "bootstrap.min.css",
            ("xstatic.pkg.bootstrap", "css/bootstrap.min.css")),
    Bundled(re.compile(r"/bootstrap(@[\d.]+)?/[\d.]+/js/bootstrap(\.min)?\.js$"), "bootstrap.bundle.min.js",
            ("xstatic.pkg.bootstrap", "js/bootstrap.bundle.min.js")),
    Bundled(re.compile(r"/jquery-[\d.]+(\.min)?\.js$"), "jquery.min.js", ("xstatic.pkg.jquery", "jquery.min.js")),
    Bundled(re.compile(r"/font-awesome/[\d.]+/css/all(\.min)?\.css$"), "font-awesome/css/all.min.css",
            ("xstatic.pkg.font_awesome", "css/all.min.css")),
)
# all.min.css finds its fonts at ../webfonts/; Chromium and Firefox take the woff2 ones
WEBFONTS = ("xstatic.pkg.font_awesome", "webfonts")
GX_IMAGES = ("great_expectations.render.view", "static/images")
GX_IMAGE = re.compile(r"https://great-expectations-web-assets\.[^\"')]*?/([\w.-]+\.png)(\?[^\"')]*)?")
LOGO = "logo-long.png"  # GX ships no dark logo: the dark-mode rule gets the same one

_TAG = re.compile(r"<link\b[^>]*?\bhref=\"(https?://[^\"]+)\"[^>]*>|<script\b[^>]*?\bsrc=\"(https?://[^\"]+)\"[^>]*>\s*</script>")
_SRI = re.compile(r"\s+(integrity|crossorigin)=\"[^\"]*\"")
# the home link and favicon of GX's site layout (docs nested five levels deep): here, the
# publication's data_docs/index.html and the favicon in static/
_HOME = re.compile(r"href=\"(\.\./)+index\.html\"")
_FAVICON = re.compile(r"href=\"(\.\./)+static/images/favicon\.ico\"")


def _bundled(url: str) -> Bundled | None:
    return next((b for b in BUNDLED if b.pattern.search(url)), None)


def _local_tag(match: re.Match) -> str:
    url = match.group(1) or match.group(2)
    bundled = _bundled(url)
    if bundled is None:
        return ""  # not needed offline: never fetched
    # the CDN's subresource-integrity hash is that of another build of the same library
    return _SRI.sub("", match.group(0).replace(url, f"{STATIC}/{bundled.name}"))


def _gx_image(match: re.Match) -> str:
    name = match.group(1)
    return f"{STATIC}/{name if name in _gx_image_names() else LOGO}"


@cache
def _gx_image_names() -> frozenset[str]:
    module, relative = GX_IMAGES
    return frozenset(p.name for p in (_package_dir(module) / relative).iterdir())


def offline_page(html: str) -> str:
    """``html`` (a page GX rendered) loading only files under ``static/`` beside it."""
    html = _TAG.sub(_local_tag, html)
    html = GX_IMAGE.sub(_gx_image, html)
    html = _HOME.sub('href="index.html"', html)
    return _FAVICON.sub(f'href="{STATIC}/favicon.ico"', html)


def install_static(docs_dir: Path) -> Path:
    """Copy the files :func:`offline_page` links to into ``docs_dir/static`` (once; the same
    files for every page) and return that directory."""
    target = docs_dir / STATIC
    if (target / ".complete").exists():
        return target
    for bundled in BUNDLED:
        module, relative = bundled.source
        (target / bundled.name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_package_dir(module) / relative, target / bundled.name)
    module, relative = WEBFONTS
    fonts = target / "font-awesome" / "webfonts"
    fonts.mkdir(parents=True, exist_ok=True)
    for font in (_package_dir(module) / relative).glob("*.woff2"):
        shutil.copyfile(font, fonts / font.name)
    module, relative = GX_IMAGES
    for name in (LOGO, "favicon.ico"):
        shutil.copyfile(_package_dir(module) / relative / name, target / name)
    (target / ".complete").touch()
    return target
