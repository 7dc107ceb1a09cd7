"""Punctuation between pieces of text the pages join: full-width in Chinese (：；（）), as the
catalogue gives it, half-width in English. One place, so no page writes ": " or "(" itself."""

from django.utils.translation import pgettext

MARKS = {
    "colon": lambda: pgettext("punctuation", ": "),
    "semicolon": lambda: pgettext("punctuation", "; "),
    "comma": lambda: pgettext("punctuation", ", "),
}


def mark(name):
    """The punctuation mark ``name`` (colon, semicolon, comma) in the current language."""
    return MARKS[name]()


def parenthesized(text):
    """``text`` in parentheses after what precedes it: " (text)" in English, "（text）" in
    Chinese."""
    return pgettext("punctuation", " (%(text)s)") % {"text": text}
