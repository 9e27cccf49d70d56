"""Small pieces for writing SVG by hand: escaping, elements, the accessible document frame.

The pictures are embedded in HTML and in WeasyPrint PDFs, so they keep to basic elements
with inline presentation attributes: no CSS classes, no style sheets, no external fonts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from xml.sax.saxutils import escape

# Generic families only: the PDF renderer must not fetch fonts, and every system has these.
FONT_FAMILY = "DejaVu Sans, Arial, Helvetica, sans-serif"
ELLIPSIS = "\u2026"

# Characters XML 1.0 forbids even when escaped; a name holding one would break the page.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTRIBUTE_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}

Value = str | int | float


def clean(value: str) -> str:
    """`value` with characters XML cannot carry replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", value)


def text(value: str) -> str:
    """Escaped for element content: `<script>` stays literal text."""
    return escape(clean(value))


def attribute(value: Value) -> str:
    """Escaped for a double-quoted attribute; numbers formatted the same way every time."""
    if isinstance(value, float):
        return f"{value:.1f}"
    return escape(clean(str(value)), _ATTRIBUTE_ENTITIES)


def truncate(value: str, limit: int) -> str:
    """At most `limit` characters, ending in an ellipsis when cut."""
    if len(value) <= limit:
        return value
    return value[:limit - 1].rstrip() + ELLIPSIS


def element(tag: str, attributes: Mapping[str, Value | None], content: str = "") -> str:
    """`<tag a="1">content</tag>`; attributes keep their order, `None` ones are left out.

    `content` is inserted as it is: escape text with `text()` first.
    """
    rendered = _attributes(attributes)
    if not content:
        return f"<{tag}{rendered}/>"
    return f"<{tag}{rendered}>{content}</{tag}>"


def _attributes(attributes: Mapping[str, Value | None]) -> str:
    return "".join(f' {key}="{attribute(value)}"' for key, value in attributes.items()
                   if value is not None)


def label(x: float, y: float, value: str, *, size: int = 11, weight: str | None = None,
          anchor: str = "start", fill: str = "#212121") -> str:
    """A line of text in the picture's font."""
    return element("text", {"x": x, "y": y, "font-family": FONT_FAMILY, "font-size": size,
                            "font-weight": weight, "text-anchor": anchor, "fill": fill},
                   text(value))


def dom_id(*parts: str) -> str:
    """A stable id prefix, so several pictures on one page do not share ids."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()
    return "n" + digest[:10]


def document(*, width: int, height: int, prefix: str, title: str, desc: str,
             body: list[str]) -> str:
    """The `<svg>` root: sized to its content, labelled for screen readers."""
    opening = "<svg" + _attributes({
        "xmlns": "http://www.w3.org/2000/svg", "width": width, "height": height,
        "viewBox": f"0 0 {width} {height}", "role": "img",
        "aria-labelledby": f"{prefix}-title {prefix}-desc"}) + ">"
    parts = [opening,
             element("title", {"id": f"{prefix}-title"}, text(title)),
             element("desc", {"id": f"{prefix}-desc"}, text(desc)),
             element("rect", {"x": 0, "y": 0, "width": width, "height": height,
                              "fill": "#ffffff"}),
             *body, "</svg>"]
    return "\n".join(parts) + "\n"
