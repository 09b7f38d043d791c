"""How a pilot's name is compared: one normal form for every place pilots are matched."""

from __future__ import annotations

import math
import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+")


def normalise_name(text: object) -> str:
    """A name as matching sees it: Unicode forms, case, punctuation and spacing folded."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return " ".join(_NON_WORD.sub(" ", folded).split())
