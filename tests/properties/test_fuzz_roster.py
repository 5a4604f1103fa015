"""Fuzzing the roster reader, and personal data: any bad roster ends in a UserError naming the file and row;
personal columns are dropped with a warning and none of their values reach any output."""

from __future__ import annotations

import csv
import datetime as dt
import warnings
import zipfile

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import BASELINE
from model.__main__ import main
from model.errors import UserError
from model.scenario.load import load_scenario
from model.scenario.params import resolve
from model.simulation.population import Roster
from model.simulation.roster import REQUIRED, PersonalDataWarning, read_roster

SCENARIO = load_scenario(BASELINE)
PARAMS = resolve(SCENARIO.model)
COLUMNS = [*REQUIRED, "id", "regime", "grade", "arrears_months"]
VALID = {
    "id": st.integers(1, 30).map(str), "post": st.sampled_from(["chief", "deputy", "member", "staff"]),
    "regime": st.sampled_from(["contract", "establishment", "reference", ""]), "sex": st.sampled_from(["F", "M"]),
    "birth": st.tuples(st.integers(1950, 2004), st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}"),
    "education": st.sampled_from(["high_school", "college", "bachelor", "master"]),
    "service_years": st.integers(0, 10).map(str), "contribution_years": st.integers(0, 30).map(str),
    "certificate": st.sampled_from(["none", "junior", "intermediate", "senior"]),
    "grade": st.integers(1, 18).map(str), "arrears_months": st.integers(0, 24).map(str),
}
JUNK = st.one_of(st.text(max_size=8), st.sampled_from(["", "-1", "1e400", "nan", "inf", "3.5", "2020-13", "1990-00", "0000-01",
                                                       "9999-12", "1990-6-1", "１９９０-０６", "99999999999999999999", "None"]))


def cell(column):
    return st.one_of(VALID[column], JUNK) if column in VALID else JUNK


@st.composite
def tables(draw):
    """A header (mostly the right columns, some missing, renamed, padded or doubled) and rows of mostly valid cells."""
    header = [c for c in COLUMNS if draw(st.integers(0, 9))]  # each column dropped one time in ten
    header += draw(st.lists(st.one_of(st.text(max_size=6), st.sampled_from([" post", "post ", "sex", "id", "年龄"])), max_size=2))
    rows = draw(st.lists(st.tuples(*[cell(c) for c in header]), max_size=6))
    return header, rows


def read(tmp_path, name, write):
    """Write a roster with ``write(path)`` and read it: a Roster, or the UserError naming the file."""
    path = tmp_path / name
    write(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PersonalDataWarning)
            return read_roster(path, SCENARIO.model, PARAMS)
    except UserError as err:
        assert name in str(err), str(err)
        return err


def write_csv(header, rows):
    def write(path):
        with path.open("w", newline="", encoding="utf-8", errors="surrogatepass") as f:
            out = csv.writer(f)
            out.writerow(header)
            out.writerows(rows)
    return write


@given(tables())
def test_csv_tables(tmp_path_factory, table):
    result = read(tmp_path_factory.mktemp("c"), "roster.csv", write_csv(*table))
    assert isinstance(result, (Roster, UserError))
    header, rows = table
    if isinstance(result, Roster):
        assert len(result.wid) == len(rows)


xlsx_cells = st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.floats(allow_nan=False, allow_infinity=False),
                       st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
                       st.sampled_from(["=1/0", "=A1", "#N/A", "staff", "F", "1990-06", "bachelor", "none", "3"]),
                       st.text(max_size=8).filter(lambda s: not s.startswith("=")))


@given(st.lists(st.one_of(st.sampled_from(COLUMNS), st.integers(0, 9), st.none()), max_size=12),
       st.lists(st.lists(xlsx_cells, max_size=12), max_size=5), st.booleans())
def test_xlsx_with_odd_cells(tmp_path_factory, header, rows, merged):
    def write(path):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(header)
        for row in rows:
            sheet.append([c.replace("\x00", "") if isinstance(c, str) else c for c in row])
        if merged:
            sheet.merge_cells("A1:B2")
        book.save(path)
    try:
        read(tmp_path_factory.mktemp("x"), "roster.xlsx", write)
    except openpyxl.utils.exceptions.IllegalCharacterError:
        pass  # openpyxl cannot write the cell; not the reader's concern


@given(st.binary(max_size=400), st.sampled_from(["roster.csv", "roster.xlsx", "roster.xlsm"]))
def test_files_that_are_not_rosters(tmp_path_factory, data, name):
    result = read(tmp_path_factory.mktemp("b"), name, lambda p: p.write_bytes(data))
    assert isinstance(result, UserError)


def test_zip_that_is_not_a_workbook(tmp_path):
    def write(path):
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("hello.txt", "not a workbook")
    assert isinstance(read(tmp_path, "roster.xlsx", write), UserError)


@pytest.mark.parametrize("content, message", [
    ("", "cannot read the roster"),
    (",".join(REQUIRED) + "\n", "the roster has no rows"),
    ("post,sex\nstaff,F\n", "missing column(s) birth"),
    (",".join(REQUIRED) + "\nstaff,F,2020-13,college,1,1,none\n", "row 2, birth: '2020-13' is not a month"),
    (",".join(REQUIRED) + "\nstaff,F,1990-02,college,40,1,none\n", "row 2, service_years: 40 years is impossible"),
    ("id," + ",".join(REQUIRED) + "\n7,staff,F,1990-02,college,1,1,none\n7,staff,M,1990-02,college,1,1,none\n",
     "rows 2, 3: duplicate id '7'"),
])
def test_named_roster_problems(tmp_path, content, message):
    result = read(tmp_path, "roster.csv", lambda p: p.write_text(content, encoding="utf-8"))
    assert isinstance(result, UserError) and message in str(result), str(result)


def test_missing_roster_and_wrong_suffix(tmp_path):
    assert "not found" in str(read(tmp_path, "absent.csv", lambda p: None))
    assert "must be .csv or .xlsx" in str(read(tmp_path, "roster.txt", lambda p: p.write_text("post\n")))


# ----------------------------------------------------------------------------- personal data

PERSONAL = {"姓名": ["张秀英测", "李建国测"], "身份证号": ["420202198807150023", "42020219790301441X"],
            "电话": ["13912345678", "15887654321"], "name": ["Wang Fangtest", "Liu Yangtest"],
            "id_number": ["420203199512120045", "420204196610100017"], "phone": ["+86 714 6231234", "+86 714 6235678"]}
ROWS = [["staff", "contract", "F", "1988-07", "college", "5", "12", "junior"],
        ["chief", "establishment", "M", "1979-03", "bachelor", "12", "25", "intermediate"]]


def output_text(folder) -> str:
    """Every written file's text: CSV/JSON as is, parquet as its table, xlsx as its unzipped XML parts."""
    parts = []
    for path in sorted(folder.rglob("*")):
        data = path.read_bytes()
        parts.append(data.decode("utf-8", "replace"))
        if path.suffix == ".parquet":
            parts.append(pd.read_parquet(path).to_csv())
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                parts += [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
    return "\n".join(parts)


def test_personal_columns_warn_and_never_reach_outputs(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    frame = pd.DataFrame(ROWS, columns=["post", "regime", "sex", "birth", "education", "service_years",
                                        "contribution_years", "certificate"])
    for column, values in PERSONAL.items():
        frame[column] = values
    frame.to_csv(roster, index=False)
    with pytest.warns(PersonalDataWarning, match="姓名.*身份证号.*电话.*name.*id_number.*phone"):
        read_roster(roster, SCENARIO.model, PARAMS)
    out = tmp_path / "reports" / "with_roster"
    with pytest.warns(PersonalDataWarning):
        status = main(["run", str(BASELINE), "--draws", "3", "--quiet", "--out", str(out),
                       "--set", f"opening.roster_file={roster}", "--set", "opening.establishment.special=1",
                       "--set", "opening.establishment.reference=0"])
    assert status == 0
    captured = capsys.readouterr()
    written = output_text(out) + captured.out + captured.err
    assert "budget.xlsx" in {p.name for p in out.iterdir()}
    for column, values in PERSONAL.items():
        for value in values:
            assert value not in written, f"{column} value {value!r} appears in the output"
