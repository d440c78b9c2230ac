"""One gettext catalog for GUI, CLI and documents; Simplified Chinese complete."""

from __future__ import annotations

import pytest

from reviewtool import i18n
from reviewtool.core.enums import ApplicationStatus
from reviewtool.i18n_catalog import extract_messages, load_catalog_entries, placeholders


def test_every_marked_string_has_a_chinese_translation():
    entries = load_catalog_entries("zh_CN")
    missing = [f"{m.location}: {m.msgid!r}" for m in extract_messages() if not entries.get(m.msgid, ("", None))[0]]
    assert missing == [], "add these to a catalog in resources/locale/zh_CN/LC_MESSAGES/"


def test_translations_keep_their_placeholders():
    wrong = [
        (msgid, msgstr)
        for msgid, (msgstr, _file) in load_catalog_entries("zh_CN").items()
        if msgstr and placeholders(msgid) != placeholders(msgstr)
    ]
    assert wrong == []


def test_the_extractor_finds_module_level_and_runtime_strings():
    msgids = {m.msgid for m in extract_messages()}
    assert "Formal review failed" in msgids  # N_() in core/enums.py
    assert "Database ready: {url}" in msgids  # _() in the CLI


def test_chinese_is_the_default_and_english_is_available():
    assert i18n.set_language(None) == "zh_CN"
    assert ApplicationStatus.FORMAL_FAILED.label() == "形式审查未通过"
    assert i18n.set_language("en") == "en"
    assert ApplicationStatus.FORMAL_FAILED.label() == "Formal review failed"
    assert i18n.set_language("zh-CN") == "zh_CN"
    assert i18n._("Priority areas") == "重点领域"


def test_labels_parse_back_in_either_language():
    assert ApplicationStatus.from_label("形式审查未通过") is ApplicationStatus.FORMAL_FAILED
    assert ApplicationStatus.from_label("Funded") is ApplicationStatus.FUNDED
    with pytest.raises(ValueError):
        ApplicationStatus.from_label("没有这个状态")


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        i18n.set_language("fr")


def test_no_message_is_translated_two_ways():
    """All catalogs of a language are merged, so the same English text must
    not carry two different translations in two feature catalogs."""
    from babel.messages.pofile import read_po

    from reviewtool.i18n import catalog_files

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for po_file in catalog_files("zh_CN"):
        with open(po_file, "rb") as handle:
            for message in read_po(handle, locale="zh_CN"):
                msgid = message.id if isinstance(message.id, str) else message.id[0]
                msgstr = message.string if isinstance(message.string, str) else message.string[0]
                if not msgid or not msgstr:
                    continue
                if msgid in seen and seen[msgid][0] != msgstr:
                    clashes.append((msgid, seen[msgid], (msgstr, po_file.name)))
                seen.setdefault(msgid, (msgstr, po_file.name))
    assert clashes == []
