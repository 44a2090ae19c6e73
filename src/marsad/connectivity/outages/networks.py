"""Iraqi networks and regions: which ASN serves which governorates, in which region.

The list is shipped as editable data (``data/networks.csv``; its header says
where each fact comes from and which are unverified). A deployment can point
``MARSAD_CONNECTIVITY_NETWORKS`` at its own copy with the same columns.
Governorates are OCHA P-codes from :mod:`marsad.core.places`; the Kurdistan
Region is Duhok, Erbil and Sulaymaniyah (IQG09, IQG11, IQG06).
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from marsad.core.errors import InvalidInput
from marsad.core.places import COUNTRY, GOVERNORATE, gazetteer

NETWORKS_FILE = Path(__file__).resolve().parent / "data" / "networks.csv"
KURDISTAN = "kurdistan"
FEDERAL = "federal"
REGIONS = (FEDERAL, KURDISTAN, "both")
KURDISTAN_GOVERNORATES = frozenset({"IQG06", "IQG09", "IQG11"})
# Other spellings of region entities seen in IODA and in the field.
_REGION_ALIASES = {
    "krg": KURDISTAN,
    "kurdistan": KURDISTAN,
    "kurdistan region": KURDISTAN,
    "as sulaymaniyah": "IQG06",
    "sulaymaniyah": "IQG06",
    "dahuk": "IQG09",
    "duhok": "IQG09",
    "arbil": "IQG11",
    "erbil": "IQG11",
}


@dataclass(frozen=True)
class Network:
    """One autonomous system: who runs it and where it serves."""

    asn: str
    operator: str
    region: str
    governorates: tuple[str, ...]
    in_sample: bool
    name_status: str


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def normalise_asn(value: str) -> str:
    """``50710``, ``as50710`` or ``AS 50710`` → ``AS50710``; an error otherwise."""
    digits = re.fullmatch(r"(?i)\s*(?:as)?\s*(\d{1,10})\s*", str(value))
    if not digits:
        raise InvalidInput("err_bad_asn", f"not an ASN: {value!r}", where="asn")
    return f"AS{int(digits.group(1))}"


def read_networks(path: Path) -> list[Network]:
    """The networks file; a bad row is an error naming file and line."""
    governorates = {row.pcode for row in gazetteer() if row.level == GOVERNORATE}
    lines = [
        line
        for line in path.read_text(encoding="utf-8-sig").splitlines()
        if not line.startswith("#")
    ]
    networks = []
    for number, row in enumerate(csv.DictReader(lines), start=2):
        where = f"{path.name}: row {number}"
        try:
            asn = normalise_asn(row.get("asn") or "")
        except InvalidInput as exc:
            raise InvalidInput(exc.code, exc.message, where=where) from None
        region = (row.get("region") or "").strip()
        if region not in REGIONS:
            raise InvalidInput(
                "err_bad_network", f"region must be one of {', '.join(REGIONS)}", where=where
            )
        codes = tuple(c.strip() for c in (row.get("governorates") or "").split(";") if c.strip())
        unknown = [c for c in codes if c not in governorates]
        if unknown:
            raise InvalidInput(
                "err_bad_network", f"unknown governorate P-code {unknown[0]}", where=where
            )
        networks.append(
            Network(
                asn=asn,
                operator=(row.get("operator") or "").strip(),
                region=region,
                governorates=codes,
                in_sample=(row.get("in_ooni_iq_sample") or "").strip() == "yes",
                name_status=(row.get("name_status") or "").strip(),
            )
        )
    return networks


@cache
def _load(path: str) -> tuple[Network, ...]:
    return tuple(read_networks(Path(path)))


def networks() -> tuple[Network, ...]:
    """The configured networks (the shipped list unless the environment names another)."""
    return _load(os.environ.get("MARSAD_CONNECTIVITY_NETWORKS") or str(NETWORKS_FILE))


def network_map() -> dict[str, Network]:
    """Networks by ASN."""
    return {n.asn: n for n in networks()}


def governorate_region(pcode: str) -> str:
    """``kurdistan`` for Duhok, Erbil and Sulaymaniyah; ``federal`` for the others."""
    return KURDISTAN if pcode[:5] in KURDISTAN_GOVERNORATES else FEDERAL


@cache
def _governorate_names() -> dict[str, str]:
    names = {}
    for row in gazetteer():
        if row.level == GOVERNORATE:
            names[_fold(row.name_en)] = row.pcode
            names[_fold(row.name_en).removeprefix("al ")] = row.pcode
    return names


def region_pcode(code: str) -> str | None:
    """The governorate P-code a region entity stands for (``IQG06``, ``As-Sulaymaniyah``)."""
    if re.fullmatch(r"IQG\d\d", code.strip().upper()):
        return code.strip().upper()
    folded = _fold(code)
    alias = _REGION_ALIASES.get(folded)
    if alias and alias.startswith("IQG"):
        return alias
    return _governorate_names().get(folded)


def is_asn(code: str) -> bool:
    """Whether an entity code is an ASN (``AS50710``), not a region that starts with "As"."""
    return re.fullmatch(r"(?i)AS\d+", code.strip()) is not None


def region_of(code: str) -> str | None:
    """The region (``federal``/``kurdistan``) of an entity code, or None when it spans both."""
    if is_asn(code):
        network = network_map().get(code.upper())
        if network is None or network.region == "both":
            return None
        return network.region
    if code.upper() == COUNTRY:
        return None
    if _REGION_ALIASES.get(_fold(code)) == KURDISTAN:
        return KURDISTAN
    pcode = region_pcode(code)
    return governorate_region(pcode) if pcode else None


def governorates_of(code: str) -> tuple[str, ...]:
    """The governorates an entity covers: a network's, a region's own, or all for the country."""
    if code.upper() == COUNTRY:
        return tuple(r.pcode for r in gazetteer() if r.level == GOVERNORATE)
    if is_asn(code):
        network = network_map().get(code.upper())
        return network.governorates if network else ()
    if _REGION_ALIASES.get(_fold(code)) == KURDISTAN:
        return tuple(sorted(KURDISTAN_GOVERNORATES))
    pcode = region_pcode(code)
    return (pcode,) if pcode else ()
