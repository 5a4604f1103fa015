"""Accounting identities, run on the raw tallies at the end of every simulation (and in tests).

Each check compares tallies the engine keeps separately, so a bookkeeping slip in one shows up:
- headcount roll-forward per post: end = start + hires - exits + net moves (persons, exact);
- exits by kind add up to exits by post;
- cost by post and cost by regime each add up to the cost lines (fen, exact);
- the wage-bill bridge: last year's total + the steps = this year's total (fen, exact);
- no negative stock or flow, and headcount within the slots the engine had.
"""

from __future__ import annotations

import numpy as np

from model.lines import CONTRIBUTIONS, OTHER_LINES, PAY_PARTS
from model.simulation import metrics as M


class IdentityError(RuntimeError):
    """An accounting identity failed: a bug in the model, not in the input."""


def _first(bad: np.ndarray, years: np.ndarray) -> str:
    d, t = np.argwhere(bad)[0][:2]
    return f"draw {d}, year {years[t]}"


def check_raw(raw: np.ndarray, years: np.ndarray) -> None:
    """Raise IdentityError naming the first draw and year where an identity fails."""
    hc = raw[:, :, M.R_HC]
    flows = raw[:, 1:, M.R_HIRES] + raw[:, 1:, M.R_ELECTED_OUT] - raw[:, 1:, M.R_EXITS_POST] + raw[:, 1:, M.R_MOVES]
    bad = hc[:, 1:] != hc[:, :-1] + flows
    if bad.any():
        raise IdentityError(f"headcount roll-forward fails at {_first(bad.any(axis=2), years[1:])}")
    by_kind = raw[:, :, M.R_EXIT_KINDS].sum(axis=2)
    bad = by_kind != raw[:, :, M.R_EXITS_POST].sum(axis=2)
    if bad.any():
        raise IdentityError(f"exits by kind differ from exits by post at {_first(bad, years)}")
    lines = [M.RAW[x] for x in PAY_PARTS + tuple(c.metric for c in CONTRIBUTIONS)]  # pay and contributions
    cost = raw[:, :, lines].sum(axis=2)
    arrears = raw[:, :, M.R_ARR_PRINCIPAL] + raw[:, :, M.R_ARR_FEES]
    others = [M.RAW[x] for x in OTHER_LINES]
    other = raw[:, :, others].sum(axis=2)
    for name, parts, extra, rest in (("post", M.R_COST_POST, M.R_ARR_POST, M.R_OTHER_POST),
                                     ("regime", M.R_COST_REGIME, M.R_ARR_REGIME, M.R_OTHER_REGIME)):
        bad = ((raw[:, :, parts].sum(axis=2) != cost) | (raw[:, :, extra].sum(axis=2) != arrears)
               | (raw[:, :, rest].sum(axis=2) != other))
        if bad.any():
            raise IdentityError(f"cost by {name} does not add up to the cost lines at {_first(bad, years)}")
    steps = raw[:, 1:, [M.R_BR_EXITS, M.R_BR_HIRES, M.R_BR_PROG, M.R_BR_CERT, M.R_BR_UPRATE, M.R_BR_CONTRIB]].sum(axis=2)
    bad = cost[:, :-1] + steps != cost[:, 1:]
    if bad.any():
        raise IdentityError(f"wage-bill bridge does not close at {_first(bad, years[1:])}")
    counts = [*M.R_HC, *M.R_HIRES, *M.R_ELECTED_OUT, *M.R_ELECTED_STAFF, M.R_ELECTED_CERT, *M.R_EXITS_POST, *M.R_EXIT_KINDS,
              *M.R_CERT, M.R_SAT, M.R_PASSES, *others, *M.R_GRADE, M.R_ARR_OUT, *lines, M.R_ARR_PRINCIPAL, M.R_ARR_FEES]
    bad = (raw[:, :, counts] < 0).any(axis=2)
    if bad.any():
        raise IdentityError(f"negative count or amount at {_first(bad, years)}")
    bad = raw[:, :, M.R_GRADE].sum(axis=2) != hc.sum(axis=2)
    if bad.any():
        raise IdentityError(f"grade distribution does not add up to headcount at {_first(bad, years)}")
