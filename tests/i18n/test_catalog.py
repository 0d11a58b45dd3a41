"""The Chinese catalog is complete and its compiled form is current (zh-Hans is the default language)."""

from pathlib import Path

import polib
import pytest
from django.test import Client
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "src" / "techtransfer" / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_message_is_translated():
    po = polib.pofile(str(LOCALE / "django.po"))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == [], f"{len(missing)} untranslated: {missing[:10]}"


def test_compiled_catalog_matches_the_source():
    po = polib.pofile(str(LOCALE / "django.po"))
    mo = polib.mofile(str(LOCALE / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo}
    for e in po:
        if e.obsolete or not e.translated():
            continue
        assert (e.msgctxt, e.msgid) in compiled, f"not compiled: {e.msgid!r} (run tools/i18n.sh)"
        assert compiled[(e.msgctxt, e.msgid)][0] == e.msgstr, f"stale translation for {e.msgid!r}"


@pytest.mark.django_db
def test_pages_render_in_both_languages():
    zh = Client().get("/organizations/")
    assert "机构" in zh.content.decode()
    client = Client()
    client.cookies["techtransfer_language"] = "en"
    en = client.get("/organizations/")
    assert "Organizations" in en.content.decode() and 'lang="en"' in en.content.decode()
    with translation.override("zh-hans"):
        assert translation.gettext("Organizations") != "Organizations"
