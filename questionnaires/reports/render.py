"""HTML -> PDF with WeasyPrint, safely and within limits.

Three rules hold for every render:

* Nothing is fetched from outside. The HTML is given as a string with no base URL, and the
  URL fetcher answers only `data:` URLs and files inside the project's static roots;
  `file:` anywhere else, `http(s):` and every other scheme raise. Vendor text is escaped by
  the Django template before it gets here, so this is the second wall, not the first.
* The stylesheet is read from disk and parsed once per process (parsing it is a measurable
  part of a small render), then reused.
* One render cannot take a worker down. It runs in a forked child with an address-space
  cap and a wall-clock deadline: a runaway document is killed, its memory goes back to the
  system with the child (a prefork worker otherwise keeps its high-water mark until
  `worker_max_memory_per_child` recycles it, after the fact), and the worker carries on.
"""

from __future__ import annotations

import logging
import os
import signal
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from questionnaires.core.sandbox import ERROR, OK, ChildFailed, run_forked
from questionnaires.reports.limits import render_memory_mb, render_timeout

logger = logging.getLogger(__name__)
# WeasyPrint logs every layout step of every page at INFO ("Step 5 - Creating layout -
# Page 212"): thousands of lines per report in the worker log, and no use to anyone.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

STYLESHEET_PATH = Path(settings.BASE_DIR) / "templates" / "reports" / "report.css"
TEMPLATE_NAME = "reports/report.html"



class RenderFailed(Exception):
    """The PDF could not be produced; the message says why, for a person to read."""


class RefusedURL(ValueError):
    """The report asked for a resource it may not have."""


class RestrictedURLFetcher(URLFetcher):
    """Answers `data:` URLs and files inside `roots`; refuses everything else by raising.

    Redirects are off (a static file never redirects, and a redirect is how an allowed
    URL would turn into a forbidden one).
    """

    def __init__(self, roots: list[Path] | tuple[Path, ...]):
        super().__init__(timeout=5, allowed_protocols={"data", "file"}, allow_redirects=False,
                         fail_on_errors=False)
        self.roots = tuple(Path(root).resolve() for root in roots)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self.static_path(url)
            if path is not None:
                return super().fetch(path.as_uri(), headers)
        raise RefusedURL(f"reports may not load {url[:100]!r}: only data: URLs and the "
                         "project's static files are allowed")

    def static_path(self, url: str) -> Path | None:
        """The file a `file:` URL names, if it is an existing file inside a static root.

        Resolved first, so `..` segments and symbolic links cannot climb out of the root.
        """
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not path.is_file():
            return None
        return path if any(path.is_relative_to(root) for root in self.roots) else None


def static_roots() -> tuple[Path, ...]:
    """Where the project's own static files live: the sources and the collected copy."""
    roots = [Path(directory) for directory in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return tuple(roots)


@lru_cache(maxsize=1)
def url_fetcher() -> RestrictedURLFetcher:
    return RestrictedURLFetcher(static_roots())


@lru_cache(maxsize=1)
def _engine() -> tuple[FontConfiguration, CSS]:
    """The font configuration and the parsed stylesheet, built once per process."""
    fonts = FontConfiguration()
    stylesheet = CSS(string=STYLESHEET_PATH.read_text(encoding="utf-8"), base_url=None,
                     url_fetcher=url_fetcher(), font_config=fonts)
    return fonts, stylesheet


def stylesheet() -> CSS:
    return _engine()[1]


def report_html(context: dict) -> str:
    """The report as HTML: Django's autoescaping turns every vendor string into text."""
    return render_to_string(TEMPLATE_NAME, context)


def pdf_bytes(html: str) -> bytes:
    """Render in this process. The worker uses `render_isolated`; this is its core."""
    fonts, css = _engine()
    document = HTML(string=html, base_url=None, url_fetcher=url_fetcher())
    return document.write_pdf(stylesheets=[css], font_config=fonts)


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    seconds: float  # wall clock, as the person waiting sees it
    cpu_seconds: float  # the child's own CPU time: what the render cost, whatever else ran
    peak_rss_mb: float  # the render child's high-water mark (includes what it inherited)


# A page using every face, size and kind of box the report uses (regular, bold, oblique and
# mono text, headings, a table, a badge, an SVG picture, a contents line): rendering it once
# loads and caches what every report needs, and each forked render inherits it instead of
# loading it again (up to a tenth of a second per report on the bench machine).
WARM_UP_HTML = (
    '<!doctype html><html><head><title>warm-up</title></head><body>'
    '<section class="cover"><p class="brand">Diligence</p><p class="marking cover-marking">M</p>'
    '<h1 class="cover-title">T</h1><p class="vendor-name">V</p><p class="fact"><b>K</b> v</p>'
    '<p class="report-id">R <span class="report-id-value">0</span></p></section>'
    '<nav class="toc"><h2>C</h2><ol><li><a href="#c">Chapter</a></li></ol></nav>'
    '<section id="c" class="chapter"><h1>Chapter</h1><h2>Sub</h2><h3>Sub</h3>'
    '<p class="big">1 <small>/ 100</small> <span class="tier tier-low">low</span></p>'
    '<p class="item-head flag-title"><span class="sev sev-high">high</span> Flag</p>'
    '<p class="fa">A</p><p class="fr">R</p><p class="muted">m</p><p class="reason">r</p>'
    '<table class="grid sections"><colgroup><col class="c-title"><col class="c-num"></colgroup>'
    '<thead><tr><th>S</th><th>1</th></tr></thead><tbody><tr><td>s</td><td class="num">1</td>'
    '</tr></tbody></table><img class="chart" src="data:image/svg+xml;base64,'
    'PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSI2MCIgaGVpZ2h0PSIyMCI+'
    'PHRleHQgeD0iMiIgeT0iMTQiIGZvbnQtZmFtaWx5PSJEZWphVnUgU2FucyIgZm9udC1zaXplPSIxMSIgZm9udC13'
    'ZWlnaHQ9ImJvbGQiPkE8L3RleHQ+PC9zdmc+">'
    '<p class="qk">1.1</p><p class="qt">Q</p><p class="qa">A</p><p class="qc">C</p>'
    '<p class="qe">E</p><p class="qh">SHA-256 0</p><p class="hash">0</p><code>c</code>'
    '</section></body></html>')


@lru_cache(maxsize=1)
def warm_up() -> None:
    """Parse the stylesheet and load the fonts before the first fork, so each render child
    inherits them instead of paying for them again."""
    pdf_bytes(WARM_UP_HTML)


def render_isolated(html: str, *, timeout: float | None = None,
                    memory_mb: int | None = None) -> Rendered:
    """Render `html` in a forked child with a deadline and an address-space cap
    (core.sandbox.run_forked).

    Raises RenderFailed with a reason: too slow, out of memory, crashed, or WeasyPrint's
    own error. Any exception raised here while waiting (a Celery soft time limit) kills
    the child first, so nothing is left running.
    """
    timeout = render_timeout() if timeout is None else timeout
    memory_mb = render_memory_mb() if memory_mb is None else memory_mb
    warm_up()
    out_of_memory = (f"rendering ran out of memory: it needed more than the {memory_mb} MB "
                     "allowed for one report")
    forked = run_forked(lambda: _render_in_child(html), seconds=timeout, memory_mb=memory_mb,
                        out_of_memory=out_of_memory)
    if forked.payload is None:
        raise RenderFailed(f"rendering took longer than {timeout:g} s and was stopped")
    return Rendered(_result(forked.payload, forked.status, memory_mb), forked.seconds,
                    forked.cpu_seconds, forked.peak_rss_mb)


def _render_in_child(html: str) -> bytes:
    try:
        return pdf_bytes(html)
    except MemoryError:
        raise
    except SystemError as exc:
        # Under the address-space cap, a C library whose allocation failed can hand Python
        # an error with no exception set ("error return without exception set"): that is
        # the cap, and the reason a person needs is memory, not an internal error.
        raise MemoryError from exc
    except Exception as exc:  # WeasyPrint raises many types; the parent reports it
        raise ChildFailed(f"WeasyPrint failed: {type(exc).__name__}: {exc}"[:500]) from exc


def _result(payload: bytes, status: int, memory_mb: int) -> bytes:
    if payload[:1] == OK and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return payload[1:]
    if payload[:1] == ERROR:
        raise RenderFailed(payload[1:].decode("utf-8", "replace"))
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        hint = (f" (most likely out of memory: the limit is {memory_mb} MB)"
                if number in (signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT) else "")
        raise RenderFailed(f"the renderer was stopped by signal "
                           f"{signal.Signals(number).name}{hint}")
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) != 0:
        # The child exits non-zero without a word only when even writing its report failed:
        # under the address-space cap, that is memory running out mid-write.
        raise RenderFailed(f"the renderer exited with status {os.WEXITSTATUS(status)} before "
                           f"reporting (most likely out of memory: the limit is {memory_mb} MB)")
    raise RenderFailed("the renderer exited without producing a PDF")
