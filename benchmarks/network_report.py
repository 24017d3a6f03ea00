"""The report section of the network benchmarks: tables, targets, physical limit, scaling plot.

Used by :func:`benchmarks.network.section`; rows as :func:`benchmarks.network.run` returns them,
the machine limits as :func:`benchmarks.common.limits` gives them.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks import common

# Work per neuron update of the engines' closed-form step (see biomem/backends/numba/kernel.py):
# COBA ~15 flops and one exp, CUBA ~8 flops; a SIMD exp (glibc's algorithm: reduction, table
# look-up, degree-5 polynomial) ~20 flops. State touched per update ~80 bytes (v, g_E, g_I, the
# refractory counter, two ring-buffer slots read and cleared); per synaptic event ~28 bytes
# (target index and weight read, the target's buffer slot read and written).
FLOPS_PER_UPDATE, EXP_FLOPS, BYTES_PER_UPDATE, BYTES_PER_EVENT = {"coba": 15, "cuba": 8}, 20, 80, 28
DOCS = Path(__file__).resolve().parents[1] / "docs"


def floor(row: dict, limits: dict) -> dict | None:
    """Lower bound on the simulation time of a case on one core of this CPU, from its own counts."""
    from benchmarks.anchors.params import COMMON

    if not row.get("n_synapses") or row.get("n_spikes") is None:
        return None
    n, model, dt = row["n"], row["model"], row.get("dt_ms", 0.1)
    # Refractory neurons skip the integration: each spike saves tau_refrac/dt updates.
    updates = max(n * round(row["duration_ms"] / dt) - row["n_spikes"] * round(COMMON["tau_refrac"] / dt), 0)
    events = row["n_spikes"] * row["n_synapses"] / n
    exps = updates if model == "coba" else 0
    compute = (updates * FLOPS_PER_UPDATE[model] + exps * EXP_FLOPS) / limits["flops"]
    # Optimistic: what fits in the last-level cache streams at the L2 rate, the rest at the DRAM rate.
    memory = (updates * BYTES_PER_UPDATE / common.bandwidth_for(limits, n * BYTES_PER_UPDATE)
              + events * BYTES_PER_EVENT / common.bandwidth_for(limits, row["n_synapses"] * 12))
    return {"updates": updates, "events": events, "libm_exp_s": exps / limits["exp"], "compute_s": compute,
            "memory_s": memory, "floor_s": max(compute, memory)}


def _notes(r: dict) -> str:
    notes = [f"median of {r['runs']} processes"] if r.get("runs", 1) > 1 else []
    if r["impl"] == "numba-warm":
        notes.append("sims " + ", ".join(f"{s:.3f}" for s in r["sim_s_all"]) + f" s; lowering {r['lower_s']:.2f} s")
    if r["impl"].startswith("numba-cold"):
        notes.append(f"JIT {'compilation' if 'nocache' in r['impl'] else 'cache load'} ~{r['jit_s']:.2f} s")
    if r["impl"] == "brian2-cpp_standalone":
        notes.append("binary runs " + ", ".join(f"{s:.3f}" for s in r["sim_s_all"]) + " s (CPU time, std::clock)")
    if r.get("compiled_extensions"):
        notes.append(f"{r['compiled_extensions']} Cython extensions compiled (cache cold)")
    if r.get("threads"):
        notes.append(f"{r['threads']} torch threads")
    return "; ".join(notes)


def results_table(rows: list[dict], model: str, limits: dict) -> list[str]:
    """Medians per size and implementation, with the build/sim split and the activity."""
    from benchmarks.network import IMPLS

    headers = ["N", "implementation", "sim. ms", "build (s)", "sim (s)", "sim per sim. s", "x floor", "total (s)",
               "process (s)", "sim CPU (s)", "total CPU (s)", "spikes", "rate (Hz)", "notes"]
    lines = []
    for r in sorted((r for r in rows if r.get("kind") == "case" and r["model"] == model),
                    key=lambda r: (r["n"], list(IMPLS).index(r["impl"]))):
        ms = r["duration_ms"]
        head = [r["n"], IMPLS[r["impl"]], int(ms) if float(ms).is_integer() else ms]
        if "sim_s" not in r:
            lines.append(head + [None] * 10 + [r.get("skipped") or r.get("error")])
            continue
        bound = floor(r, limits)
        lines.append(head + [r["build_s"], r["sim_s"], r["sim_s"] / (r["duration_ms"] / 1000),
                             r["sim_s"] / bound["floor_s"] if bound and bound["floor_s"] else None, r.get("total_s"),
                             r.get("process_s"), r.get("cpu_sim_s"), r.get("total_cpu_s"), int(r["n_spikes"]),
                             r["rate_hz"], _notes(r)])
    return common.table(headers, lines)


def targets_table(targets: list[dict]) -> list[str]:
    """One line per target: the wall-clock and the CPU-time ratio with their verdicts."""
    lines = ["| target | wall-clock | | CPU time | |", "|---|---:|---|---:|---|"]
    for wall, cpu in zip(targets[::2], targets[1::2]):
        name = wall["name"].rsplit(" (", 1)[0]
        cells = [f"{common.fmt(t['value'])} | **{t['verdict']}**" for t in (wall, cpu)]
        lines.append(f"| {name} {wall['comparison']} {wall['target']:g} | {cells[0]} | {cells[1]} |")
    return lines


def limit_lines(rows: list[dict], limits: dict) -> list[str]:
    """The machine's limits and the floor of the N = 4000 cases (or the nearest measured size)."""
    lines = [*common.limits_lines(limits), ""]
    for model in ("coba", "cuba"):
        measured = [r for r in rows if r.get("kind") == "case" and r["model"] == model and r["impl"] == "numba-warm"
                    and "sim_s" in r]
        if not measured:
            continue
        r = min(measured, key=lambda r: abs(r["n"] - 4000))
        b = floor(r, limits)
        f = common.fmt
        exp = (f" (one scalar libm `exp` per update alone would take {f(b['libm_exp_s'])} s)"
               if model == "coba" else "")
        lines.append(f"- {model.upper()}, N = {r['n']:,}, {r['duration_ms']:g} ms: {f(b['updates'])} neuron updates"
                     f" (refractory steps left out) and {f(b['events'])} synaptic events: compute floor"
                     f" {f(b['compute_s'])} s{exp}, memory floor {f(b['memory_s'])} s; floor {f(b['floor_s'])} s"
                     f" = {f(b['floor_s'] / (r['duration_ms'] / 1000))} s per simulated second.")
        if r.get("neuron_update_cpu_s", 0) > 0:  # on a tiny network the split is lost in the noise
            lines.append(f"  The warm Numba kernel takes {f(r['kernel_cpu_s'])} s CPU (min of 3): membrane updates"
                         f" {f(r['neuron_update_cpu_s'])} s (thresholds lifted, no neuron fires), spike handling"
                         f" {f(r['spike_handling_cpu_s'])} s, against the floor's {f(b['floor_s'])} s.")
    return lines + ["", f"Counted per update: ~{FLOPS_PER_UPDATE['coba']} flops (COBA; CUBA"
                    f" {FLOPS_PER_UPDATE['cuba']}) plus ~{EXP_FLOPS} for a vectorised `exp`, ~{BYTES_PER_UPDATE} bytes"
                    f" of state; per synaptic event ~{BYTES_PER_EVENT} bytes; the floor is the larger of the compute"
                    " time at peak and the memory time (data that fits in the last-level cache at the L2 rate)."
                    " Both are optimistic, so real loops stay above it. The *x floor* column of the tables is each"
                    " case's *sim* over its own floor (from its spike and synapse counts). Python-driven loops (numpy,"
                    " torch, snnTorch) are far above it: their cost per step is interpreter and dispatch overhead."]


def plot(rows: list[dict], limits: dict, path: Path) -> Path:
    """Time per simulated second against N, log-log, one line per implementation, COBA and CUBA panels."""
    from benchmarks.network import IMPLS

    panels = []
    for model in _models(rows):
        cases = [r for r in rows if r.get("kind") == "case" and r["model"] == model and "sim_s" in r]
        series = {}
        for impl, label in IMPLS.items():
            points = sorted((r["n"], r["sim_s"] / (r["duration_ms"] / 1000)) for r in cases if r["impl"] == impl)
            if points and not impl.startswith("numba-cold"):  # numba-warm's loop; only the JIT differs
                series[label.replace(" (anchor)", " *")] = tuple(zip(*points))
        floors = sorted((r["n"], b["floor_s"] / (r["duration_ms"] / 1000)) for r in cases
                        if r["impl"] == "numba-warm" and (b := floor(r, limits)))
        if floors:
            series["bound: floor of this CPU"] = tuple(zip(*floors))
        panels.append({"title": f"{model.upper()} (* anchors)", "xlabel": "N (neurons)",
                       "ylabel": "sim time per simulated second (s)", "series": series})
    return common.scaling_plot(path, panels)


def _models(rows: list[dict]) -> list[str]:
    return [m for m in ("coba", "cuba") if any(r.get("kind") == "case" and r["model"] == m for r in rows)]


def _link(path: Path) -> str:
    try:
        return path.resolve().relative_to(DOCS).as_posix()
    except ValueError:  # written elsewhere (quick run): the report's folder layout is the same
        return f"figures/benchmarks/{path.name}"


def section(rows: list[dict], figures: Path, targets: list[dict]) -> list[str]:
    """Markdown lines of ``## Spiking networks: COBA and CUBA``; writes the plot into ``figures``."""
    limits = next(r for r in rows if r.get("kind") == "limits")
    problems = next((r for r in rows if r.get("kind") == "mismatches"), {"problems": [], "quick": False})
    image = plot(rows, limits, Path(figures) / "network_scaling.png")
    sizes = sorted({(r["n"], r["duration_ms"]) for r in rows if r.get("kind") == "case" and r["impl"] == "numba-warm"})
    lines = [
        "## Spiking networks: COBA and CUBA", "",
        "The Vogels-Abbott networks of Brette et al. (2007) as `biomem.models.benchmarks` builds them: 80 % excitatory,"
        " p = 0.02 per E/I projection without autapses, one-step delays, dt = 0.1 ms; COBA (IF_cond_exp, 4 / 51 nS,"
        " started by 20 Poisson sources at 100 Hz for 50 ms) and CUBA (IF_curr_exp, v_rest above threshold). Sizes: "
        + ", ".join(f"N = {n:,} for {d:g} ms" for n, d in sizes) + " (snnTorch shorter: see the tables). Each case"
        " runs in a fresh subprocess (`python -m benchmarks.network`); the anchors in `benchmarks/anchors/` use no"
        " biomem code. " + ("Anchor constants checked against the biomem description: identical."
                            if not problems["problems"] else
                            "**Anchor constants differ from biomem:** " + "; ".join(problems["problems"]) + "."), "",
        "### Targets", "", *targets_table(targets), "",
        "### Scaling", "", f"![simulation time per simulated second against N]({_link(image)})", "",
    ]
    for model in _models(rows):
        lines += [f"### {model.upper()}", "", *results_table(rows, model, limits), ""]
    lines += [
        "- *build*: everything before the simulation loop (construction, connectivity, code generation, compilation)."
        " *sim*: the implementation's own time for the loop (Brian2: `_last_run_time`, for cpp_standalone CPU time"
        " measured in the binary). *total*: from the start of the process (imports included) to the first result;"
        " *process*: the whole subprocess, interpreter start-up included. *sim CPU* / *total CPU*: CPU times where"
        " they can be isolated (compiler processes included in *total CPU*); they change little on a loaded machine.",
        "- Warm Numba: *sim CPU* is the backend's whole run, its preparation (synapse tables) included, an upper"
        " bound; *process* includes the untimed first run, the repeats and, at the target size, the kernel split.",
        "- *spikes*, *rate*: spikes of the network neurons (sources excluded). The anchors draw their own random"
        " numbers (different synapses, initial potentials), so counts agree in distribution, not exactly. With p"
        " fixed at 0.02 the in-degree grows with N and the weights stay as they are, so the rates fall at the"
        " largest size: the benchmark's definition, the same for every implementation.",
        "- NEST via PyNN: `iaf_cond_exp` (adaptive Runge-Kutta) / `iaf_psc_exp` (exact), no per-step weight scaling,"
        " one thread. snnTorch loop: dense float32 `nn.Linear` weights, `snn.Leaky`, refractoriness as a counter;"
        " COBA's conductances become a current from the membrane before each step (an explicit step).",
        "", "### Physical limit", "", *limit_lines(rows, limits), "",
    ]
    if problems.get("quick"):
        lines += ["*Quick run: a small network for a short time; the ratios say nothing about performance.*", ""]
    return lines
