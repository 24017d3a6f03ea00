"""The PyTorch backend (with snnTorch surrogate gradients); imported lazily by the registry.

Modules, one job each: ``backend`` (TorchBackend), ``network`` (the run as an nn.Module),
``layers`` (LIF population), ``synapses`` (fan-out, delay ring, dense differentiable path),
``stdp`` (plasticity), ``surrogate`` (spike function), ``batch`` (trials of one topology).
"""
