"""Question text as safe HTML.

Imported questionnaires carry markup (VSAQ's texts hold <code>, <b>, lists and links), and
an imported file is not trusted: every text goes through nh3 with a short allow-list before
it reaches a page. Question and option texts sit inside <label> and <legend>, which may hold
only inline content, so they get the inline subset; notes and help get lists and paragraphs.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe

INLINE = {"b", "strong", "i", "em", "code", "a", "br", "sub", "sup", "span"}
BLOCK = INLINE | {"p", "ul", "ol", "li", "blockquote", "pre"}
ATTRIBUTES = {"a": {"href"}}
SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=4096)
def _clean(text: str, inline: bool) -> str:
    return nh3.clean(text, tags=INLINE if inline else BLOCK, attributes=ATTRIBUTES,
                     url_schemes=SCHEMES, link_rel="noopener noreferrer nofollow")


def inline_html(text: str) -> SafeString:
    """Safe HTML for a label or legend."""
    return mark_safe(_clean(text or "", True))  # noqa: S308 - nh3 output, allow-listed tags


def block_html(text: str) -> SafeString:
    """Safe HTML for notes and help."""
    return mark_safe(_clean(text or "", False))  # noqa: S308 - nh3 output, allow-listed tags

