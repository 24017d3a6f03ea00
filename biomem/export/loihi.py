"""Export to Intel Loihi through nengo-loihi (emulator ``target="sim"``; real chips need NxSDK).

The network is the Nengo export (:mod:`biomem.export.nengo_export`) restricted to what
nengo-loihi accepts: ``Lowpass`` synapses only (so no synaptic delay beyond the one-step latency),
no STDP (nengo-loihi learns with PES only), one synaptic time constant per compartment, no
initial voltage. It is checked against the Loihi profile (``hardware/loihi.toml``) by biomem's
own checker: feature check, quantisation (8-bit weights with one exponent per synapse group,
12-bit decays) and the core mapping (1024 compartments, 4096 input and output axons and
16384 x 64 synapse bits per core, 128 cores per chip).

nengo-loihi 1.1.0 needs numpy < 2, so it lives in a separate environment: ``make -f
Makefile.loihi venv`` creates ``.venv-loihi`` and ``make -f Makefile.loihi test`` runs the tests
marked ``loihi`` there. In the main environment :func:`emulator_available` is False and the
emulator run is reported as not available.
"""

from __future__ import annotations

import importlib.util

from biomem.description.lowered import LoweredNetwork
from biomem.description.network import Network
from biomem.errors import BiomemError
from biomem.export import nengo_export
from biomem.export.common import Issues
from biomem.export.profiles import Profile, get as get_profile


def emulator_available() -> bool:
    """Whether nengo-loihi is importable here (only in .venv-loihi)."""
    return importlib.util.find_spec("nengo_loihi") is not None


def build(network: Network, lowered: LoweredNetwork, *, profile: Profile | None = None, approximate: bool = False,
          issues: Issues | None = None) -> nengo_export.NengoExport:
    """The nengo network for Loihi, checked against the Loihi profile."""
    profile = profile if profile is not None else get_profile("loihi")
    return nengo_export.build(network, lowered, profile=profile, approximate=approximate, synapse="lowpass",
                              target="loihi", issues=issues)


def run_emulator(export: nengo_export.NengoExport) -> dict:
    """Run nengo-loihi's emulator on the exported network; returns spikes.json."""
    if not emulator_available():
        raise BiomemError("loihi", "nengo-loihi is not installed in this environment",
                          "make -f Makefile.loihi venv (nengo-loihi needs numpy < 2)")
    import warnings

    import nengo_loihi

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with nengo_loihi.Simulator(export.network, dt=export.dt_s, target="sim", progress_bar=False) as sim:
            sim.run_steps(export.lowered.n_steps)
            return nengo_export.spikes_from_probes(export, sim.data)
