"""What a user meets at the command line: help and defaults on every option, "did you mean" for a
misspelt key or --set path, and clean errors (exit 2, no traceback) for a bad --scheduler."""

from __future__ import annotations

import argparse

import pytest

from conftest import BASELINE
from model.__main__ import main, parser
from model.scenario.load import did_you_mean, known_keys


def _subcommands():
    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices


@pytest.mark.parametrize("command", sorted(_subcommands()))
def test_every_option_has_help_and_says_its_default(command):
    sp = _subcommands()[command]
    for action in sp._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        name = action.option_strings[0] if action.option_strings else action.dest
        assert action.help, f"{command} {name}: no help text"
        if action.option_strings and not action.required:  # an option a user may leave out: what then?
            assert "default" in action.help, f"{command} {name}: help does not give the default: {action.help!r}"


def test_help_of_every_subcommand_prints(capsys):
    for command in _subcommands():
        with pytest.raises(SystemExit) as exit_:
            main([command, "--help"])
        assert exit_.value.code == 0
        assert capsys.readouterr().out.startswith(f"usage: community-model {command} ")


def test_did_you_mean():
    assert did_you_mean("atrition", ["attrition", "pay", "hiring"]) == "; did you mean 'attrition'?"
    assert did_you_mean("zzz", ["attrition", "pay"]) == ""
    # the schema's keys at a location: a section's fields, and the top level's
    assert "reference_wage_monthly" in known_keys(("pay",))
    assert {"attrition", "pay", "hiring"} <= set(known_keys(()))


def test_misspelt_scenario_key_suggests_the_right_one(tmp_path, capsys):
    f = tmp_path / "s.yaml"
    f.write_text(f"extends: {BASELINE}\nname: s\ntitle: t\nrationale: r\n"
                 "pay:\n  reference_wage_montly: {value: 3000, assumption: x}\n", encoding="utf-8")
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert "pay.reference_wage_montly (s.yaml:6): unknown key; did you mean 'reference_wage_monthly'?" in err


@pytest.mark.parametrize("setting, expected", [
    ("atrition.rate.staff=0.1", "no section 'atrition' in the scenario; did you mean 'attrition'?"),
    ("attrition.rate.staf=0.1", "attrition.rate.staf (--set): unknown key; did you mean 'staff'?"),
])
def test_misspelt_set_path_suggests_the_right_one(tmp_path, capsys, setting, expected):
    assert main(["run", str(BASELINE), "--draws", "2", "--out", str(tmp_path / "o"), "--set", setting]) == 2
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("address", ["localhost:8786", "tcp://127.0.0.1:port", "tcp://127.0.0.1", "tcp://:8786",
                                     "http://127.0.0.1:8786"])
@pytest.mark.parametrize("command", ["run", "sweep"])
def test_malformed_scheduler_address_is_exit_2(tmp_path, capsys, address, command):
    extra = ["--grid", "attrition.rate.staff=0.05,0.1"] if command == "sweep" else []
    status = main([command, str(BASELINE), "--draws", "2", "--out", str(tmp_path / "o"), "--scheduler", address, *extra])
    err = capsys.readouterr().err
    assert status == 2, err
    assert f"--scheduler {address!r}: not a scheduler address" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_scheduler_without_workers_is_a_user_error():
    from distributed import LocalCluster

    from model.analysis.distributed import Runner
    from model.errors import UserError

    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        with pytest.raises(UserError, match="the scheduler has no workers"):
            with Runner(scheduler=cluster.scheduler_address, progress=False, timeout=1):
                pass
