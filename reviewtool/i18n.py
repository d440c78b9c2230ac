"""One translation mechanism for the GUI, the CLI, PDFs and workbooks.

Messages are written in English in the source and marked with ``_()`` (or
``N_()`` at module level, translated later with ``_()``). Catalogs are gettext
``.po`` files under ``resources/locale/<lang>/LC_MESSAGES/``; every file there is
part of the catalog, so each feature keeps its own ``.po`` file. They are
compiled in memory with Babel on first use, so no binary ``.mo`` files are
kept in the repository.

Simplified Chinese is the default language; English is the source language.
Thread-safety: ``set_language`` swaps one module-level object; call it at
start-up or from the GUI thread before rebuilding the UI.
"""

from __future__ import annotations

import gettext
import io
import os
from functools import cache

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from reviewtool.paths import resource_path

DEFAULT_LANGUAGE = "zh_CN"
#: Language code -> its own name, as shown in the language chooser.
LANGUAGES: dict[str, str] = {"zh_CN": "简体中文", "en": "English"}
ENV_VAR = "REVIEWTOOL_LANG"

_current = DEFAULT_LANGUAGE
_translations: gettext.NullTranslations = gettext.NullTranslations()


def normalise_language(code: str | None) -> str:
    """Map 'zh', 'zh-CN', 'zh_CN.UTF-8', 'en_US' … onto a supported language."""
    if not code:
        return DEFAULT_LANGUAGE
    code = code.split(".")[0].replace("-", "_")
    if code in LANGUAGES:
        return code
    if code.lower().startswith("zh"):
        return "zh_CN"
    if code.lower().startswith("en"):
        return "en"
    raise ValueError(f"unsupported language {code!r}; choose one of {', '.join(LANGUAGES)}")


def catalog_files(language: str) -> list:
    folder = resource_path("locale", language, "LC_MESSAGES")
    return sorted(folder.glob("*.po")) if folder.is_dir() else []


@cache
def load_translations(language: str) -> gettext.NullTranslations:
    """All ``.po`` files of one language, chained into one translations object."""
    if language == "en":
        return gettext.NullTranslations()
    chain: gettext.NullTranslations | None = None
    for po_file in catalog_files(language):
        with open(po_file, "rb") as handle:
            catalog = read_po(handle, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        translations = gettext.GNUTranslations(buffer)
        if chain is None:
            chain = translations
        else:
            chain.add_fallback(translations)
    return chain or gettext.NullTranslations()


def set_language(language: str | None = None) -> str:
    """Activate a language (default: ``$REVIEWTOOL_LANG`` or Simplified Chinese)."""
    global _current, _translations
    if language is None:
        language = os.environ.get(ENV_VAR) or DEFAULT_LANGUAGE
    _current = normalise_language(language)
    _translations = load_translations(_current)
    return _current


def current_language() -> str:
    return _current


def _(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _translations.pgettext(context, message)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a module-level string for extraction; translate it later with ``_()``."""
    return message


set_language()
