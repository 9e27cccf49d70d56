"""Hypothesis profiles. `default` is the thorough one: `make test` and CI run it. `fast`
(`make test-fast`, `--hypothesis-profile=fast`) runs a fifth of the examples, for the inner
loop; it never replaces the thorough run.

Tests that set their own count write `max_examples=examples(150)`: 150 under the default
profile, scaled with the profile loaded (hypothesis loads it before the test modules are
imported)."""

from __future__ import annotations

from hypothesis import settings

THOROUGH_EXAMPLES = 100  # hypothesis' own default, which the default profile keeps
settings.register_profile("fast", max_examples=THOROUGH_EXAMPLES // 5)


def examples(thorough: int) -> int:
    """`thorough` examples under the default profile, proportionally fewer (at least 10)
    under a lighter one."""
    scaled = thorough * settings().max_examples // THOROUGH_EXAMPLES
    return max(min(thorough, 10), min(thorough, scaled))
