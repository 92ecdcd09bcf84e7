"""Scenario file and loans to a simulation plan: the loaded scenario
(:mod:`~risksim.compile.scenario`), the spec-to-rule factory (:mod:`~risksim.compile.rules`),
the compile step (:mod:`~risksim.compile.build`) and the plan the engine runs
(:mod:`~risksim.compile.plan`)."""
