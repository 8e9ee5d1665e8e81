"""How deep a JSON document may nest, checked on its text before anything parses it.

Python's json module recurses once per level: a body of 10,000 "[" ends in a RecursionError
(a 500) after using the whole stack. Nothing the site reads (API bodies, the catalog file)
nests more than a few levels, so anything past MAX_DEPTH is refused with a plain message.
"""

from __future__ import annotations

import re

MAX_DEPTH = 32

# A whole string (its brackets don't count) or one bracket.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


class TooDeep(ValueError):
    pass


def check_depth(text: str, max_depth: int = MAX_DEPTH) -> None:
    """Raise TooDeep if `text` opens more than `max_depth` arrays and objects inside each
    other. Malformed text is left for the parser to name."""
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                raise TooDeep(f"JSON nested more than {max_depth} levels deep.")
        elif token in "]}":
            depth -= 1
