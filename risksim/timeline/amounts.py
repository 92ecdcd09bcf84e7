"""Who pays whom for each default: the ledger's per-event payments turned into cash flows.

The allocation decides the amounts; this module only reads the ledger. For an event with
principal P at default (plus the accrued interest lost, when loans accrue it) and loss L,
the lender is short of P on the default date and gets the recovery R = P − L when the
workout ends. Each party j bears c_j before recoveries
(its ``paid``, plus its ``recovered`` share when the scheme shares recoveries; shares of
the loss then become shares of the principal, so every transfer is scaled by f = P/L).
A counter-guarantor k that took over T(u→k) of u's payments reimburses u; so u pays the
lender directly

    D_u = c_u − Σ_w T(w→u) + Σ_k T(u→k)          (w, k: parties other than the lender)

(a transfer to the lender lowers D_u; one from the lender is the taker's direct payment).
Then the lender's flows add up to −P + Σ_j D_j + R − Σ_j r_j = −(its loss), and party
j's to −D_j − Σ_w T(w→j) + Σ_k T(j→k) + r_j = −c_j + r_j = −(its loss).

A reimbursement falls due once the payment it backs is made. Chains are followed as paths
π = (p0, p1, ..., pm) from a direct payer p0: a(p0) = D_p0, and pm's share of what p(m+1)
takes over, a(π + p(m+1)) = T(pm→p(m+1)) × a(π) / (everything pm pays for the event).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from risksim.compile.plan import SimulationPlan
from risksim.rules.base import Ledger, LossEvents
from risksim.timeline.settings import TimelineSettings

Path = tuple[int, ...]


@dataclass(frozen=True, eq=False)
class EventAmounts:
    """Cash flows of each event of a block (money).

    Attributes
    ----------
    principal, recovery : numpy.ndarray
        P (the lender's shortfall on the default date) and R = P − L (back at workout end).
    paths : tuple of tuple of int
        Payment paths in a fixed order (party indices; see the module docstring).
    along : numpy.ndarray
        (n_paths, n_events): a(π), what the last party of each path pays for the event —
        to the lender for a path of one party, else to the party before it.
    recovered : numpy.ndarray
        (n_parties, n_events): the recovery each party gets back from the lender.
    """

    principal: np.ndarray
    recovery: np.ndarray
    paths: tuple[Path, ...]
    along: np.ndarray
    recovered: np.ndarray


def event_amounts(settings: TimelineSettings, plan: SimulationPlan, events: LossEvents,
                  ledger: Ledger) -> EventAmounts:
    """Read each party's per-event flows off ``ledger`` (see the module docstring)."""
    parties, lender = settings.parties, settings.lender
    if events.principal is None:
        events = replace(events, principal=plan.loss_model.outstanding(events.loan,
                                                                       events.period))
    principal = events.shortfall
    loss = events.loss
    recovery = np.maximum(principal - loss, 0.0)
    zero = np.zeros_like(loss)
    if ledger.recovered:
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.where(loss > 0, principal / np.where(loss > 0, loss, 1.0), 0.0)
    else:
        scale = np.ones_like(loss)
    bears = [ledger.paid[p] + ledger.recovered.get(p, zero) for p in parties]
    transfers = {(parties.index(u), parties.index(k)): scale * amount
                 for (u, k), amount in ledger.transfers.items() if u != k}
    takes = {key: amount for key, amount in transfers.items() if lender not in key}
    direct = []
    total = []
    for j in range(len(parties)):
        taken_from = sum((a for (u, k), a in takes.items() if k == j), zero)
        taken_over = sum((a for (u, k), a in takes.items() if u == j), zero)
        direct.append(np.maximum(bears[j] - taken_from + taken_over, 0.0))
        total.append(direct[j] + taken_from)
    paths: list[Path] = []
    along: list[np.ndarray] = []
    stack: list[tuple[Path, np.ndarray]] = [((j,), direct[j]) for j in range(len(parties))
                                             if j != lender]
    while stack:
        path, amount = stack.pop(0)
        paths.append(path)
        along.append(amount)
        last = path[-1]
        with np.errstate(invalid="ignore", divide="ignore"):
            fraction = np.where(total[last] > 0, amount / np.where(total[last] > 0,
                                                                   total[last], 1.0), 0.0)
        stack += [((*path, k), takes[(last, k)] * fraction)
                  for (u, k) in takes if u == last and k not in path]
    recovered = np.array([ledger.recovered.get(p, zero) for p in parties])
    return EventAmounts(principal=principal, recovery=recovery, paths=tuple(paths),
                        along=np.array(along).reshape(len(paths), loss.size),
                        recovered=recovered)
