"""Unsupervised dense Hebbian learning at low load, with finite ``M`` and example states.

Hamiltonian (low load, distinct indices): ``H = -(N / (2 M R^(P/2))) sum_mu sum_a n_{mu,a}^P``,
``n_{mu,a} = eta^{mu,a} . sigma / N``, ``R = r^2 (1 + rho)``, ``r = (1 + M rho)^(-1/2)``.

The card's warning: assuming all example overlaps equal gives the supervised equations, but at
``P = 4`` with small ``M r^4`` simulations fall into *single-example* states. This module keeps the
overlap with one example, ``n_s``, apart from the common overlap ``n_o`` with the other ``M - 1``
and solves the mean-field equations *exactly in M* (sums over ``chi_1 = +-1`` and the binomial
``S = sum_{a>1} chi_a``; gauge ``xi = +1``)::

    h   = c P (n_s^(P-1) chi_1 + n_o^(P-1) S),   c = 1 / (2 M R^(P/2))
    n_s = E[chi_1 tanh(beta h)],  n_o = E[S tanh(beta h)] / (M - 1),  m = E tanh(beta h)
    f   = (P - 1) c (n_s^P + (M - 1) n_o^P) - (1/beta) E ln 2cosh(beta h)

``n_s = n_o`` is invariant under the map: that symmetric (archetype) solution is the supervised
theory with the exact binomial law of ``xi_hat`` in place of its Gaussian limit. Iterating from
the archetype (``n_s = n_o = r``) with an infinitesimal bias towards one example tells whether the
archetype survives; from ``n_s = 1, n_o = r^2`` (``sigma`` = an example) one finds the example
state. Ordering of states is by free energy. The card's rule of thumb for the archetype to beat
example states, ``M (r nu_0)^P > 1`` with ``nu_0 = E|1 + sqrt(rho) z|``, is :func:`archetype_margin`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from scipy.stats import binom

from biomem.theory.integrals import beta_of

BIAS = 1e-6          # relative push towards example 1 when starting from the archetype
EXAMPLE_GAP = 0.1    # a state with n_s - n_o above this counts as a single-example state


def _law(M: int, r: float):
    p = 0.5 * (1.0 + r)
    chi = np.array([1.0, -1.0])
    p_chi = np.array([p, 1.0 - p])
    k = np.arange(M)                     # number of +1 among the other M - 1 examples
    S = 2.0 * k - (M - 1)
    p_S = binom.pmf(k, M - 1, p) if M > 1 else np.array([1.0])
    return chi, p_chi, S, p_S


@njit(cache=True)
def _iterate(P, M, c, beta, n_s, n_o, chi, p_chi, S, p_S, max_iter, tol):
    previous = 1.0
    m = q = lnc = 0.0
    for it in range(1, max_iter + 1):
        ns_new = no_new = m = q = lnc = 0.0
        gs = c * P * abs(n_s) ** (P - 1) * (1.0 if n_s >= 0 or P % 2 == 0 else -1.0)
        go = c * P * abs(n_o) ** (P - 1) * (1.0 if n_o >= 0 or P % 2 == 0 else -1.0)
        for i in range(2):
            for k in range(S.size):
                w = p_chi[i] * p_S[k]
                h = gs * chi[i] + go * S[k]
                if math.isinf(beta):
                    t = 1.0 if h > 0 else (-1.0 if h < 0 else 0.0)
                    lg = abs(h)
                else:
                    t = math.tanh(beta * h)
                    lg = abs(h) + math.log1p(math.exp(-2.0 * beta * abs(h))) / beta
                ns_new += w * chi[i] * t
                no_new += w * S[k] * t
                m += w * t
                q += w * t * t
                lnc += w * lg
        if M > 1:
            no_new /= M - 1
        else:
            no_new = 0.0
        step = abs(ns_new - n_s) + abs(no_new - n_o)
        n_s, n_o = ns_new, no_new
        rate = min(step / previous, 0.999999) if previous > 0 else 0.0
        previous = step
        if step * (1.0 + rate / (1.0 - rate)) < tol or step < 1e-14:
            return n_s, n_o, m, q, lnc, True, it
    return n_s, n_o, m, q, lnc, False, max_iter


def solve(P: int, rho: float, M: int, T: float, n_s: float, n_o: float, *, max_iter: int = 200_000,
          tol: float = 1e-12) -> dict:
    """Fixed point iterated from ``(n_s, n_o)``: m, m_hat, n_s, n_o, q, f, converged."""
    from biomem.description.validate import integer, non_negative
    integer("P", P, low=2)
    integer("M", M, low=1)
    non_negative("rho", rho)
    non_negative("T", T)
    r = 1.0 / math.sqrt(1.0 + M * rho)
    R = r * r * (1.0 + rho)
    c = 1.0 / (2.0 * M * R ** (0.5 * P))
    chi, p_chi, S, p_S = _law(int(M), r)
    ns, no, m, q, lnc, ok, it = _iterate(int(P), int(M), c, beta_of(T), float(n_s), float(n_o),
                                         chi, p_chi, S, p_S, max_iter, tol)
    f = (P - 1) * c * (ns ** P + (M - 1) * no ** P) - lnc
    m_hat = (ns + (M - 1) * no) / (M * r)
    return {"m": m, "m_hat": m_hat, "n_s": ns, "n_o": no, "q": q, "f": f, "r": r,
            "converged": bool(ok), "iterations": int(it)}


def _breaking_growth(P, rho, M, T, symmetric) -> float:
    """Growth factor per iteration of a small push towards one example at the symmetric state
    (above 1: the archetype is unstable to example states)."""
    n = symmetric["n_s"]
    if M == 1 or abs(n) < 1e-9:
        return 0.0
    eps = 1e-7 * abs(n)
    pushed = solve(P, rho, M, T, n + eps, n - eps / (M - 1), max_iter=1)
    return (pushed["n_s"] - pushed["n_o"]) / (eps * M / (M - 1))


def archetype_margin(P: int, rho: float, M: int) -> float:
    """``M (r nu_0)^P``: above 1 the archetype beats single-example states (card's rule of thumb)."""
    r = 1.0 / math.sqrt(1.0 + M * rho)
    nu0 = (math.sqrt(2.0 * rho / math.pi) * math.exp(-0.5 / rho) + math.erf(1.0 / math.sqrt(2.0 * rho))
           if rho > 0 else 1.0)
    return M * (r * nu0) ** P


def phase(P: int, rho: float, M: int, T: float) -> dict:
    """State iterated from the archetype (with an infinitesimal example bias) and its phase.

    ``retrieval-global`` / ``retrieval-metastable``: the symmetric archetype state survives and is /
    is not the lowest free energy among archetype, example and paramagnetic states; ``example``:
    it decays into a single-example state (``n_s - n_o > 0.1``); ``paramagnetic``: everything
    decays to zero. ``example_growth`` is the growth factor of a push towards one example at the
    symmetric state (above 1: unstable).
    """
    r = 1.0 / math.sqrt(1.0 + M * rho)
    state = solve(P, rho, M, T, r * (1.0 + BIAS), r)
    symmetric = solve(P, rho, M, T, r, r)
    example = solve(P, rho, M, T, 1.0, r * r)
    para_f = -T * math.log(2.0)
    # with M = 1 the only example is the archetype estimate: no separate example state
    is_example = lambda s: M > 1 and s["n_s"] - s["n_o"] > EXAMPLE_GAP  # noqa: E731
    out = dict(state)
    out["example_growth"] = _breaking_growth(P, rho, M, T, symmetric)
    out.update(m_symmetric=symmetric["m"], m_hat_symmetric=symmetric["m_hat"], f_symmetric=symmetric["f"],
               m_example=example["m"] if is_example(example) else math.nan,
               f_example=example["f"] if is_example(example) else math.nan,
               archetype_margin=archetype_margin(P, rho, M))
    others = [para_f] + ([example["f"]] if is_example(example) else [])
    if is_example(state):
        out["phase"] = "example"
    elif abs(state["m"]) > 1e-4:
        out["phase"] = "retrieval-global" if state["f"] < min(others) else "retrieval-metastable"
    else:
        out["phase"] = "paramagnetic"
    out["f_other"] = min(others)
    return out
