"""The package as a user installs it: the wheel holds the scenarios, notebooks, template and fonts; once
installed into a fresh virtual environment it answers --version and writes report.pdf from another folder.
Also the packages list in pyproject.toml, LICENSE and CITATION.cff."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# what a wheel needs from the checkout to be built
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "model", "scenarios", "notebooks")


def test_every_python_package_is_listed():
    """pyproject.toml lists the packages by name (scenarios and notebooks are mapped into model/_data), so a
    new subpackage of model/ must be added there, or the wheel would lack it."""
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "model").rglob("__init__.py")}
    assert found <= listed, f"not in pyproject.toml [tool.setuptools] packages: {sorted(found - listed)}"


def test_version_from_pyproject_and_citation(capsys):
    from model.__main__ import main

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"community-model {PYPROJECT['project']['version']}")
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["version"] == PYPROJECT["project"]["version"]
    assert citation["license"] == PYPROJECT["project"]["license"] == "MIT"
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_engine_digest_is_of_the_engine_sources():
    import hashlib

    from model.version import engine_sha256

    expected = hashlib.sha256((ROOT / "model" / "simulation" / "engine.py").read_bytes()
                              + (ROOT / "model" / "simulation" / "reference.py").read_bytes())
    assert engine_sha256() == expected.hexdigest()


def _run(cmd, **kw):
    done = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert done.returncode == 0, f"{cmd}: exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the checkout (the build leaves the checkout untouched)."""
    src, dist = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("dist")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        else:
            shutil.copy2(ROOT / name, src / name)
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(dist), str(src)])
    [whl] = dist.glob("*.whl")
    return whl


@pytest.mark.slow
def test_wheel_holds_the_data_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in ("model/_data/scenarios/baseline.yaml", "model/_data/scenarios/ranges/sensitivity_ranges.yaml",
                    "model/_data/scenarios/ranges/key_assumptions.yaml", "model/_data/notebooks/budget_report.ipynb",
                    "model/_data/notebooks/scenario_comparison.ipynb", "model/report/template.typ",
                    "model/report/fonts/NotoSansSC-Regular.ttf"):
        assert shipped in names, shipped
    for scenario in (ROOT / "scenarios").glob("*.yaml"):
        assert f"model/_data/scenarios/{scenario.name}" in names
    assert any(n.endswith("entry_points.txt") for n in names)
    assert not any("__pycache__" in n or n.startswith("tests/") for n in names)


@pytest.mark.slow
def test_installed_wheel_writes_the_report_from_another_folder(wheel, tmp_path):
    """A fresh venv sees the project venv's third-party packages through a .pth file (no download), and the
    model only from the wheel."""
    env_dir, work = tmp_path / "venv", tmp_path / "work"
    work.mkdir()
    _run([sys.executable, "-m", "venv", str(env_dir)])
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    py = bin_dir / ("python.exe" if os.name == "nt" else "python")
    site = Path(_run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (site / "project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    _run([str(py), "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", str(wheel)])
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"  # the kernel's python is the new venv's

    where = _run([str(py), "-c", "import model.paths as p; print(p.PACKAGE); print(p.data_file('scenarios/baseline.yaml'))"],
                 cwd=work, env=env).stdout.split()
    assert all(Path(w).is_relative_to(env_dir) for w in where), where
    cli = bin_dir / ("community-model.exe" if os.name == "nt" else "community-model")
    version = _run([str(cli), "--version"], cwd=work, env=env).stdout
    assert version.strip() == f"community-model {PYPROJECT['project']['version']}"  # no git commit: not a checkout
    assert _run([str(py), "-m", "model", "--version"], cwd=work, env=env).stdout == version

    shutil.copy2(ROOT / "scenarios" / "baseline.yaml", work / "my_city.yaml")
    _run([str(cli), "report", "my_city.yaml", "--draws", "20", "--quiet"], cwd=work, env=env, timeout=600)
    out = work / "reports" / "baseline"
    assert (out / "report.pdf").read_bytes()[:5] == b"%PDF-"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario_file"] == "my_city.yaml"
    assert manifest["git_commit"] is None and manifest["code_version"] == PYPROJECT["project"]["version"]
    # the shipped scenario by its name in the source tree, from a folder that has no scenarios/
    _run([str(cli), "validate", "scenarios/certificate_push.yaml"], cwd=work, env=env)


def test_readme_ways_in_name_real_extras_and_files():
    """The install commands in the README (make, venv + pip on Linux and Windows, conda, the Chinese quick
    start) name extras that exist and files that are there."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    extras = set(PYPROJECT["project"]["optional-dependencies"])
    named = set(re.findall(r'-e "\.\[([a-z,]+)\]"', readme))
    assert named and all(set(n.split(",")) <= extras for n in named), named
    for command in ("make report", "make test", ".venv\\Scripts\\python -m pip install -c constraints.txt",
                    "conda env create -f environment.yml", "community-model report scenarios\\baseline.yaml", "快速上手"):
        assert command in readme, command
    for name in ("constraints.txt", "environment.yml", "LICENSE", "CITATION.cff"):
        assert (ROOT / name).is_file(), name
    assert PYPROJECT["project"]["scripts"]["community-model"] == "model.__main__:main"
