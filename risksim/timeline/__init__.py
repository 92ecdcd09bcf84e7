"""The claims and cash-flow timeline (simpy): each simulation's scheme life as dated flows.

Driven by the engine's own draws: the allocation decides every amount (the ledger's
per-event payments), the timeline decides when each is paid and whether the payer has the
cash. Modules, each with one job:

- :mod:`~risksim.timeline.settings` — the scenario's ``timeline`` section compiled for a plan;
- :mod:`~risksim.timeline.dates` — default, NPL, recovery and exit dates of each default;
- :mod:`~risksim.timeline.amounts` — who pays whom for each default, read off the ledger;
- :mod:`~risksim.timeline.obligations` — the flows known in advance, summed per
  (simulation, day, kind, payer, payee);
- :mod:`~risksim.timeline.model` — the simpy model paying them out of each party's cash;
- :mod:`~risksim.timeline.outputs` — cash paths, shortfalls, present values, NPL ratio;
- :mod:`~risksim.timeline.run` — one block, and the task a backend runs.

The tables of a run, saved and read back, are :mod:`risksim.results.timeline`.

Use it through ``risksim.simulate(scenario, timeline=True)`` or ``risksim run --timeline``.
"""
