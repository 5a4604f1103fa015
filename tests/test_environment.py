"""environment.yml (conda) lists the same packages at the same versions as pyproject.toml (pip)."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_environment_in_step_with_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pip = {norm(p.split("==")[0]): p.split("==")[1] for p in pins}
    assert all("==" in p for p in pins), "every dependency is pinned"
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for p in dep["pip"]:
                name, version = p.split("==")
                conda[norm(name)] = version
        elif "=" in dep and not dep.startswith("python="):
            name, version = dep.split("=")
            conda[norm(name)] = version
    assert conda == pip
