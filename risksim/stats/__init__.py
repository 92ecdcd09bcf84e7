"""Every estimator, once: EL/SD/VaR/ES with their errors, weighted tails, exceedance with
Wilson bounds, replicate errors (:mod:`~risksim.stats.measures`), influence functions
(:mod:`~risksim.stats.influence`)."""
