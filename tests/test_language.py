"""The words of the output in both languages: one entry per quantity, with its source."""

from __future__ import annotations

import pytest

from risksim.present.language import TERMS, glossary_markdown, term


def test_every_term_has_both_names_a_meaning_and_a_source() -> None:
    for key, entry in TERMS.items():
        assert entry.en and entry.zh and entry.meaning and entry.source, key
        assert any("\u4e00" <= c <= "\u9fff" for c in entry.zh), key  # written in Chinese
        assert "|" not in entry.meaning + entry.source, key  # the glossary is a table


@pytest.mark.parametrize(("key", "zh"), [
    # the regulatory terms as Chinese guarantors and banks report them (DOMAIN §6, §2.5)
    ("compensation_rate", "代偿率"), ("recovery_rate", "代偿回收率"),
    ("compensation_loss_rate", "代偿损失率"), ("npl_ratio", "不良贷款率"),
    ("EL", "预期损失 (EL)"), ("VaR", "风险价值 (VaR)"), ("ES", "预期短缺 (ES)")])
def test_chinese_names(key: str, zh: str) -> None:
    assert term(key, "zh") == zh
    assert term(key) == TERMS[key].en


def test_the_glossary_lists_every_term() -> None:
    page = glossary_markdown()
    for entry in TERMS.values():
        assert f"| {entry.zh} | {entry.en} |" in page
