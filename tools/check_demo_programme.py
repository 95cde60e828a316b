#!/usr/bin/env python3
"""Check the demonstration programmes against the import format and the 2021 bilan's figures.

Independent of tools/make_demo_programme.py: re-reads fixtures/demo/programmation_2021.csv and
programmation_2020.csv (and the codes of fixtures/reference/), prints every figure, and exits
non-zero when any figure or rule differs.

Usage: python3 tools/check_demo_programme.py
"""

import csv
import re
import sys
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The import format's columns (a standard-library module of the project).
sys.path.insert(0, str(ROOT))
from projects.imports.format import COLUMNS, DOSSIER_COLUMNS  # noqa: E402

REFERENCE = ROOT / "fixtures" / "reference"
DEMO = ROOT / "fixtures" / "demo"

HEADER = ";".join(COLUMNS)
PILIERS = ["cohesion_sociale", "cadre_de_vie", "emploi", "pilotage"]
FUNDERS = {
    "anct",
    "etat_droit_commun",
    "region",
    "departement",
    "caf",
    "cabbalr",
    "cabbalr_fcs",
    "commune",
    "bailleur",
    "france_travail",
    "fse",
    "autre",
}
SPECIFIC = {"anct", "cabbalr_fcs"}
KINDS = {"association", "commune", "epci", "bailleur", "etablissement_public", "entreprise", "autre"}
STATUSES = {"brouillon", "depose", "en_instruction", "programme", "refuse", "abandonne", "justifie", "solde"}
PROGRAMMED = {"programme", "justifie", "solde"}
PRIORITY = {"1.1", "1.5", "2.1"}
AMOUNT = re.compile(r"^\d+\.\d\d$")

FOCUS_2021 = {
    "PV2021-001": (
        "Qualification des Aidants Numériques",
        "Dév And You",
        "association",
        "cohesion_sociale",
        "1.5",
    ),
    "PV2021-002": ("Lutte contre les discriminations", "CABBALR", "epci", "cohesion_sociale", "1.6"),
    "PV2021-003": (
        "Job & Go ! De l'Artois à l'Europe pour l'emploi",
        "Association Léo-Lagrange",
        "association",
        "emploi",
        "2.1",
    ),
    "PV2021-004": (
        "Mission d'appui aux équipes des Programmes de Réussite Educative (PRE)",
        "CABBALR",
        "epci",
        "pilotage",
        "4.1",
    ),
}

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def expect(label, value, expected):
    ok = value == expected
    print(f"  {label}: {value}" + ("" if ok else f"   <-- expected {expected}"))
    check(ok, f"{label}: {value} != {expected}")


def expect_range(label, value, low, high):
    ok = low <= value <= high
    print(f"  {label}: {value}" + ("" if ok else f"   <-- expected within [{low}, {high}]"))
    check(ok, f"{label}: {value} not within [{low}, {high}]")


def percent(part, whole):
    if not whole:
        return "0.0"
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def money(value):
    return f"{value:.2f}"


def luhn_is_valid(digits):
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit * 2 > 9 else digit * 2
        total += digit
    return total % 10 == 0


def reference():
    with open(REFERENCE / "qpv_cabbalr.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    codes = {row["code_2015"] for row in rows} | {row["code_2024"] for row in rows}
    with open(REFERENCE / "thematiques_anct.csv", encoding="utf-8") as handle:
        themes = {row["code"]: row["pilier"] for row in csv.DictReader(handle)}
    return codes, themes


QPV_CODES, THEMES = reference()


def load(year):
    """Structural checks of one file; returns its dossiers: reference -> {columns, lines}."""
    path = DEMO / f"programmation_{year}.csv"
    raw = path.read_bytes()
    check(not raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: starts with a BOM")
    text = raw.decode("utf-8")
    lines = text.splitlines()
    check(lines[0] == HEADER, f"{path.name}: header differs")
    rows = list(csv.reader(text.splitlines(), delimiter=";"))
    bad = [n for n, row in enumerate(rows, start=1) if len(row) != len(COLUMNS)]
    check(not bad, f"{path.name}: rows without {len(COLUMNS)} fields: {bad[:5]}")
    header = rows[0]
    dossiers = {}
    operators = {}
    for number, values in enumerate(rows[1:], start=2):
        row = dict(zip(header, values, strict=True))
        where = f"{path.name} row {number}"
        check(row["annee"] == str(year), f"{where}: annee")
        check(row["nature"] == "", f"{where}: nature not empty")
        check(row["financeur"] in FUNDERS, f"{where}: financeur {row['financeur']}")
        check(row["statut"] in STATUSES, f"{where}: statut")
        check(row["type_porteur"] in KINDS, f"{where}: type_porteur")
        check(row["pilier"] in PILIERS, f"{where}: pilier")
        check(THEMES.get(row["thematique"]) == row["pilier"], f"{where}: thematique not of its pilier")
        check(row["thematique"] not in ("1.5a", "1.5b"), f"{where}: thematique 1.5a/1.5b")
        check(
            re.fullmatch(rf"PV{year}-\d{{3}}", row["numero_dossier"]) is not None, f"{where}: numero_dossier"
        )
        quartiers = row["quartiers"].split("|") if row["quartiers"] else []
        check(len(quartiers) <= 3 and all(code in QPV_CODES for code in quartiers), f"{where}: quartiers")
        check(len(set(quartiers)) == len(quartiers), f"{where}: repeated quartier")
        if row["siret"]:
            siret = row["siret"].replace(" ", "")
            check(
                len(siret) == 14
                and siret.isdigit()
                and luhn_is_valid(siret)
                and not siret.startswith("356000000"),
                f"{where}: siret {row['siret']}",
            )
        check(AMOUNT.match(row["montant_demande"]) is not None, f"{where}: montant_demande format")
        requested = Decimal(row["montant_demande"])
        check(requested == requested.to_integral_value(), f"{where}: requested not whole euros")
        if row["montant_accorde"]:
            check(AMOUNT.match(row["montant_accorde"]) is not None, f"{where}: montant_accorde format")
            granted = Decimal(row["montant_accorde"])
            check(granted == granted.to_integral_value(), f"{where}: granted not whole euros")
            check(granted <= requested, f"{where}: granted > requested")
        else:
            granted = None
        if row["statut"] in PROGRAMMED:
            check(granted is not None, f"{where}: programmed line without a granted amount")
            if row["financeur"] in SPECIFIC:
                check(granted is not None and granted > 0, f"{where}: granted 0 on a specific line")
        else:
            check(granted is None, f"{where}: granted amount on a dossier not programmed")
        identity = (row["porteur"], row["siret"], row["type_porteur"])
        operators.setdefault(row["porteur"], set()).add(identity)
        columns = tuple(row[c] for c in DOSSIER_COLUMNS)
        dossier = dossiers.setdefault(row["numero_dossier"], {"columns": columns, "lines": []})
        check(dossier["columns"] == columns, f"{where}: dossier columns differ from its first row")
        dossier["lines"].append((row["financeur"], requested, granted))
    for name, identities in operators.items():
        check(len(identities) == 1, f"{path.name}: operator {name} has differing SIRET/type")
    sirets = Counter(ident[1] for ids in operators.values() for ident in ids if ident[1])
    check(all(count == 1 for count in sirets.values()), f"{path.name}: a SIRET shared by two operators")
    titles = Counter(d["columns"][0] for d in dossiers.values())
    check(all(count == 1 for count in titles.values()), f"{path.name}: duplicate titles")
    references = sorted(dossiers)
    check(
        references == [f"PV{year}-{n:03d}" for n in range(1, len(references) + 1)],
        f"{path.name}: numero_dossier not consecutive",
    )
    for reference_, dossier in dossiers.items():
        funders = [line[0] for line in dossier["lines"]]
        check(2 <= len(funders) <= 6, f"{path.name}: {reference_} has {len(funders)} lines")
        check(len(set(funders)) == len(funders), f"{path.name}: {reference_} repeats a funder")
        if dossier["columns"][4] == "pilotage":
            check(dossier["columns"][6] == "", f"{path.name}: {reference_} pilotage with quartiers")
    return dossiers, operators


def figures(year, dossiers, operators):
    """Print the year's figures; return them."""
    filed = {r: d for r, d in dossiers.items() if d["columns"][7] != "brouillon"}
    programmed = {r: d for r, d in dossiers.items() if d["columns"][7] in PROGRAMMED}
    statuses = Counter(d["columns"][7] for d in dossiers.values())
    by_pilier = Counter(d["columns"][4] for d in programmed.values())
    assoc = Counter(d["columns"][4] for d in programmed.values() if d["columns"][3] == "association")
    anct = [r for r, d in programmed.items() if any(f == "anct" and g and g > 0 for f, _, g in d["lines"])]
    fcs_lines = [(r, g) for r, d in programmed.items() for f, _, g in d["lines"] if f == "cabbalr_fcs" and g]
    sums = defaultdict(Decimal)
    priority = Decimal(0)
    for dossier in programmed.values():
        pilier, theme = dossier["columns"][4], dossier["columns"][5]
        for funder, _, granted in dossier["lines"]:
            sums[(pilier, "sp" if funder in SPECIFIC else "dc")] += granted
            if theme in PRIORITY:
                priority += granted
    total = sum(sums.values())
    specific = sum(v for (p, n), v in sums.items() if n == "sp")
    result = {
        "filed": len(filed),
        "brouillon": statuses["brouillon"],
        "programmed": len(programmed),
        "statuses": dict(sorted(statuses.items())),
        "by_pilier": by_pilier,
        "assoc": assoc,
        "associative": sum(assoc.values()),
        "anct": len(anct),
        "fcs_projects": len({r for r, _ in fcs_lines}),
        "fcs_total": sum((g for _, g in fcs_lines), Decimal(0)),
        "fcs_lines": fcs_lines,
        "sums": sums,
        "total": total,
        "specific": specific,
        "priority": priority,
        "programmed_dossiers": programmed,
        "operators": len(operators),
        "with_siret": sum(1 for ids in operators.values() if next(iter(ids))[1]),
    }
    print(f"{year}:")
    print(f"  statuses: {result['statuses']}")
    print(f"  distinct porteurs: {result['operators']} (with a SIRET: {result['with_siret']})")
    return result


def check_2021(dossiers, operators):
    f = figures(2021, dossiers, operators)
    expect("dossiers filed", f["filed"], 141)
    expect("dossiers brouillon", f["brouillon"], 2)
    expect("dossiers programmed", f["programmed"], 127)
    expect("refused", f["statuses"].get("refuse", 0), 10)
    expect("abandoned", f["statuses"].get("abandonne", 0), 4)
    check(all(f["statuses"].get(s, 0) > 0 for s in PROGRAMMED), "2021: a programmed status is unused")
    for pilier, count in zip(PILIERS, (88, 10, 24, 5), strict=True):
        expect(f"programmed {pilier}", f["by_pilier"][pilier], count)
    expect("associative programmed dossiers", f["associative"], 75)
    for pilier, count, share in zip(PILIERS, (54, 2, 18, 1), ("72.0", "2.7", "24.0", "1.3"), strict=True):
        expect(f"associative {pilier}", f["assoc"][pilier], count)
        expect(f"associative {pilier} %", percent(f["assoc"][pilier], f["associative"]), share)
    expect("programmed dossiers with a granted anct line", f["anct"], 122)
    expect("FCS projects", f["fcs_projects"], 22)
    expect("FCS envelope", money(f["fcs_total"]), "92921.00")
    programmed = f["programmed_dossiers"]
    check(
        all(programmed[r]["columns"][3] == "association" for r, _ in f["fcs_lines"]),
        "FCS to a non-association",
    )
    check(all(1500 <= g <= 8000 for _, g in f["fcs_lines"]), "FCS grant outside 1 500-8 000")
    expected = {
        "cohesion_sociale": ("2030892.00", "2704035.00", "4734927.00", "68.3"),
        "cadre_de_vie": ("52050.00", "672671.00", "724721.00", "10.5"),
        "emploi": ("704966.00", "702549.00", "1407515.00", "20.3"),
        "pilotage": ("11025.00", "53275.00", "64300.00", "0.9"),
    }
    for pilier, (dc, sp, tot, share) in expected.items():
        amount = f["sums"][(pilier, "dc")] + f["sums"][(pilier, "sp")]
        expect(f"{pilier} droit commun", money(f["sums"][(pilier, "dc")]), dc)
        expect(f"{pilier} specifique", money(f["sums"][(pilier, "sp")]), sp)
        expect(f"{pilier} total", money(amount), tot)
        expect(f"{pilier} %", percent(amount, f["total"]), share)
    expect("grand total", money(f["total"]), "6931463.00")
    expect("specific total", money(f["specific"]), "4132530.00")
    expect("specific %", percent(f["specific"], f["total"]), "59.6")
    expect_range("priority thematiques granted", int(f["priority"]), 4987088, 4994018)
    expect("priority thematiques %", percent(f["priority"], f["total"]), "72.0")
    for reference_, (title, porteur, kind, pilier, theme) in FOCUS_2021.items():
        dossier = dossiers.get(reference_)
        ok = (
            dossier is not None
            and dossier["columns"][:2] == (title, porteur)
            and dossier["columns"][3:6] == (kind, pilier, theme)
            and dossier["columns"][7] in PROGRAMMED
        )
        print(f"  focus {reference_}: {title} / {porteur}" + ("" if ok else "   <-- wrong"))
        check(ok, f"focus dossier {reference_}")
    check(any(f == "cabbalr_fcs" and g for f, _, g in dossiers["PV2021-001"]["lines"]), "focus 1 without FCS")
    refused_anct = sum(
        1
        for d in dossiers.values()
        if d["columns"][7] == "refuse" and any(line[0] == "anct" for line in d["lines"])
    )
    print(f"  refused dossiers requesting anct: {refused_anct}")
    check(refused_anct > 0, "no refused dossier requests anct")
    return f


def check_2020(dossiers, operators, operators_2021):
    f = figures(2020, dossiers, operators)
    expect_range("dossiers filed", f["filed"], 125, 135)
    expect_range("dossiers programmed", f["programmed"], 113, 123)
    expect_range("grand total", int(f["total"]), 6300000, 6900000)
    print(
        f"  grand total: {money(f['total'])}; specific {money(f['specific'])} "
        f"({percent(f['specific'], f['total'])} %)"
    )
    for pilier in PILIERS:
        amount = f["sums"][(pilier, "dc")] + f["sums"][(pilier, "sp")]
        print(
            f"  {pilier}: {f['by_pilier'][pilier]} dossiers, {money(amount)} ({percent(amount, f['total'])} %), "
            f"droit commun {money(f['sums'][(pilier, 'dc')])}, specifique {money(f['sums'][(pilier, 'sp')])}"
        )
    print(
        f"  associative programmed dossiers: {f['associative']}; anct: {f['anct']}; "
        f"FCS: {f['fcs_projects']} projects, {money(f['fcs_total'])}"
    )
    expect("programmed statuses used", set(f["statuses"]) & PROGRAMMED, {"solde", "justifie"})
    expect("priority thematiques %", percent(f["priority"], f["total"]), "69.0")
    expect("priority thematiques share exactly 69.00 %", f["priority"] * 100 == f["total"] * 69, True)
    shared = set(operators) & set(operators_2021)
    print(f"  porteurs shared with 2021: {len(shared)} of {len(operators)}")
    check(len(shared) >= 0.8 * len(operators), "2020 reuses too few 2021 porteurs")
    for name in shared:
        check(operators[name] == operators_2021[name], f"porteur {name} differs between 2020 and 2021")
    return f


def main():
    dossiers_2021, operators_2021 = load(2021)
    check_2021(dossiers_2021, operators_2021)
    dossiers_2020, operators_2020 = load(2020)
    check_2020(dossiers_2020, operators_2020, operators_2021)
    if failures:
        print(f"\n{len(failures)} FAILURE(S):")
        for message in failures[:50]:
            print(f"  - {message}")
        return 1
    print("\nAll checks passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
