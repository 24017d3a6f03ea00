"""Performance benchmarks of biomem against hand-written Brian2 anchors.

``python -m benchmarks [--quick] [--out docs/benchmarks.md]`` runs the COBA network on the
biomem backends and on plain Brian2 (numpy and cpp_standalone), each case in a fresh
subprocess, and writes a Markdown report with the machine description, the timings and the
speed targets. See :mod:`benchmarks.__main__`.
"""
