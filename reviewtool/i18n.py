"""One translation mechanism for the GUI, the CLI, PDFs and workbooks.

Messages are written in English in the source and marked with ``_()`` (or
``N_()`` at module level, translated later with ``_()``). Catalogs are gettext
``.po`` files under ``resources/locale/<lang>/LC_MESSAGES/``; every file there is
part of the catalog, so each feature keeps its own ``.po`` file. They are
compiled with Babel on first use and cached in the user cache folder
(``i18n_compiled.py``), so no binary ``.mo`` files are kept in the repository.

Simplified Chinese is the default language; English is the source language.
Thread-safety: ``set_language`` swaps one module-level object; call it at
start-up or from the GUI thread before rebuilding the UI.
"""

from __future__ import annotations

import gettext
import os
from functools import cache

from reviewtool.i18n_compiled import translations_of
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
        translations = translations_of(po_file, language)  # compiled once, then cached (i18n_compiled.py)
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


def in_every_language(message: str) -> set[str]:
    """A message as every shipped language writes it: what a file filled on another
    workstation (a Chinese workbook read on an English one) may hold."""
    return {load_translations(language).gettext(message) for language in LANGUAGES}


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a module-level string for extraction; translate it later with ``_()``."""
    return message


set_language()
