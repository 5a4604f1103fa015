"""The three ways of installing agree: pyproject.toml's ranges, constraints.txt's exact versions (used by
``make setup``) and environment.yml (conda)."""

from __future__ import annotations

import re
import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.version import Version

from conftest import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements() -> list[Requirement]:
    """Every dependency of the package and its extras, the package's references to its own extras left out."""
    reqs = [Requirement(r) for r in PROJECT["dependencies"]]
    for extra in PROJECT["optional-dependencies"].values():
        reqs += [Requirement(r) for r in extra]
    return [r for r in reqs if norm(r.name) != norm(PROJECT["name"])]


def constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not an exact pin"
            pins[norm(name)] = version
    return pins


def conda_pins() -> tuple[dict[str, str], list[str]]:
    """environment.yml's pins (conda and pip entries) and its other pip lines."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pins, other = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for p in dep["pip"]:
                if "==" in p:
                    name, version = p.split("==")
                    pins[norm(name)] = version
                else:
                    other.append(p)
        elif "=" in dep and not dep.startswith("python="):
            name, version = dep.split("=")
            pins[norm(name)] = version
    return pins, other


def test_every_dependency_has_a_range_and_an_exact_pin_inside_it():
    pins = constraints()
    for req in requirements():
        assert str(req.specifier) and "==" not in str(req.specifier), f"{req}: a range, not a pin, in pyproject.toml"
        assert norm(req.name) in pins, f"{req.name}: no exact version in constraints.txt"
        assert req.specifier.contains(Version(pins[norm(req.name)])), f"{req.name}=={pins[norm(req.name)]} not in {req}"
    # and nothing pinned that the package does not name
    assert set(pins) == {norm(r.name) for r in requirements()}


def test_environment_in_step_with_constraints():
    pins, other = conda_pins()
    assert pins == constraints()
    # the project itself, editable, from the folder of environment.yml
    assert [p for p in other if p.replace(" ", "").startswith("-e.")], "environment.yml installs the model with -e ."


def test_make_setup_installs_with_the_constraints():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"pip install .*-c constraints\.txt .*-e \"\.\[dev\]\"", makefile)
    assert "constraints.txt" in re.search(r"^\$\(STAMP\):.*$", makefile, re.M).group(0)
