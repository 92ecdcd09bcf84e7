"""Tests of the Frye-Jacobs conditional LGD function."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.polynomial.hermite_e import hermegauss

from risksim.models.analytic import conditional_pd
from risksim.models.frye_jacobs import frye_jacobs_lgd


@pytest.mark.parametrize(
    ("cpd", "pd", "lgd", "rho", "published"),
    # Worked examples of MathWorks Risk Management Toolbox, fryeJacobsLGD (R2024b)
    # documentation, which implements Frye & Jacobs (2012); printed to 4 decimals.
    [(0.05, 0.08, 0.40, 0.20, 0.3197), (0.10, 0.09, 0.45, 0.20, 0.4151),
     (0.15, 0.10, 0.50, 0.20, 0.4971)],
)
def test_published_worked_values(cpd: float, pd: float, lgd: float, rho: float,
                                 published: float) -> None:
    assert round(frye_jacobs_lgd(cpd, pd, lgd, rho), 4) == published


def test_vector_call_gives_the_published_column() -> None:
    got = frye_jacobs_lgd([0.05, 0.10, 0.15], [0.08, 0.09, 0.10], [0.40, 0.45, 0.50], 0.20)
    np.testing.assert_allclose(got, [0.3197, 0.4151, 0.4971], atol=5e-5)


@pytest.mark.parametrize(("pd", "lgd", "rho"),
                         [(0.02, 0.45, 0.15), (0.08, 0.40, 0.20), (0.005, 0.7, 0.3),
                          (0.2, 0.1, 0.05), (0.03, 0.6, 0.0)])
def test_expected_loss_is_preserved(pd: float, lgd: float, rho: float) -> None:
    # E_Z[cPD(Z)·LGD(cPD(Z))] = PD·LGD, by Gauss-Hermite quadrature over the factor.
    nodes, weights = hermegauss(200)
    weights = weights / math.sqrt(2 * math.pi)
    cpd = np.asarray(conditional_pd(pd, rho, nodes))
    conditional_loss = cpd * np.asarray(frye_jacobs_lgd(cpd, pd, lgd, rho))
    assert abs(float(weights @ conditional_loss) - pd * lgd) < 1e-8


def test_increasing_in_conditional_pd() -> None:
    cpd = np.linspace(0.0, 1.0, 2001)
    values = np.asarray(frye_jacobs_lgd(cpd, 0.05, 0.4, 0.2))
    assert np.all(np.diff(values) > 0)
    assert values[0] == 0.0
    assert values[-1] == 1.0
    assert np.all((values >= 0) & (values <= 1))


def test_at_the_unconditional_pd() -> None:
    # With rho > 0 the LGD at cPD = PD is below the unconditional LGD (k·√(1 - rho) < k);
    # with rho = 0 the function returns the unconditional LGD there.
    pd, lgd = 0.05, 0.4
    assert frye_jacobs_lgd(pd, pd, lgd, 0.2) < lgd
    assert frye_jacobs_lgd(pd, pd, lgd, 0.0) == pytest.approx(lgd, rel=1e-13)


def test_edge_values_are_finite_and_silent() -> None:
    with np.errstate(all="raise"):
        at_zero = frye_jacobs_lgd(np.array([0.0, 0.0, 0.0]), 0.05, [0.4, 1.0, 0.0], 0.2)
        np.testing.assert_array_equal(at_zero, [0.0, 1.0, 0.0])  # limits as cPD -> 0
        np.testing.assert_array_equal(frye_jacobs_lgd(1.0, 0.05, [0.4, 1.0], 0.2), [1.0, 1.0])
        np.testing.assert_allclose(frye_jacobs_lgd([0.0, 0.3], 0.05, 1.0, 0.2), 1.0, rtol=1e-15)
        np.testing.assert_array_equal(frye_jacobs_lgd([0.0, 0.3, 1.0], 0.05, 0.0, 0.2), 0.0)
        # PD = 1: cPD is 1 in every state, and the LGD is the unconditional one.
        assert frye_jacobs_lgd(1.0, 1.0, 0.35, 0.2) == 0.35
        tiny = frye_jacobs_lgd(1e-300, 0.05, 0.4, 0.2)
    assert 0.0 <= tiny < 1e-6


def test_broadcasting_and_scalar_results() -> None:
    assert isinstance(frye_jacobs_lgd(0.05, 0.08, 0.4, 0.2), float)
    cpd = np.array([[0.01], [0.05], [0.2]])
    lgd = np.array([0.2, 0.4, 0.6, 0.8])
    values = frye_jacobs_lgd(cpd, 0.05, lgd, np.array(0.15))
    assert isinstance(values, np.ndarray)
    assert values.shape == (3, 4)
    assert values[1, 2] == frye_jacobs_lgd(0.05, 0.05, 0.6, 0.15)
    assert np.all(np.diff(values, axis=1) > 0)  # higher mean LGD, higher conditional LGD


@pytest.mark.parametrize(
    ("arguments", "message"),
    [((1.1, 0.05, 0.4, 0.2), "conditional_pd must be in"),
     ((-0.1, 0.05, 0.4, 0.2), "conditional_pd must be in"),
     ((0.1, 0.0, 0.4, 0.2), "pd must be in"),
     ((0.1, 0.05, -0.1, 0.2), "lgd must be in"),
     ((0.1, 0.05, 0.4, 1.0), "rho must be in")],
)
def test_bad_input_raises(arguments: tuple[float, float, float, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        frye_jacobs_lgd(*arguments)
