"""The backtest table (docs/validation.md) is built from a run, and its seed rows agree with the seed."""

from __future__ import annotations

from model.analysis import backtest


def test_seed_figures_and_published_inputs_agree():
    rows = {item: (published, got) for item, published, _, _, got, _, _ in backtest.backtest(draws=4, seed=1)}
    # the seed's opening stock is reproduced exactly (162 communities, 2,072 posts, 1,068 两委, 941 staff)
    for item in ("Urban communities", "Approved posts (员额), 2021", "Full-time staff in post at the end of 2020 (874 + 67)",
                 "两委 in post at the end of 2020 (incl. 88 surplus)"):
        published, got = rows[item]
        assert got == published, item
    # the Hubei tier-2 ceiling for 2025: 300 % of the 7,226 standard = 21,678 (鄂人社发〔2025〕28号)
    assert rows["Contribution base ceiling 2025, Hubei tier 2 (黄石)"][1] == 3 * 7226
    assert round(rows["Contribution base floor 2025, Hubei tier 2 (黄石)"][1]) == 4299


def test_every_disagreement_is_explained():
    for item, published, _unit, source, got, diff, why in backtest.backtest(draws=4, seed=1):
        assert source
        if abs(diff) > max(1e-6, 0.005 * abs(published)):
            assert why, f"{item}: the model ({got}) differs from the published {published} without a reason"
