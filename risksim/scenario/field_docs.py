"""What each key of a scenario file means, and its unit: the JSON Schema's descriptions (shown
by editors) and the scenario-file reference (``docs/scenario.md``) are made from this table.

Keyed ``Model.field`` by the pydantic models of :mod:`risksim.scenario.schema` and
:mod:`risksim.scenario.arrangement`; a test checks that every key of the schema is here.
Units: ``fraction`` (0.40, not 40), ``money`` (the scenario's ``currency``), ``years``,
``days``, ``count``, ``multiple`` (× an amount), ``money/year``; blank for names and choices.
"""

from __future__ import annotations

from typing import Any

FIELDS: dict[str, tuple[str, str]] = {
    # the file
    "ScenarioSpec.name": ("", "One line naming the scheme, printed above every summary."),
    "ScenarioSpec.description": ("", "Free text: what the scheme is, its sources."),
    "ScenarioSpec.currency": ("", "ISO 4217 code of every amount in the file and the results "
                              "(CNY, EUR, USD, JPY, ...)."),
    "ScenarioSpec.horizon": ("", "How long is simulated, and in how many periods a year."),
    "ScenarioSpec.portfolio": ("", "The loans: read from a file or generated."),
    "ScenarioSpec.defaults": ("", "Who defaults: the default model and its correlation."),
    "ScenarioSpec.arrangement": ("", "The parties, the layers that share each loss, the fees "
                                 "and the sharing of recoveries."),
    "ScenarioSpec.npl_tolerance": ("", "The regulator's tolerance for the lender's NPL ratio "
                                   "(recorded per simulation)."),
    "ScenarioSpec.simulation": ("", "Simulations, seed, reported levels and backend; the "
                                "command line and `simulate()` can override each."),
    "Horizon.years": ("years", "Length of the horizon; losses are summed over it."),
    "Horizon.periods_per_year": ("count", "Periods a year (1 to 365); PDs are spread over "
                                 "them as 1 − (1 − PD)^(1/periods)."),
    # portfolio
    "PortfolioSpec.file": ("", "CSV or Parquet file of loans, relative to the scenario file "
                           "(columns: README, Portfolio columns). Exactly one of `file` and "
                           "`generate`."),
    "PortfolioSpec.accrued_interest_days": ("days", "Days of interest (at each loan's "
                                            "`interest_rate`) unpaid at default and lost "
                                            "with the principal; 30/360: outstanding × "
                                            "rate × days / 360."),
    "PortfolioSpec.workout_cost_rate": ("fraction", "Share of each recovery spent on the "
                                        "workout; recoveries are shared net of it."),
    "PortfolioSpec.column_defaults": ("", "A value for every loan of a column the file lacks, "
                                      "e.g. `{tenor_years: 3}`."),
    "PortfolioSpec.generate": ("", "Draw a synthetic book from segments instead of a file."),
    "GeneratedPortfolio.seed": ("", "Seed of the loan generator (separate from the "
                                "simulation's seed)."),
    "GeneratedPortfolio.segments": ("", "Groups of loans, each with its PD, LGD, sizes and "
                                    "attributes."),
    "Segment.name": ("", "Name of the segment (unique); also the loans' size class unless "
                     "`size_class` is given."),
    "Segment.count": ("count", "Number of loans."),
    "Segment.exposure": ("money", "Loan size: one number for all, or lognormal "
                         "`{median, p95, cap}`."),
    "Segment.pd": ("fraction", "Probability of default over one year."),
    "Segment.tenor_years": ("years", "Term of each loan, or a mix `{1: 0.6, 3: 0.4}` of "
                            "terms and weights adding up to 1."),
    "Segment.amortisation": ("", "`bullet` (repaid at the end) or `instalment` (equal "
                             "repayments: less outstanding at later defaults)."),
    "Segment.origination_year": ("years", "Year of the horizon the loans are granted in "
                                 "(0: at the start), or a mix `{0: 0.5, 1: 0.5}`."),
    "Segment.lgd": ("fraction", "Loss given default: a number, or `{beta: {mean, sd}}` "
                    "drawn per default."),
    "Segment.sector": ("", "Sector of every loan (for eligibility, tiers, factors)."),
    "Segment.region": ("", "Region of every loan."),
    "Segment.size_class": ("", "Size class of every loan (default: the segment's name)."),
    "Segment.rating": ("", "Rating of every loan (for tiered shares and fees)."),
    "Segment.purpose": ("", "Purpose of every loan (e.g. `credit`, `ip_pledge`)."),
    "Segment.lender": ("", "The bank of every loan, or a mix `{bank_a: 0.7, bank_b: 0.3}` "
                       "drawn per loan."),
    "Segment.first_loan": ("", "Whether the loans are the borrowers' first bank loans."),
    "Segment.guarantee_age_years": ("years", "Years the borrowers have used guarantees "
                                    "(KODIT-style cover cuts)."),
    "Segment.interest_rate": ("fraction", "Annual interest rate, for accrued interest lost "
                              "at default."),
    "Segment.annual_sales_eur_m": ("EUR m", "Annual sales of the borrowers, for the Basel "
                                   "SME correlation (`correlation: basel_sme`)."),
    "Segment.collateral": ("", "Collateral pledged per loan."),
    "LognormalExposure.median": ("money", "Median loan size."),
    "LognormalExposure.p95": ("money", "95th percentile of the lognormal (above `median`)."),
    "LognormalExposure.cap": ("money", "Largest loan: sizes are drawn from the lognormal "
                              "truncated here."),
    "BetaLGD.beta": ("", "Mean and standard deviation of the beta distribution of LGD."),
    "BetaParameters.mean": ("fraction", "Mean LGD, strictly between 0 and 1."),
    "BetaParameters.sd": ("fraction", "Standard deviation of LGD; sd² < mean·(1 − mean)."),
    "Collateral.type": ("", "Kind of collateral (`patent`, `property`, ...), for "
                        "eligibility."),
    "Collateral.value_to_exposure": ("multiple", "Collateral value as a multiple of the "
                                     "loan."),
    "Collateral.haircut": ("fraction", "Share of the collateral's value lost in "
                           "liquidation: loss = LGD × max(0, outstanding − (1 − haircut) × "
                           "value)."),
    # default model
    "DefaultModelSpec.model": ("", "`gaussian_copula`, `t_copula` (fatter joint tails) or "
                               "`creditrisk_plus` (gamma-mixed Poisson sectors, CSFB 1997)."),
    "DefaultModelSpec.degrees_of_freedom": ("", "Degrees of freedom of the t copula "
                                            "(t_copula only)."),
    "DefaultModelSpec.correlation": ("fraction", "Asset correlation R: a number in [0, 1), "
                                     "`basel_corporate`, `basel_sme`, `basel_retail`, "
                                     "`from_portfolio` (the `rho` column) or "
                                     "`from_loadings` (the copulas only)."),
    "DefaultModelSpec.sectors": ("", "CreditRisk+ sectors: their variances and each loan's "
                                 "weights (creditrisk_plus only)."),
    "DefaultModelSpec.factors": ("", "Several correlated systematic factors (default: one)."),
    "DefaultModelSpec.lgd_dependence": ("", "`frye_jacobs`: LGD rises with the conditional "
                                        "default rate (Frye & Jacobs 2012); `none`."),
    "DefaultModelSpec.stress": ("", "A stress overlay on PDs and correlation."),
    "Factors.names": ("", "Names of the factors (unique)."),
    "Factors.correlation": ("fraction", "Correlation between factors: one number for every "
                            "pair, or the full matrix."),
    "Factors.assign_by": ("", "Each loan loads on the factor named by its `sector` or "
                          "`region`, or on several through `loading_<factor>` columns "
                          "(`loadings`)."),
    "Sectors.variances": ("", "σ_k² of each sector's gamma factor S_k (mean 1), a number "
                          "> 0 per sector name; loan i defaults (at most once) with "
                          "probability 1 − exp(−PD_i (w_i0 + Σ_k w_ik S_k))."),
    "Sectors.assign_by": ("", "A loan's weights follow its `sector`, `region` or "
                          "`size_class` (the segment) through `weights`, or its "
                          "`loading_<sector>` columns (`loadings`; the rest on sector 0)."),
    "Sectors.weights": ("fraction", "Per value of `assign_by`, the weight w_ik on each sector "
                        "and on `idiosyncratic` (sector 0), each ≥ 0, adding up to 1."),
    "Stress.pd_multiplier": ("multiple", "Every PD is multiplied by this; a PD it would "
                              "take above 1 is refused (never capped)."),
    "Stress.correlation_shift": ("fraction", "Added to every asset correlation."),
    # arrangement
    "Arrangement.parties": ("", "Every party that pays part of a loss, declared once."),
    "Arrangement.layers": ("", "Who pays what of each loss, applied in the order written; "
                           "the last is the lender with `residual: true`."),
    "Arrangement.fees": ("", "Fees paid beside the losses (guarantee fees, premiums)."),
    "Arrangement.recoveries": ("", "How recoveries are shared (tracked per party when "
                               "given)."),
    "Layer.party": ("", "The party paying this layer (one of `parties`)."),
    "Layer.share_of_loss": ("fraction", "Share of each covered loan's loss it pays: a "
                            "number, or tiered `{by: exposure, bands: [...]}` / "
                            "`{by: rating, values: {...}}`."),
    "Layer.base": ("", "What the share applies to: `loss` (net of recoveries, with accrued "
                   "interest), `principal_loss` (without interest) or `principal` "
                   "(outstanding at default)."),
    "Layer.interest_days_cap": ("days", "At most this many days of accrued interest are "
                                "covered."),
    "Layer.bonus": ("", "An extra share for loans meeting any of some conditions."),
    "Layer.share_of_layer": ("", "A counter-guarantee: a share of what an earlier party's "
                             "layer paid."),
    "Layer.tranche": ("", "A slice of the portfolio loss L: pays min(max(L − attach·V, 0), "
                      "(detach − attach)·V), V the volume; stacked tranches need no "
                      "adjustment."),
    "Layer.tranche_of_remaining": ("", "A slice of the loss the layers before it left "
                                   "unallocated (attaching on that, not on the portfolio "
                                   "loss)."),
    "Layer.deposit": ("", "A pre-funded risk deposit whose share follows the lending "
                      "multiple."),
    "Layer.residual": ("", "`true`: pays whatever the layers before left (the lender, last)."),
    "Layer.eligible": ("", "Which loans the layer covers; others stay with later layers."),
    "Layer.claim_denial_probability": ("fraction", "Each claim is denied independently with "
                                       "this probability; its loss stays with later "
                                       "layers."),
    "Layer.per_loan_cap": ("money", "At most this much for one loan."),
    "Layer.per_borrower_cap": ("money", "At most this much for all of one borrower's loans "
                               "in a simulation, or `{share_of_capital: 0.1}` of `capital`."),
    "Layer.suspend_if": ("", "A trigger that suspends payments (or new lending) in a year "
                         "whose ratio passes a threshold."),
    "Layer.cap_rate": ("", "At most `rate` × the covered volume (or its guaranteed part), "
                       "per horizon, year, vintage or lender."),
    "Layer.annual_budget": ("money/year", "At most this much paid in a year."),
    "Layer.fund": ("", "Pays from a finite balance, pro rata when short."),
    "Layer.capital": ("money", "The party's capital (net assets): its payments, net of "
                      "counter-guarantees under `capital_basis: net`, consume at most this "
                      "much over the horizon; claims beyond go unpaid by it (to "
                      "`excess_to`)."),
    "Layer.capital_basis": ("", "What consumes `capital`: `net` (default) the payments less "
                            "what counter-guarantors reimburse, `gross` all of them."),
    "Layer.leverage": ("", "A leverage limit recorded against `capital`: outstanding "
                       "guarantees (not matured, not defaulted) ÷ net assets."),
    "Layer.excess_to": ("", "The party that pays what this layer's terms cut (default: the "
                        "later layers, in the end the lender)."),
    "LayerShare.party": ("", "The party whose layer is counter-guaranteed (an earlier one)."),
    "LayerShare.share": ("fraction", "Share of what that layer paid."),
    "Tranche.attach": ("fraction", "Where the slice starts, as a fraction of the volume "
                       "(Σ exposure)."),
    "Tranche.detach": ("fraction", "Where it ends (above `attach`)."),
    "Deposit.amount": ("money", "The deposit paid in."),
    "Deposit.min_multiple": ("multiple", "Lending required: at least this × the deposit "
                             "(below, the deposit is cut to volume ÷ min_multiple)."),
    "Deposit.max_multiple": ("multiple", "Above this multiple the deposit is topped up to "
                             "volume ÷ max_multiple."),
    "Deposit.split": ("", "The share of each loss the deposit pays, by multiple achieved."),
    "MultipleTier.at_least": ("multiple", "From this lending multiple on ..."),
    "MultipleTier.share": ("fraction", "... the deposit pays this share of each loss."),
    "Bonus.share": ("fraction", "Extra share added for the loans that qualify."),
    "Bonus.any_of": ("", "Conditions (as in `eligible`); meeting any one qualifies."),
    "Eligibility.max_exposure": ("money", "Loans up to this size."),
    "Eligibility.max_tenor_years": ("years", "Loans up to this term."),
    "Eligibility.ratings": ("", "Only these ratings."),
    "Eligibility.exclude_ratings": ("", "Not these ratings."),
    "Eligibility.sectors": ("", "Only these sectors."),
    "Eligibility.exclude_sectors": ("", "Not these sectors."),
    "Eligibility.purposes": ("", "Only these purposes."),
    "Eligibility.exclude_purposes": ("", "Not these purposes."),
    "Eligibility.collateral_types": ("", "Only these collateral types."),
    "Eligibility.exclude_collateral_types": ("", "Not these collateral types."),
    "Eligibility.lenders": ("", "Only these lenders."),
    "Eligibility.exclude_lenders": ("", "Not these lenders."),
    "Eligibility.size_classes": ("", "Only these size classes (a generated segment's name "
                                 "unless it sets one)."),
    "Eligibility.exclude_size_classes": ("", "Not these size classes."),
    "Eligibility.first_loan": ("", "Only first loans (`true`) or only repeat loans "
                               "(`false`)."),
    "Eligibility.guarantee_age_years_below": ("years", "Borrowers who have used guarantees "
                                              "for less than this."),
    "Eligibility.guarantee_age_years_at_least": ("years", "Borrowers who have used "
                                                 "guarantees for at least this."),
    "Trigger.metric": ("", "The yearly ratio watched on the covered loans: `loss_rate`, "
                       "`default_rate`, `npl_ratio` or `compensation_rate`."),
    "Trigger.above": ("fraction", "The layer is suspended in a year whose ratio is above "
                      "this."),
    "Trigger.warning": ("fraction", "A lower level whose passing is only recorded."),
    "Trigger.reactivate": ("", "`next_year_below`: pays again in a later year back below; "
                           "`never`: suspended for the rest of the horizon."),
    "Trigger.per": ("", "`scheme`: one ratio for all covered loans; `lender`: each bank's "
                    "own, suspending only the banks that pass."),
    "Trigger.action": ("", "`suspend_compensation` (stop paying) or `suspend_lending` "
                       "(later vintages are not granted)."),
    "CapRate.rate": ("fraction", "Payments at most this × the base named by `of`."),
    "CapRate.of": ("", "The base of the rate: `volume` (Σ exposure of the covered loans) or "
                   "`guaranteed` (Σ exposure × the layer's share; EIF: cap rate × guarantee "
                   "rate × portfolio volume)."),
    "CapRate.per": ("", "Over the `horizon`, each `year`, each `vintage` (against its own "
                    "volume) or each `lender`."),
    "Fund.balance": ("money", "Balance at the start."),
    "Fund.refill_per_year": ("money/year", "Added at the start of every later year."),
    "Leverage.limit": ("multiple", "Weighted liability at most this × net assets "
                       "(`capital`)."),
    "Leverage.small_loan_weight": ("fraction", "Weight of guarantees of small loans in the "
                                   "liability."),
    "Leverage.small_loan_max": ("money", "Largest loan counted as small."),
    "CapitalShare.share_of_capital": ("fraction", "The cap as a share of the layer's "
                                      "`capital`."),
    "BandedValue.by": ("", "The numeric loan attribute the bands cut."),
    "BandedValue.bands": ("", "Bands in increasing `up_to`; the last has none."),
    "Band.up_to": ("", "Upper bound of the band, in the unit of `by` (omit in the last)."),
    "Band.value": ("fraction", "The rate of the loans in the band."),
    "CategoryValue.by": ("", "The text loan attribute the rate depends on."),
    "CategoryValue.values": ("fraction", "The rate of each value of the attribute."),
    "CategoryValue.default": ("fraction", "The rate of other values (none: an error)."),
    "Fee.name": ("", "Name of the fee (a column of `Result.fees`)."),
    "Fee.payer": ("", "Who pays: a party, or `borrower`."),
    "Fee.payee": ("", "Who receives it: a party."),
    "Fee.upfront_rate": ("fraction", "Charged once at origination, on `base`; a number or "
                         "tiered."),
    "Fee.annual_rate": ("fraction", "Charged at the start of every year the loan is "
                        "outstanding and has not defaulted, on `base`."),
    "Fee.base": ("", "`guaranteed` (the outstanding × the share of `layer`) or `loan` (the "
                 "whole outstanding)."),
    "Fee.layer": ("", "The party whose layer's share makes the guaranteed base (default: "
                  "the payee's)."),
    "Fee.max_rate": ("fraction", "A regulatory ceiling: a rate above it is an error, never "
                     "cut silently."),
    "Fee.experience_rating": ("", "A yearly charge set by the payee's claims (instead of "
                              "the rates)."),
    "ExperienceRating.multiplier": ("multiple", "rate = multiplier × last year's claims ÷ "
                                    "guaranteed base."),
    "ExperienceRating.initial_rate": ("fraction", "The rate of the first year."),
    "Recoveries.first_to": ("", "Parties repaid first from recoveries, in order, up to "
                            "their claims (the lender may be one); the rest pro rata (`[]`: "
                            "all pro rata); a party with a limiting term keeps at least its "
                            "pro-rata share."),
    "NplToleranceSpec.overall_npl_ratio": ("fraction", "The bank's overall NPL ratio."),
    "NplToleranceSpec.margin": ("fraction", "Tolerated excess of the small-business NPL "
                                "ratio over the overall one."),
    "NplToleranceSpec.basis": ("", "The NPL ratio the tolerance test uses: `net` of the "
                               "other parties' compensation (the lender's own NPL) or `gross` "
                               "(every defaulted loan at its outstanding)."),
    "NplToleranceSpec.consequence": ("", "What a breach costs (reported, not priced)."),
    "SimulationSpec.n_sims": ("count", "Number of simulations."),
    "SimulationSpec.seed": ("", "Seed of the random streams: the same seed gives the same "
                            "losses on any backend."),
    "SimulationSpec.levels": ("fraction", "Levels of VaR and ES reported, increasing."),
    "SimulationSpec.backend": ("", "`serial` or `process` (worker processes); `dask` starts a "
                               "local cluster that listens on sockets, so a file naming it is "
                               "refused unless trusted (`--trust-scenario`)."),
    "SimulationSpec.workers": ("count", "Worker processes for `backend: process` (default: "
                               "CPU count)."),
    "SimulationSpec.address": ("", "A Dask scheduler, `tcp://HOST:PORT`, for `backend: dask`; "
                               "none starts a local cluster. A file naming a network peer is "
                               "refused unless trusted (`--trust-scenario`): give `--address` "
                               "on the command line instead."),
    "SimulationSpec.tail_level": ("fraction", "Importance sampling aimed at this tail level "
                                  "(e.g. 0.999): results carry likelihood-ratio weights."),
    "SimulationSpec.qmc_replicates": ("count", "Quasi-Monte Carlo factors with this many "
                                      "independent Sobol scramblings (a divisor of 2,000)."),
    "Layer.per_lender_cap": ("money", "At most this much for all of one bank's loans in a "
                             "simulation (per institution)."),
    "Deposit.resize": ("", "`at_start`: resized once against the covered volume; `yearly`: "
                       "the balance is cut or topped up every year and each year's share "
                       "follows that year's multiple."),
    # timeline
    "ScenarioSpec.timeline": ("", "Dates, lags and cash of the claims timeline "
                              "(`risksim run --timeline`)."),
    "TimelineSpec.default_dates": ("", "`uniform`: each default on a repayment date drawn "
                                   "in its period; or `{day_of_period: d}`."),
    "TimelineSpec.payments_per_year": ("count", "Scheduled repayments a year (1, 2, 4 or 12): "
                                       "the dates a default can fall on."),
    "TimelineSpec.npl_after_days": ("days", "Days past due after which a loan is "
                                    "non-performing."),
    "TimelineSpec.claim_after_days": ("days", "Days past due after which the lender files "
                                      "its claim."),
    "TimelineSpec.payment_lag_days": ("days", "Days from a claim (or reimbursement) falling due "
                                      "to its payment, for parties that state none."),
    "TimelineSpec.parties": ("", "Per party: `payment_lag_days`, `settles` schedule and "
                             "`starting_cash`."),
    "TimelineSpec.workout_lag": ("years", "Time from default to the recovery: `fixed`, "
                                 "`uniform: [low, high]` or `gamma: {mean, sd}`."),
    "TimelineSpec.cure": ("", "`{probability, after_days}`: an NPL returns to performing."),
    "TimelineSpec.write_off_after_days": ("days", "An NPL is written off this long after it "
                                          "became one (default: when its workout ends)."),
    "TimelineSpec.discount_rate": ("fraction", "Yearly rate the present values of the flows "
                                   "are discounted at."),
    "TimelineSpec.keep_paths": ("count", "Simulations whose monthly cash and NPL paths are "
                                "kept whole."),
    "PartyTiming.payment_lag_days": ("days", "Days from a payment falling due to its payment."),
    "PartyTiming.settles": ("", "`immediately`, `monthly`, `quarterly` or `yearly`: when the "
                            "party settles what fell due."),
    "PartyTiming.starting_cash": ("money", "Cash at the start (default: unlimited, or the "
                                  "fund's balance)."),
    "DayOfPeriod.day_of_period": ("days", "Every default of a period falls on this day of it."),
    "Cure.probability": ("fraction", "Probability that a non-performing loan cures."),
    "Cure.after_days": ("days", "Days after becoming an NPL that a cure happens."),
    "LagDistribution.fixed": ("years", "The same lag for every default."),
    "LagDistribution.uniform": ("years", "`[low, high]`: a lag drawn uniformly between them."),
    "LagDistribution.gamma": ("years", "`{mean, sd}`: a gamma-distributed lag."),
    "GammaLag.mean": ("years", "Mean lag."),
    "GammaLag.sd": ("years", "Standard deviation of the lag."),
}
"""``Model.field`` → (unit, what it means)."""

EXAMPLES: dict[str, Any] = {
    "Segment.guarantee_age_years": 4,
    "Segment.sector": "manufacturing",
    "Eligibility.ratings": ["A", "B"],
    "Segment.interest_rate": 0.045,
    "Segment.purpose": "working_capital",
    "Segment.region": "hunan",
    "Segment.first_loan": True,
    "Eligibility.exclude_ratings": ["D"],
    "Eligibility.sectors": ["manufacturing", "technology"],
    "Eligibility.exclude_sectors": ["real_estate"],
    "Eligibility.purposes": ["working_capital"],
    "Eligibility.exclude_purposes": ["refinancing"],
    "Eligibility.collateral_types": ["patent"],
    "Eligibility.exclude_collateral_types": ["property"],
    "Eligibility.lenders": ["city_bank"],
    "Eligibility.exclude_lenders": ["big_bank"],
    "Eligibility.exclude_size_classes": ["medium"],
    "Eligibility.guarantee_age_years_below": 10,
    "Eligibility.guarantee_age_years_at_least": 10,
    "Eligibility.first_loan": True,
    "Eligibility.max_tenor_years": 5,
    "Trigger.per": "lender",
    "Trigger.warning": 0.025,
    "CapRate.per": "vintage",
    "CapRate.of": "guaranteed",
    "Layer.claim_denial_probability": 0.02,
    "Layer.interest_days_cap": 90,
    "Layer.per_borrower_cap": {"share_of_capital": 0.1},
    "Layer.excess_to": "bank",
    "Layer.tranche_of_remaining": {"attach": 0.0, "detach": 0.05},
    "Layer.capital_basis": "gross",
    "Layer.base": "principal",
    "Layer.leverage": {"limit": 15, "small_loan_weight": 0.75, "small_loan_max": 5.0e6},
    "Leverage.limit": 15,
    "Leverage.small_loan_weight": 0.75,
    "Leverage.small_loan_max": 5.0e6,
    "CapitalShare.share_of_capital": 0.1,
    "Fund.refill_per_year": 1.0e7,
    "PortfolioSpec.accrued_interest_days": 90,
    "PortfolioSpec.workout_cost_rate": 0.05,
    "Stress.pd_multiplier": 2.0,
    "Stress.correlation_shift": 0.05,
    "DefaultModelSpec.stress": {"pd_multiplier": 2.0},
    "DefaultModelSpec.degrees_of_freedom": 5,
    "DefaultModelSpec.lgd_dependence": "frye_jacobs",
    "DefaultModelSpec.sectors": {"variances": {"trade": 1.2}, "assign_by": "sector",
                                 "weights": {"trade": {"trade": 0.7, "idiosyncratic": 0.3}}},
    "Sectors.variances": {"trade": 1.2, "industry": 0.6},
    "Sectors.assign_by": "sector",
    "Sectors.weights": {"trade": {"trade": 0.7, "idiosyncratic": 0.3}},
    "ScenarioSpec.description": "Guarantor 40% + provincial fund 20%, sources in comments",
    "SimulationSpec.backend": "process",
    "SimulationSpec.workers": 2,
    "Fee.max_rate": 0.01,
    "Fee.layer": "guarantor",
    "Fee.experience_rating": {"multiplier": 1.2, "initial_rate": 0.01},
    "ExperienceRating.multiplier": 1.2,
    "ExperienceRating.initial_rate": 0.01,
    "NplToleranceSpec.consequence": "supervisory rating downgrade",
    "NplToleranceSpec.basis": "gross",
    "Deposit.max_multiple": 10,
    "Bonus.share": 0.05,
    "Bonus.any_of": [{"first_loan": True}, {"purposes": ["credit"]}],
    "Layer.bonus": {"share": 0.05, "any_of": [{"first_loan": True}]},
    "Factors.names": ["trade", "industry"],
    "Factors.correlation": 0.4,
    "Factors.assign_by": "sector",
    "DefaultModelSpec.factors": {"names": ["trade", "industry"], "correlation": 0.4,
                                 "assign_by": "sector"},
    "CategoryValue.default": 0.5,
    "Layer.per_lender_cap": 5.0e8,
    "SimulationSpec.address": "tcp://127.0.0.1:8786",
    "SimulationSpec.tail_level": 0.999,
    "SimulationSpec.qmc_replicates": 16,
    "TimelineSpec.default_dates": {"day_of_period": 180},
    "DayOfPeriod.day_of_period": 180,
    "TimelineSpec.payments_per_year": 4,
    "TimelineSpec.keep_paths": 50,
    "PartyTiming.payment_lag_days": 30,
    "PartyTiming.settles": "quarterly",
    "PartyTiming.starting_cash": 2.0e8,
}
"""Examples of keys no shipped scenario file uses (the others come from the files)."""


def described_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with each property's description (and unit) from :data:`FIELDS`, in place."""
    models = {"ScenarioSpec": schema, **schema.get("$defs", {})}
    for model, node in models.items():
        for name, prop in node.get("properties", {}).items():
            unit, text = FIELDS.get(f"{model}.{name}", ("", ""))
            if text:
                prop["description"] = f"{text} [{unit}]" if unit else text
    return schema
