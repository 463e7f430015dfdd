"""East of England network reference data (../shared/reference/domain.md §3.1–§3.3).

Loaded by `python manage.py load_units`; afterwards the admin is the place to change units (mergers,
new codes). Loading again updates the units by ODS code and never deletes one.
"""

from __future__ import annotations

from typing import TypedDict


class UnitRow(TypedDict):
    ods: str
    former: str
    name: str
    short: str
    trust: str
    trust_ods: str
    designation: str
    cooling_centre: bool
    lat: float | None
    lon: float | None


NETWORK = {"name": "East of England Neonatal ODN", "short_name": "East of England", "code": "EOE", "region_code": "Y61"}


def _u(ods: str, short: str, name: str, trust: str, trust_ods: str, designation: str, lat: float | None,
       lon: float | None, *, former: str = "", cooling_centre: bool = False) -> UnitRow:
    return UnitRow(ods=ods, former=former, name=name, short=short, trust=trust, trust_ods=trust_ods,
                   designation=designation, cooling_centre=cooling_centre, lat=lat, lon=lon)


CUH = "Cambridge University Hospitals NHS Foundation Trust"
BED = "Bedfordshire Hospitals NHS Foundation Trust"
MSE = "Mid and South Essex NHS Foundation Trust"
ESNEFT = "East Suffolk and North Essex NHS Foundation Trust"
NWA = "North West Anglia NHS Foundation Trust"

UNITS: list[UnitRow] = [
    _u("RGT01", "Addenbrooke's (Rosie)", "Addenbrooke's Hospital (Rosie NICU), Cambridge", CUH, "RGT",
       "NICU", 52.1751, 0.1408, cooling_centre=True),
    _u("RM102", "Norfolk & Norwich", "Norfolk and Norwich University Hospital",
       "Norfolk and Norwich University Hospitals NHS Foundation Trust", "RM1", "NICU", 52.6175, 1.2212,
       cooling_centre=True),
    _u("RC971", "Luton & Dunstable", "Luton and Dunstable Hospital", BED, "RC9", "NICU", 51.8943, -0.4742,
       cooling_centre=True),
    _u("RC979", "Bedford", "Bedford Hospital (South Wing)", BED, "RC9", "SCU", 52.1288, -0.4712,
       former="RC112"),
    _u("RWH01", "Lister", "Lister Hospital, Stevenage", "East and North Hertfordshire NHS Trust", "RWH",
       "LNU", 51.9246, -0.2127),
    _u("RWG02", "Watford", "Watford General Hospital", "West Hertfordshire Teaching Hospitals NHS Trust",
       "RWG", "LNU", 51.6486, -0.4053),
    _u("RQWG0", "Princess Alexandra", "Princess Alexandra Hospital, Harlow",
       "The Princess Alexandra Hospital NHS Trust", "RQW", "LNU", 51.7715, 0.0855),
    _u("RQ8L0", "Broomfield", "Broomfield Hospital, Chelmsford", MSE, "RAJ", "LNU", 51.7747, 0.4660),
    _u("RAJ12", "Basildon", "Basildon University Hospital", MSE, "RAJ", "LNU", 51.5582, 0.4519,
       former="RDDH0"),
    _u("RAJ01", "Southend", "Southend University Hospital", MSE, "RAJ", "LNU", 51.5538, 0.6886),
    _u("RDEE4", "Colchester", "Colchester General Hospital", ESNEFT, "RDE", "LNU", 51.9102, 0.8992),
    _u("RDE03", "Ipswich", "Ipswich Hospital", ESNEFT, "RDE", "LNU", 52.0568, 1.1979),
    _u("RGR50", "West Suffolk", "West Suffolk Hospital, Bury St Edmunds", "West Suffolk NHS Foundation Trust",
       "RGR", "SCU", 52.2317, 0.7092),
    _u("RGN80", "Peterborough", "Peterborough City Hospital", NWA, "RGN", "LNU", 52.5839, -0.2794),
    _u("RGN90", "Hinchingbrooke", "Hinchingbrooke Hospital, Huntingdon", NWA, "RGN", "SCU", 52.3334, -0.2027),
    _u("RCX70", "King's Lynn", "The Queen Elizabeth Hospital, King's Lynn",
       "The Queen Elizabeth Hospital, King's Lynn, NHS Foundation Trust", "RCX", "LNU", 52.7566, 0.4467),
    _u("RGP75", "James Paget", "James Paget University Hospital, Gorleston",
       "James Paget University Hospitals NHS Foundation Trust", "RGP", "LNU", 52.5617, 1.7180),
    # PaNDR has no ODS code of its own (domain.md §3.2): a local code under the host trust RGT.
    _u("RGT-PANDR", "PaNDR (formerly ANTS)", "PaNDR – Paediatric and Neonatal Decision support and Retrieval "
       "(formerly ANTS)", CUH, "RGT", "TRANSPORT", 52.1751, 0.1408, former="ANTS"),
]
