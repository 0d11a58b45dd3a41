"""Every Chinese catalog is complete and compiled (zh-Hans is the default language); pages render in both languages.

The global catalog (src/techtransfer/locale) covers the foundation apps and shared templates; an app with its
own catalog (src/techtransfer/<app>/locale) is left out of it by tools/i18n.sh. Every catalog found is checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.utils import translation

from techtransfer.orgs.models import OrgKind
from techtransfer.people.models import BrokerLevel, BrokerProfile, ExpertProfile, Person
from tests.conftest import WUHUA

SRC = Path(__file__).resolve().parents[2] / "src" / "techtransfer"
MESSAGES = Path("zh_Hans") / "LC_MESSAGES" / "django.po"
GLOBAL = SRC / "locale" / MESSAGES
CATALOGS = [GLOBAL, *sorted(SRC.glob(f"*/locale/{MESSAGES.as_posix()}"))]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{\s*\w+\s*\}\}")


def _name(path: Path) -> str:
    return path.relative_to(SRC).parts[0] if path != GLOBAL else "global"


catalogs = pytest.mark.parametrize("path", CATALOGS, ids=[_name(p) for p in CATALOGS])


def _entries(po):
    return [e for e in po if not e.obsolete]


def _translations(e) -> list[str]:
    return list(e.msgstr_plural.values()) if e.msgid_plural else [e.msgstr]


def test_apps_with_their_own_catalog_are_found():
    assert GLOBAL.exists()
    for path in CATALOGS[1:]:
        assert path.parent.parent.parent.parent == SRC / _name(path)


@catalogs
def test_header_declares_simplified_chinese(path):
    po = polib.pofile(str(path))
    assert po.metadata.get("Language") == "zh_Hans"
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
    assert po.metadata.get("Plural-Forms", "").replace(" ", "").startswith("nplurals=1;plural=0")
    assert not po.metadata_is_fuzzy, "the header is still marked fuzzy"


@catalogs
def test_every_message_is_translated(path):
    po = polib.pofile(str(path))
    assert _entries(po), "empty catalog"
    missing = [e.msgid for e in _entries(po) if not all(t.strip() for t in _translations(e))]
    fuzzy = [e.msgid for e in _entries(po) if "fuzzy" in e.flags]
    assert missing == [], f"{len(missing)} untranslated in {path}: {missing[:10]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy in {path}: {fuzzy[:10]}"


@catalogs
def test_translations_keep_the_placeholders(path):
    po = polib.pofile(str(path))
    wrong = []
    for e in _entries(po):
        expected = sorted(PLACEHOLDER.findall(e.msgid_plural or e.msgid))
        if e.msgid_plural:
            # One Chinese form serves singular and plural: it may use the plural's placeholders.
            expected_singular = sorted(PLACEHOLDER.findall(e.msgid))
            ok = all(sorted(PLACEHOLDER.findall(t)) in (expected, expected_singular) for t in _translations(e))
        else:
            ok = all(sorted(PLACEHOLDER.findall(t)) == expected for t in _translations(e))
        if not ok:
            wrong.append(e.msgid)
    assert wrong == [], f"placeholders differ in {path}: {wrong[:10]}"


@catalogs
def test_compiled_catalog_matches_the_source(path):
    po = polib.pofile(str(path))
    mo_path = path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} missing (run tools/i18n.sh)"
    compiled = {(e.msgctxt, e.msgid): e for e in polib.mofile(str(mo_path))}
    for e in _entries(po):
        if not e.translated():
            continue
        key = (e.msgctxt, e.msgid)
        assert key in compiled, f"not compiled: {e.msgid!r} (run tools/i18n.sh)"
        assert _translations(compiled[key]) == _translations(e), f"stale translation for {e.msgid!r}"


def _main(html: str) -> str:
    """The page's own content, without the shared navigation other apps add links to."""
    return html.split("<main>", 1)[1].split("</main>", 1)[0]


def _english_client() -> Client:
    client = Client()
    client.cookies["techtransfer_language"] = "en"
    return client


@pytest.mark.django_db
def test_organizations_page_in_both_languages(make_org):
    make_org(name="滇池科技有限公司", kind=OrgKind.ENTERPRISE)
    zh = Client().get("/organizations/").content.decode()
    assert 'lang="zh-hans"' in zh
    for text in ("机构", "企业", "统一社会信用代码", "筛选", "滇池科技有限公司"):
        assert text in zh, text
    assert "Organizations" not in _main(zh) and "Enterprise" not in _main(zh)
    en = _english_client().get("/organizations/").content.decode()
    assert 'lang="en"' in en
    for text in ("Organizations", "Enterprise", "Filter", "滇池科技有限公司"):
        assert text in en, text
    with translation.override("zh-hans"):
        assert translation.gettext("Organizations") != "Organizations"


@pytest.mark.django_db
def test_people_page_in_both_languages(make_org):
    org = make_org(region=WUHUA)
    broker = Person.objects.create(name="李经纪", organization=org, region_id=WUHUA)
    BrokerProfile.objects.create(person=broker, level=BrokerLevel.SENIOR, certificate_no="YN-T-1")
    expert = Person.objects.create(name="王专家", region_id=WUHUA)
    ExpertProfile.objects.create(person=expert, titles="教授")
    zh = Client().get("/people/").content.decode()
    for text in ("人才", "技术经纪人", "高级", "专家", "技术领域", "李经纪", "王专家"):
        assert text in zh, text
    assert "Broker level" not in _main(zh) and "Senior" not in _main(zh)
    en = _english_client().get("/people/").content.decode()
    assert 'lang="en"' in en
    for text in ("People", "Broker level", "Senior", "Expert", "李经纪"):
        assert text in en, text
