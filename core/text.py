"""Text helpers shared by every app."""

import re
import unicodedata

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def search_key(text: str) -> str:
    """Fold a name for searching: no accents, lower case, words separated by one space.

    "Clermont-Ferrand", "clermont ferrand" and "CLERMONT  FERRAND" give the same key, as do
    "L'Haÿ-les-Roses" and "l hay les roses". The key only holds [a-z0-9 ], so that a prefix
    search is a plain range over an ordinary B-tree index on every database.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ascii_only = ascii_only.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    return _NOT_ALNUM.sub(" ", ascii_only.lower()).strip()


# Upper bound for a prefix range over search keys: "~" sorts after [a-z0-9 ] in byte order.
PREFIX_SENTINEL = "~"
