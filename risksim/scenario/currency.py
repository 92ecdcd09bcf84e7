"""Currency codes: the ISO 4217 list a scenario's ``currency`` must come from.

Codes as the ISO 4217 maintenance agency lists them (SIX Group, list one, amendment 179 of
2025), less the precious metals, fund codes and test codes (XAU, XAG, XPD, XPT, XBA–XBD,
XSU, XUA, XTS, XXX), which no loan book is written in. Withdrawn codes still met in data
(ANG, SLL, ZWL, HRK) are kept.
"""

from __future__ import annotations

import difflib

from risksim.errors import excerpt

_CODES = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN
BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN
ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK
JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK
MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN
PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB
TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD
XCG XDR XOF XPF YER ZAR ZMW ZWG ZWL
"""
ISO_4217 = frozenset(_CODES.split())
"""ISO 4217 alphabetic codes accepted as a scenario's currency."""

COMMON_NAMES = {"RMB": "CNY", "YUAN": "CNY", "RENMINBI": "CNY", "CNH": "CNY", "YEN": "JPY",
                "NTD": "TWD", "NT$": "TWD", "HK$": "HKD", "US$": "USD", "$": "USD",
                "DOLLAR": "USD", "EURO": "EUR", "€": "EUR", "¥": "CNY", "£": "GBP",
                "POUND": "GBP", "WON": "KRW", "RUPEE": "INR", "人民币": "CNY", "元": "CNY",
                "美元": "USD", "欧元": "EUR", "日元": "JPY", "港币": "HKD", "港元": "HKD",
                "韩元": "KRW", "英镑": "GBP"}
"""Names, symbols and market codes people write for a currency, and its ISO 4217 code
(CNH is the offshore renminbi's market code; its ISO code is CNY)."""


def check_currency(code: str) -> str:
    """``code`` if it is an ISO 4217 code, else a ValueError suggesting the nearest one.

    Raises
    ------
    ValueError
        ``'RMB' is not an ISO 4217 currency code; did you mean 'CNY'?``
    """
    if code in ISO_4217:
        return code
    message = f"{excerpt(code)} is not an ISO 4217 currency code"
    suggestion = nearest_currency(code)
    raise ValueError(message + (f"; did you mean '{suggestion}'?" if suggestion
                                else " (such as CNY, EUR, USD)"))


def nearest_currency(text: str) -> str | None:
    """The code meant by ``text``: its upper-case form, a common name, or the closest code
    (by :class:`difflib.SequenceMatcher` ratio, then sharing the first letter)."""
    upper = text.strip().upper()
    if upper in ISO_4217:
        return upper
    if upper in COMMON_NAMES:
        return COMMON_NAMES[upper]
    close = difflib.get_close_matches(upper, sorted(ISO_4217), n=5, cutoff=0.6)
    return max(close, key=lambda code: (difflib.SequenceMatcher(None, upper, code).ratio(),
                                        code[:1] == upper[:1]), default=None)
