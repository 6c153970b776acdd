"""Build referential/data/cog-2026.json.gz from the npm package @etalab/decoupage-administratif.

Usage: uv run python scripts/build_referential_snapshot.py [--package-dir DIR]

Without --package-dir the script runs `npm pack @etalab/decoupage-administratif@6.0.0` in a
temporary folder (npm registry access needed, once, by whoever refreshes the snapshot). The
snapshot it writes is committed, so importing the referential never needs the network.

What is kept (see referential/data/PROVENANCE.md): the régions and départements of
metropolitan France and the five DROM, their current communes (code, name, SIREN, postcodes,
population), the EPCI à fiscalité propre and the EPT with their member communes.
"""

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = "@etalab/decoupage-administratif"
VERSION = "6.0.0"
VINTAGE = "2026"
ZONES = {"metro", "drom"}
OUTPUT = Path(__file__).resolve().parent.parent / "referential" / "data" / f"cog-{VINTAGE}.json.gz"


def fetch_package(workdir: Path) -> Path:
    subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=workdir, check=True)
    archive = next(workdir.glob("*.tgz"))
    subprocess.run(["tar", "xzf", archive.name], cwd=workdir, check=True)
    return workdir / "package"


def load(package_dir: Path, name: str) -> list[dict]:
    return json.loads((package_dir / "data" / f"{name}.json").read_text(encoding="utf-8"))


def build(package_dir: Path) -> dict:
    manifest = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))
    if manifest["version"] != VERSION:
        sys.exit(f"expected {PACKAGE} {VERSION}, found {manifest['version']}")
    regions = [
        {"code": r["code"], "name": r["nom"], "zone": r["zone"], "liaison": r["typeLiaison"]}
        for r in load(package_dir, "regions")
        if r["zone"] in ZONES
    ]
    departements = [
        {
            "code": d["code"],
            "name": d["nom"],
            "region": d["region"],
            "zone": d["zone"],
            "liaison": d["typeLiaison"],
        }
        for d in load(package_dir, "departements")
        if d["zone"] in ZONES
    ]
    communes = [
        {
            "code": c["code"],
            "name": c["nom"],
            "departement": c["departement"],
            "siren": c.get("siren", ""),
            "postcodes": c.get("codesPostaux", []),
            "population": c.get("population"),
        }
        for c in load(package_dir, "communes")
        if c["type"] == "commune-actuelle" and c["zone"] in ZONES
    ]
    kept = {c["code"] for c in communes}
    groupings = [
        {
            "siren": e["code"],
            "name": e["nom"],
            "nature": e["type"],
            "population": e.get("populationMunicipale"),
            "members": sorted(m["code"] for m in e["membres"] if m["code"] in kept),
        }
        for e in load(package_dir, "epci") + load(package_dir, "ept")
    ]
    return {
        "source": f"{PACKAGE}@{VERSION}",
        "vintage": VINTAGE,
        "licence": "Licence Ouverte / Open Licence 2.0 (Etalab)",
        "regions": regions,
        "departements": departements,
        "communes": communes,
        "epci": groupings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package-dir", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        package_dir = args.package_dir or fetch_package(Path(tmp))
        snapshot = build(package_dir)
    payload = json.dumps(snapshot, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    OUTPUT.write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    counts = {key: len(snapshot[key]) for key in ("regions", "departements", "communes", "epci")}
    print(f"wrote {OUTPUT.name} ({OUTPUT.stat().st_size:,} bytes): {counts}")


if __name__ == "__main__":
    main()
