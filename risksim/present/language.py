"""The words of risksim's output in English and Chinese, and the glossary that ties the Chinese
regulatory terms to the model's quantities.

Each :class:`Term` is one quantity the reports, plots and brief name: its English and Chinese
names, what it is in the model (the formula) and where the definition comes from. The
glossary page of the docs (``docs/glossary.md``, written by ``risksim docs``) is these terms;
:func:`term` gives a name in the language asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Language = Literal["en", "zh"]
LANGUAGES: tuple[Language, ...] = ("en", "zh")
"""The languages of the output: English (the default) and simplified Chinese."""


@dataclass(frozen=True)
class Term:
    """One quantity of the output, in both languages.

    Attributes
    ----------
    en, zh : str
        Its name in English and in Chinese.
    meaning : str
        What it is in the model: the formula, in the model's terms.
    source : str
        Where the definition comes from (a regulation, a standard, a published definition).
    """

    en: str
    zh: str
    meaning: str
    source: str


_DECREE_683 = ("融资担保公司监督管理条例 (State Council Decree No. 683, 2017), Art. 14–16: "
               "https://github.com/LawRefBook/Laws (行政法规/融资担保公司监督管理条例.md)")
_RATES = ("代偿率 and 代偿回收率 as defined at plnmw.com/CompanyRegistration/ayuqlgthut.html; "
          "累计担保代偿率 = 累计代偿金额 / 累计解除担保金额 in guarantors' risk reports")
_CBIRC_2019 = ("CBIRC, 关于2019年进一步提升小微企业金融服务质效的通知 (2019): inclusive "
               "small-micro NPL ratio up to 3 percentage points above the bank's overall "
               "ratio (Xinhua, 2019-03-13)")
_BASEL = ("BCBS (2005), An Explanatory Note on the Basel II IRB Risk Weight Functions "
          "(expected and unexpected loss)")
_PRINCIPLES = ("World Bank and FIRST Initiative, Principles for Public Credit Guarantee Schemes "
               "for SMEs (2015); Honohan (2010), Partial credit guarantees, J. Financial "
               "Stability 6(1)")
_RISK_MEASURES = ("Acerbi & Tasche (2002), On the coherence of expected shortfall; Basel "
                  "Committee, Minimum capital requirements for market risk (2019), MAR33")

TERMS: dict[str, Term] = {
    "EL": Term("expected loss (EL)", "预期损失 (EL)",
               "E[L]: the mean over the simulations of a party's loss over the horizon, net of "
               "recoveries (money)", _BASEL),
    "SD": Term("standard deviation (SD)", "标准差 (SD)",
               "sd(L) over the simulations (money)", "the sample standard deviation"),
    "VaR": Term("value at risk (VaR)", "风险价值 (VaR)",
                "VaR_a = L_(⌈aN⌉), the ⌈aN⌉-th smallest of N simulated losses: the loss of a "
                "1-in-1/(1 − a) year (VaR 99%: a 1-in-100 year)", _RISK_MEASURES),
    "ES": Term("expected shortfall (ES)", "预期短缺 (ES)",
               "ES_a: the mean of the N − ⌈aN⌉ largest losses, the average year worse than "
               "VaR_a", _RISK_MEASURES),
    "gross": Term("gross loss", "总损失",
                  "Σ over the defaulted loans of EAD × LGD, before it is shared; the parties' "
                  "losses add up to it in every simulation", "risksim's conservation invariant"),
    "party": Term("party", "参与方", "a bank, guarantor, fund, pool or government that bears "
                  "part of each loss under the scheme's layers", "the scenario file"),
    "scheme": Term("scheme", "方案", "one scenario file: a book, a default model and an "
                   "arrangement of layers", "the scenario file"),
    "compensation": Term("compensation", "代偿",
                         "what a guarantor pays the lender on a defaulted guaranteed loan: its "
                         "share of the loan's principal at default (before recoveries), never "
                         "above its caps", _RATES),
    "compensation_rate": Term("compensation rate", "代偿率",
                              "compensation in the period ÷ guarantees released in the "
                              "period (loans matured or defaulted)", _RATES),
    "recovery_rate": Term("recovery rate of compensation", "代偿回收率",
                          "recoveries on compensated loans ÷ compensation", _RATES),
    "compensation_loss_rate": Term("loss rate of compensation", "代偿损失率",
                                   "1 − recoveries ÷ compensation: the part of compensation "
                                   "never recovered", _RATES),
    "leverage": Term("guarantor leverage", "担保放大倍数",
                     "guarantee liability balance ÷ net assets (capital), the balance weighted "
                     "75% for small-micro guarantees up to 5 m yuan; limit 10×, 15× for "
                     "guarantors mainly serving small-micro firms and 三农", _DECREE_683),
    "liability_balance": Term("guarantee liability balance", "担保责任余额",
                              "the guarantor's share of the outstanding guaranteed loans, "
                              "released when a loan matures or defaults and is compensated",
                              _DECREE_683),
    "insolvency": Term("probability of exhausting capital", "资本耗尽概率",
                       "P(claims owed > capital) over the horizon", "risksim's Capital limit"),
    "multiplier": Term("lending multiplier", "放大倍数 (财政资金)",
                       "lending ÷ ES of the public cost: yuan lent per yuan of public money at "
                       "risk; annualised: average lending outstanding per yuan at risk",
                       "Guangdong IP pools: 5.8 bn yuan for 58 bn of lending (CNIPA, "
                       "zscq.creditchina.gov.cn, 2025-01-23); 潇湘财银贷 ≥ 5× lending per "
                       "deposit (czt.hunan.gov.cn, 2024-06-04)"),
    "public_cost": Term("public cost per unit of lending", "单位贷款财政成本",
                        "E[public parties' losses − their fees] ÷ lending, over the horizon "
                        "and per yuan-year of lending", "Honohan (2010), Partial credit "
                        "guarantees: principles and practice, J. Financial Stability 6(1)"),
    "npl_ratio": Term("NPL ratio", "不良贷款率",
                      "gross: loans 90 days past due ÷ the book; net: the same less the "
                      "compensation the lender has received (the compensated part leaves "
                      "the bank's NPL)", _CBIRC_2019),
    "npl_tolerance": Term("NPL tolerance", "不良贷款容忍度",
                          "the inclusive small-business NPL ratio ≤ the bank's overall NPL "
                          "ratio + the margin (3 percentage points); breach probability = "
                          "P(some year above it)", _CBIRC_2019),
    "break_even_fee": Term("break-even fee", "保本费率",
                           "E[PV claims] ÷ E[PV fee base] + admin rate: the annual fee that "
                           "covers expected claims", _PRINCIPLES),
    "risk_adjusted_fee": Term("risk-adjusted fee", "风险调整费率",
                              "(E[PV claims] + cost of capital × capital) ÷ E[PV fee base] + "
                              "admin rate", _PRINCIPLES),
    "guarantee_fee": Term("guarantee fee", "担保费率", "the annual fee on the guaranteed "
                          "(or loan) outstanding; policy guarantors below 1%",
                          "国办发〔2019〕6号 (Guiding Opinions on government financing "
                          "guarantee funds)"),
    "subsidy_rate": Term("subsidy rate", "补贴率", "break-even fee − fee charged, per unit of "
                         "the fee base a year", _PRINCIPLES),
    "capital_relief": Term("bank capital relief", "银行资本节约",
                           "the lender's economic capital (VaR or ES − EL) alone less under the "
                           "scheme; the Basel figure substitutes the guarantor's risk weight "
                           "for the covered part and ignores caps, budgets and triggers",
                           "BCBS (2006), Basel II ¶196: the protected portion takes the "
                           "protection provider's risk weight"),
    "re_guarantee": Term("re-guarantee", "再担保",
                         "a guarantor's claims shared again with a re-guarantor (the NFGF's "
                         "2:2:4:2: NFGF 20%, provincial re-guarantor 20%, guarantor 40%, "
                         "bank 20%)", "国家融资担保基金再担保业务管理暂行办法 (2020-03-19), "
                         "gjrdjj.com/content/details_18_443.html"),
    "risk_pool": Term("risk-compensation pool", "风险补偿资金池",
                      "a fund paying a share of NPL principal losses to banks until its annual "
                      "budget runs out", "Guangzhou dual-mode pool (Nanfang Dushi Bao, "
                      "2025-09-27)"),
    "circuit_breaker": Term("circuit breaker", "熔断",
                            "compensation or new lending stops when a year's loss, default, "
                            "NPL or compensation rate passes its threshold",
                            "潇湘财银贷 rules (湘财金〔2024〕23号)"),
    "compensation_cap": Term("compensation-rate cap", "代偿率上限",
                             "a portfolio-level stop-loss: the fund pays compensation up to "
                             "the cap rate × the guaranteed volume", "支持科技创新专项担保计划 "
                             "(财金〔2024〕60号): cap raised from 4% to 5%"),
}
"""Every term of the output, by key."""


def term(key: str, language: Language = "en") -> str:
    """The name of :data:`TERMS` ``key`` in ``language``."""
    entry = TERMS[key]
    return entry.zh if language == "zh" else entry.en


def glossary_markdown() -> str:
    """The glossary page: each Chinese term, its English name, what it is in the model and
    its source."""
    lines = ["# Glossary: 术语表", "",
             "The Chinese regulatory and market terms of risksim's output, what each is in "
             "the model, and where its definition comes from.", "",
             "| 中文 | English | in the model | source |", "|---|---|---|---|"]
    lines += [f"| {entry.zh} | {entry.en} | {entry.meaning} | {entry.source} |"
              for entry in TERMS.values()]
    return "\n".join(lines) + "\n"
