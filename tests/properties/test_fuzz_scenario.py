"""Fuzzing the scenario loader: any bad file ends in a UserError naming what and where, never another exception.

Inputs: arbitrary text and bytes, random YAML documents (lists, scalars, NaN, infinities), deep nesting,
alias bombs, oversized files, random mutations of the baseline's keys and values; then extreme values of
every parameter that pass the loader must still end in a result or a UserError when simulated.
"""

from __future__ import annotations

import math
import warnings

import pytest
import yaml
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from test_reference import SMALL

import model
from conftest import BASELINE
from model.errors import UserError
from model.scenario.load import MAX_FILE_BYTES, load_scenario
from model.scenario.schema import leaf_paths

BASE_TREE = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
BASE_MODEL = load_scenario(BASELINE).model

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([-1, 0, 1, 2, 0.5, 1.5, -0.5, 1e300, 2020, 2100, 1800]),
    st.text(max_size=20), st.sampled_from(["chief", "village", "staff", "2021", "", "~", "null"]),
)
keys = st.one_of(st.text(max_size=12), st.integers(1900, 2200), st.sampled_from(["value", "source", "assumption", "extends"]))
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
                         max_leaves=30)


def load_text(tmp_path, text: str | bytes, name="fuzz.yaml"):
    """Load ``text`` as a scenario file; return the scenario or the UserError (anything else propagates)."""
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    try:
        return load_scenario(path)
    except UserError as err:
        message = str(err)
        assert name in message or err.problems, message
        for problem in err.problems:
            assert name in problem or BASELINE.name in problem or problem.startswith("..."), problem
        return err


@given(st.text(max_size=300))
def test_any_text(tmp_path_factory, text):
    load_text(tmp_path_factory.mktemp("t"), text)


@given(st.binary(max_size=300))
def test_any_bytes(tmp_path_factory, data):
    load_text(tmp_path_factory.mktemp("b"), data)


@given(documents)
# a whole document wrapped in `value:` has no line for its `extends`: the message still names the file
@example({"value": {"extends": "0"}})
@example({"value": {"extends": ""}})
@example({"value": {"extends": False}})
def test_any_yaml_document(tmp_path_factory, doc):
    text = yaml.safe_dump(doc, allow_unicode=True)
    result = load_text(tmp_path_factory.mktemp("d"), text)
    assert isinstance(result, UserError)
    if not isinstance(doc, dict):
        assert "must be a YAML mapping" in str(result) or "empty" in str(result)


@pytest.mark.parametrize("depth", [21, 200, 900])
@pytest.mark.parametrize("style", ["block", "flow_list", "flow_map"])
def test_deep_nesting(tmp_path, depth, style):
    if style == "block":
        text = "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "1\n"
    elif style == "flow_list":
        text = "a: " + "[" * depth + "]" * depth + "\n"
    else:
        text = "a: " + "{b: " * depth + "1" + "}" * depth + "\n"
    result = load_text(tmp_path, text)
    assert "nested" in str(result) or "problem" in str(result), str(result)


def test_alias_bomb(tmp_path):
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    result = load_text(tmp_path, "\n".join(lines) + "\n")
    assert "aliases (*name) are not allowed" in str(result)


def test_oversized_file(tmp_path):
    result = load_text(tmp_path, "# " + "x" * MAX_FILE_BYTES + "\nname: big\n")
    assert f"at most {MAX_FILE_BYTES:,}" in str(result)


# ----------------------------------------------------------------------------- mutations of the baseline


def paths(tree, prefix=()):
    """Every key path in a YAML tree (mappings and lists), leaves and sections alike."""
    out = [prefix] if prefix else []
    if isinstance(tree, dict):
        for k, v in tree.items():
            out += paths(v, (*prefix, k))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            out += paths(v, (*prefix, i))
    return out


BASE_PATHS = paths(BASE_TREE)


@st.composite
def mutants(draw):
    """The baseline tree with one to three keys replaced, deleted, renamed or added."""
    import copy

    tree = copy.deepcopy(BASE_TREE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(BASE_PATHS))
        parent = tree
        for key in path[:-1]:
            if not isinstance(parent, (dict, list)) or key not in (parent if isinstance(parent, dict) else range(len(parent))):
                break
            parent = parent[key]
        else:
            key = path[-1]
            if isinstance(parent, dict) and key in parent:
                op = draw(st.sampled_from(["value", "value", "delete", "rename", "add"]))
                if op == "value":
                    parent[key] = draw(documents)
                elif op == "delete":
                    del parent[key]
                elif op == "rename":
                    parent[draw(keys)] = parent.pop(key)
                else:
                    parent[draw(keys)] = draw(documents)
            elif isinstance(parent, list) and key < len(parent):
                parent[key] = draw(documents)
    return tree


@given(mutants())
def test_mutated_baseline(tmp_path_factory, tree):
    load_text(tmp_path_factory.mktemp("m"), yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), "mutant.yaml")


# ----------------------------------------------------------------------------- extreme values that reach the engine

LEAVES = sorted(leaf_paths(BASE_MODEL))
EXTREMES = [".inf", "-.inf", ".nan", "-1", "0", "0.0", "1.0e+15", "1.0e+300", "1000000", "{}", "{2020: .inf}", "{2020: 1.0e+15}",
            "[]", "true", "''", "{2020: 0, 2021: 1.0e+15}", "{1990: 1}", "9" * 5000, "{2020: " + "9" * 4400 + "}"]


@given(st.lists(st.tuples(st.sampled_from(LEAVES), st.sampled_from(EXTREMES)), min_size=1, max_size=2))
def test_extreme_values_simulate_or_fail_cleanly(changes):
    """Whatever the loader accepts, a (small) run finishes with finite results or stops with a UserError."""
    overrides = SMALL + [f"{path}={value}" for path, value in changes]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = model.simulate(BASELINE, draws=1, seed=1, progress=False, overrides=overrides)
    except UserError:
        return
    for name, values in results.metrics.items():
        assert all(math.isfinite(v) for v in values.ravel()), f"{name} is not finite with {changes}"


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "-0.1", "1.5"])
def test_bad_rates_are_named(value):
    with pytest.raises(UserError) as err:
        load_scenario(BASELINE, overrides=[f"attrition.rate.staff={value}", f"social_insurance.employer.pension={value}"])
    assert "attrition.rate.staff (--set)" in str(err.value)
    assert "social_insurance.employer.pension (--set)" in str(err.value)


@given(st.sampled_from(["quota", "attrition.rate", "opening.headcount", "hiring.new_hire.age_min"]),
       st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10))
def test_unknown_posts_are_named(section, post):
    assume(post not in ("chief", "deputy", "member", "staff"))
    with pytest.raises(UserError) as err:
        load_scenario(BASELINE, overrides=[f"{section}.{post}=1"])
    assert f"{section}.{post}" in str(err.value)


# ----------------------------------------------------------------------------- text that a spreadsheet would run

TEXT_FIELDS = ["title", "rationale", "issuer", "status"]
formula_like = st.builds(lambda head, tail: head + tail, st.sampled_from(["=", "+", "-", "@", "\t=", "=HYPERLINK("]),
                         st.text(max_size=12))


@settings(max_examples=10)  # each example writes a run folder
@given(st.sampled_from(TEXT_FIELDS), formula_like, formula_like)
def test_formula_like_text_stays_text(tmp_path_factory, field, text, note):
    """Any text field of a scenario, or a parameter's note, that begins like a formula is written to the
    workbook as text and to CSV with a leading apostrophe (OWASP)."""
    import openpyxl
    import pandas as pd

    folder = tmp_path_factory.mktemp("f")
    sc = folder / "s.yaml"
    sc.write_text(yaml.safe_dump({"name": "s", "title": "t", "rationale": "t", field: text, "extends": str(BASELINE),
                                  "elections": {"turnover": {"value": 0.2, "assumption": note}}}, allow_unicode=True),
                  encoding="utf-8")
    try:
        results = model.simulate(sc, draws=1, seed=1, progress=False, overrides=SMALL)
    except UserError:  # text a YAML file cannot hold (e.g. a control character) is refused by the loader
        assume(False)
    out = model.write_run(results, folder / "run")
    wb = openpyxl.load_workbook(out / "budget.xlsx")
    formulas = [c.value for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert all(f.startswith("=SUM(") for f in formulas), formulas[:3]
    p = pd.read_csv(out / "parameters.csv", dtype=str, keep_default_na=False)
    written = p[p.path == "elections.turnover"].source.iloc[0]
    assert written.startswith("'") and written[1:].strip() == note.strip()  # (CSV may not keep a trailing CR)
