"""The biomem benchmark suite: biomem and the simulators users would pick instead, on the same work.

``python -m benchmarks [--quick] [--only CASE ...] [--out docs/benchmarks.md]`` runs every case
(``network``: COBA/CUBA against Brian2, NEST via PyNN and plain snnTorch; ``ca3``; ``hebbian``;
``kuramoto``; ``export``; ``batched``), each in its own subprocess, and writes one Markdown report
with the machine description, medians, the speed targets (hit or missed) and scaling plots. See
:mod:`benchmarks.__main__`.
"""
