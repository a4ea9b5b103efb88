#!/usr/bin/env python3
"""Write core/data/countries.tsv: every ISO 3166-1 country's short name in
English and Spanish, for the notes check (core/src/calls/notes_check.rs).

The names come from Debian's iso-codes package (the ISO 3166-1 list and its
Spanish translation): `apt-get install iso-codes`, then run this script from
the repository's root. A name's qualifier after a comma or a parenthesis is
dropped ("Bolivia, Plurinational State of" -> "Bolivia"), as people say it.
"""

import gettext
import json
import re
import sys

ISO = "/usr/share/iso-codes/json/iso_3166-1.json"
OUT = "core/data/countries.tsv"


def short(name: str) -> str:
    return re.split(r",| \(", name)[0].strip()


def main() -> int:
    with open(ISO, encoding="utf-8") as f:
        rows = json.load(f)["3166-1"]
    es = gettext.translation("iso_3166-1", "/usr/share/locale", languages=["es"])
    lines = [
        "# ISO 3166-1 short country names, English and Spanish, from Debian's",
        "# iso-codes package; written by scripts/countries.py. alpha-2, en, es.",
    ]
    for row in sorted(rows, key=lambda r: r["alpha_2"]):
        english = short(row.get("common_name", row["name"]))
        spanish = short(es.gettext(row["name"]))
        lines.append(f"{row['alpha_2']}\t{english}\t{spanish}")
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
