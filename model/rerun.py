"""``python -m model rerun reports/X/manifest.json``: reproduce a recorded run and check it byte for byte.

The recorded scenario file is run again with the recorded seed and draws into a temporary folder.
If the new ``summary.csv`` has the recorded run digest (its sha256), the run is reproduced (exit 0).
Otherwise the command lists what differs between then and now (code version, Python and package
versions, the scenario files of the ``extends`` chain, the resolved parameters) and the first row of
``summary.csv`` that changed (exit 1). A manifest that cannot be read is a user error (exit 2).
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
from pathlib import Path

from model.errors import UserError
from model.inputs import MB, read_input
from model.paths import input_file

# Manifest keys a re-run needs, with their type.
REQUIRED = {"scenario_file": str, "seed": int, "draws": int, "run_digest": str, "files": dict,
            "parameters_sha256": str, "code_version": str, "packages": dict}


def read_manifest(path: str | Path) -> dict:
    """The manifest at ``path`` (a manifest.json or the report folder holding one), checked for the keys a re-run needs."""
    path = Path(path)
    if path.is_dir():
        path = path / "manifest.json"
    try:
        text = read_input(path, "manifest", 16 * MB).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"manifest {path}: not UTF-8 text (byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: a manifest is a JSON object, not a {type(data).__name__}")
    problems = []
    for key, kind in REQUIRED.items():
        if key not in data:
            problems.append(f"{key}: missing")
        elif not isinstance(data[key], kind) or isinstance(data[key], bool):
            problems.append(f"{key}: expected {kind.__name__}, got {data[key]!r}")
    overrides = data.get("overrides", [])
    if not (isinstance(overrides, list) and all(isinstance(o, str) for o in overrides)):
        problems.append(f"overrides: expected a list of dotted.path=value texts, got {overrides!r:.80}")
    if problems:
        raise UserError(f"{path}: not a run manifest", problems)
    return data


def differences(recorded: dict, current: dict) -> list[str]:
    """What differs between the recorded manifest and the manifest of the re-run, one line per item."""
    out = []
    for key in ("code_version", "git_commit", "engine_sha256", "python", "parameters_sha256"):
        if key in recorded and recorded.get(key) != current.get(key):
            out.append(f"{key}: recorded {recorded.get(key)}, now {current.get(key)}")
    old, new = recorded["packages"], current["packages"]
    for pkg in sorted(set(old) | set(new)):
        if old.get(pkg) != new.get(pkg):
            out.append(f"package {pkg}: recorded {old.get(pkg)}, now {new.get(pkg)}")
    old, new = recorded["files"], current["files"]
    for name in sorted(set(old) | set(new)):
        if name not in new:
            out.append(f"input file {name}: recorded, but no longer in the scenario's extends chain")
        elif name not in old:
            out.append(f"input file {name}: now in the extends chain, not recorded")
        elif old[name] != new[name]:
            out.append(f"input file {name}: changed (sha256 recorded {old[name][:12]}…, now {new[name][:12]}…)")
    return out


def first_change(recorded: bytes, rerun: bytes) -> str:
    """The first (year, metric) row and column where two summary.csv files differ, and how many rows do."""
    if recorded == rerun:
        return ("summary.csv beside the manifest is identical to the re-run's, but its digest is not the recorded one: "
                "the manifest was edited")
    import pandas as pd

    a = pd.read_csv(io.BytesIO(recorded), dtype=str, keep_default_na=False)
    b = pd.read_csv(io.BytesIO(rerun), dtype=str, keep_default_na=False)
    if list(a.columns) != list(b.columns):
        return f"summary.csv columns: recorded {list(a.columns)}, now {list(b.columns)}"
    a, b = a.set_index(["year", "metric"]), b.set_index(["year", "metric"])
    if not a.index.equals(b.index):
        only_old, only_new = a.index.difference(b.index), b.index.difference(a.index)
        return (f"summary.csv rows: {len(only_old)} only in the recorded run (first {list(only_old[:1])}), "
                f"{len(only_new)} only in the re-run (first {list(only_new[:1])})")
    changed = (a != b).any(axis=1)
    (year, metric) = changed[changed].index[0]
    column = next(c for c in a.columns if a.at[(year, metric), c] != b.at[(year, metric), c])
    return (f"summary.csv: {int(changed.sum())} of {len(a)} rows differ; first {metric} in {year}, "
            f"{column}: recorded {a.at[(year, metric), column]}, now {b.at[(year, metric), column]}")


def rerun(manifest_path: str | Path) -> tuple[bool, list[str]]:
    """Re-run a recorded run; return (reproduced, lines explaining the outcome)."""
    from model.outputs import manifest, write_run
    from model.scenario.load import load_scenario
    from model.simulation.results import simulate

    manifest_path = Path(manifest_path)
    recorded = read_manifest(manifest_path)
    # recorded relative to the working folder; else one shipped with the model (the checkout's or the package's)
    scenario_file = input_file(recorded["scenario_file"])
    if not scenario_file.is_file():
        raise UserError(f"{manifest_path}: the recorded scenario file {recorded['scenario_file']} was not found (it is "
                        "recorded relative to the folder the run was made in: rerun from there)")
    sc = load_scenario(scenario_file, overrides=recorded.get("overrides", []))
    results = simulate(sc, draws=recorded["draws"], seed=recorded["seed"], progress=False)
    with tempfile.TemporaryDirectory(prefix="rerun-") as tmp:
        summary = (write_run(results, Path(tmp) / "run", workbook=False) / "summary.csv").read_bytes()
    digest = hashlib.sha256(summary).hexdigest()
    if digest == recorded["run_digest"]:
        return True, [f"reproduced: summary.csv has the recorded run digest {digest}"]
    lines = [f"not reproduced: summary.csv digest recorded {recorded['run_digest']}, now {digest}"]
    recorded_summary = (manifest_path.parent if manifest_path.is_file() else manifest_path) / "summary.csv"
    if recorded_summary.is_file():
        lines.append(first_change(recorded_summary.read_bytes(), summary))
    causes = differences(recorded, manifest(results, summary))
    lines += causes or ["code version, Python, packages, input files and parameters are all as recorded; "
                        "the difference comes from something the manifest does not record (e.g. the machine)"]
    return False, lines


def cmd_rerun(args) -> int:
    reproduced, lines = rerun(args.manifest)
    print("\n".join(lines))
    return 0 if reproduced else 1


def add_commands(subparsers, commands) -> None:
    p = subparsers.add_parser("rerun", help="re-run a recorded run from its manifest.json and check summary.csv byte for byte")
    p.add_argument("manifest", metavar="MANIFEST.json", help="manifest.json of a run folder (or the folder)")
    commands["rerun"] = cmd_rerun
