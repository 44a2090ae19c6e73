"""The shipped networks list: readable, attributed to regions and governorates, checked."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from marsad.connectivity.outages import networks as nets
from marsad.core.errors import InvalidInput

from .conftest import run_cli


def test_the_shipped_list_places_each_network_in_iraq() -> None:
    listed = nets.network_map()
    assert listed["AS21277"].region == "kurdistan" and "IQG11" in listed["AS21277"].governorates
    assert listed["AS50710"].region == "federal"
    assert nets.region_of("AS48492") == "kurdistan"
    assert nets.region_of("AS59588") is None  # serves both regions
    assert nets.region_of("As-Sulaymaniyah") == "kurdistan"
    assert nets.region_of("IQG02") == "federal"
    assert nets.governorates_of("IQ") and len(nets.governorates_of("IQ")) == 18
    # Every ASN said to be in the OONI sample is there.
    sample = Path(__file__).parents[3].parent / "shared/formats/ooni/aggregation_iq"
    if not sample.exists():
        pytest.skip("needs ../shared/formats/ooni/aggregation_iq")
    seen = set()
    for path in sample.glob("*.csv"):
        with path.open(encoding="utf-8-sig") as handle:
            seen |= {f"AS{r['probe_asn']}" for r in csv.DictReader(handle) if r.get("probe_asn")}
    claimed = {n.asn for n in listed.values() if n.in_sample}
    assert claimed <= seen
    assert all(n.name_status == "unverified" for n in listed.values())


def test_a_bad_networks_file_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "networks.csv"
    path.write_text(
        "# comment\nasn,operator,region,governorates,in_ooni_iq_sample,name_status\n"
        "AS1,One,federal,IQG08,no,unverified\nAS2,Two,federal,IQG99,no,unverified\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as error:
        nets.read_networks(path)
    assert error.value.where == "networks.csv: row 3" and "IQG99" in error.value.message


def test_networks_command_lists_them() -> None:
    code, doc, _ = run_cli("networks", "--json")
    assert code == 0
    assert {"asn": "AS21277", "region": "kurdistan"}.items() <= next(
        n for n in doc["networks"] if n["asn"] == "AS21277"
    ).items()
