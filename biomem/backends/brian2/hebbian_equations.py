"""The code strings of the Brian2 heat bath (:mod:`biomem.backends.brian2.hebbian`).

Names seen by the code: on the spins ``sigma`` (+-1), ``h`` (field accumulator), ``delta`` (last
change: ``0`` or ``+-2``), ``flips``, ``site`` and ``replica``; on the features the power sums
``p1 .. p(P-1)`` of ``a_i = V[i, mu] sigma_i``; on the synapses the constants ``w = V[i, mu]``,
``cv = c_mu V[i, mu]`` (``c_mu = N^(1-P) P! w_mu``) and ``vj = V[i, mu]^j``; in the namespace
``beta``, ``field_divisor`` and the ``TimedArray`` objects ``sites`` and ``uniforms``.

The local field of spin ``i`` (``H`` is multilinear in each spin, so it is exact) is

    h_i = sum_mu c_mu V[i, mu] e_(P-1)(a_mu without i),
    e_k = (1/k) sum_{j=1..k} (-1)^(j-1) e_(k-j) r_j,   r_j = p_j - (V[i, mu] sigma_i)^j   (Newton),

written out for ``P = 2`` (``e_1 = r_1``), ``P = 3`` (``e_2 = (r_1^2 - r_2)/2``) and ``P = 4``
(``6 e_3 = r_1 (r_1^2 - 3 r_2) + 2 r_3``; the sum over ``mu`` is divided by 6 once) as the Numba
kernel writes them. Each statement holds one or two operations, in the kernel's order: code
generation may reorder the terms of a longer sum, which would change the rounding. The integers
of Newton's identities belong to the equations; the model's numbers come in as variables.
"""

from __future__ import annotations


def power(j: int) -> str:
    """Name of the synaptic constant ``V[i, mu]^j`` (``w`` for ``j = 1``)."""
    return "w" if j == 1 else f"v{j}"


def synaptic_constants(P: int) -> list[str]:
    """The synaptic constants the pathways read for order ``P``."""
    return ["w", "cv"] + [power(j) for j in range(2, P) if j % 2 == 1 or P <= 4]


def field_code(P: int) -> str:
    """Statements of the ``field`` pathway: one synapse's term of ``h_i`` added to ``h_pre``."""
    if P == 2:
        return "h_pre += cv*(p1_post - w*sigma_pre)"
    if P == 3:
        return "q1 = p1_post - w*sigma_pre\nd2 = p2_post - v2\ng = q1*q1 - d2\nh_pre += cv*g/2"
    if P == 4:
        # (V sigma) V^2 = sigma V^3 exactly, since sigma = +-1
        return ("q1 = p1_post - w*sigma_pre\nd2 = p2_post - v2\nd3 = p3_post - sigma_pre*v3\n"
                "b = q1*q1 - 3*d2\nc = q1*b\ng = c + 2*d3\nh_pre += cv*g")
    lines = ["a1 = w*sigma_pre"] + [f"a{j} = a{j - 1}*a1" for j in range(2, P)]
    lines += [f"r{j} = p{j}_post - a{j}" for j in range(1, P)]
    lines.append("e1 = r1")
    for k in range(2, P):
        lines.append(f"s{k}_1 = e{k - 1}*r1")
        for j in range(2, k + 1):
            term = f"r{j}" if j == k else f"e{k - j}*r{j}"
            lines.append(f"s{k}_{j} = s{k}_{j - 1} {'-' if j % 2 == 0 else '+'} {term}")
        lines.append(f"e{k} = s{k}_{k}/{k}")
    lines.append(f"h_pre += cv*e{P - 1}")
    return "\n".join(lines)


def track_code(P: int) -> str:
    """Statements of the ``track`` pathway: ``p_j += delta V^j`` for the odd ``j < P`` the field
    reads (even power sums are constants since ``sigma^2 = 1``)."""
    return "\n".join(f"p{j}_post += delta_pre*{power(j)}" for j in range(1, P, 2))


def decision_code(T: float) -> str:
    """The heat-bath rule on the chosen spin, then ``delta``, the flip count and ``h = 0``.

    ``T > 0``: ``sigma = +1`` if ``u < 1 / (1 + exp(-2 beta h))``, the logistic evaluated on the
    side where ``exp`` cannot overflow (``z = exp(-|2 beta h|)``), as the Numba kernel does it.
    ``T = 0``: the sign of ``h``; an exact tie takes the uniform as a fair coin (``u < 1/2``).
    """
    if T == 0:
        rule = "new = int(h > 0) - int(h < 0) + int(h == 0)*(2*int(uniforms(t, replica) < 0.5) - 1)\n"
    else:
        rule = ("hf = h/field_divisor\nz = exp(-2*beta*abs(hf))\nplus = (int(hf >= 0) + int(hf < 0)*z)/(1 + z)\n"
                "new = 2*int(uniforms(t, replica) < plus) - 1\n")
    return rule + "delta = new - sigma\nflips += int(delta != 0)\nsigma = new\nh = 0"
