"""biomem.plotting writes valid PNG files from results and from spikes.json-style mappings."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from biomem import plotting, simulate
from biomem.description import (FixedProbabilityConnector, IF_curr_exp, Network, Population, Projection,
                                SpikeSourcePoisson)
from biomem.errors import BiomemError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(path) -> tuple[int, int]:
    """Width and height from the IHDR chunk, after checking the signature."""
    data = path.read_bytes()
    assert len(data) > 100
    assert data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def result():
    net = Network("plot_test")
    source = net.add(Population("source", 20, SpikeSourcePoisson(rate=80.0)))
    cells = net.add(Population("cells", 30, IF_curr_exp(tau_refrac=2.0), record=("spikes", "v", "isyn_exc")))
    net.add(Projection(source, cells, FixedProbabilityConnector(0.5), weight=1.0, delay=0.1))
    return simulate(net, 100.0, dt=0.1, seed=3)


def test_raster_with_marks(result, tmp_path):
    assert result.spike_counts()["cells"] > 0
    path = plotting.raster(result, path=tmp_path / "raster.png", marks=[(20.0, "cue"), (60.0, "recall")],
                           title="test")
    width, height = png_size(path)
    assert width > 200 and height > 200


def test_raster_positional_and_population_choice(result, tmp_path):
    path = plotting.raster(result, ["cells"], tmp_path / "sub" / "cells.png")
    assert png_size(path)[0] > 0


def test_raster_from_spikes_json_mapping(result, tmp_path):
    spikes = result.spikes_json()
    path = plotting.raster(spikes, path=tmp_path / "from_json.png")
    assert png_size(path)[0] > 0
    times, indices = result.spikes("cells")
    path = plotting.raster({"cells": (times, indices)}, path=tmp_path / "from_arrays.png")
    assert png_size(path)[0] > 0


def test_raster_of_silent_populations(tmp_path):
    path = plotting.raster({"quiet": []}, path=tmp_path / "empty.png")
    assert png_size(path)[0] > 0


def test_state_plot(result, tmp_path):
    path = plotting.state_plot(result, "cells", "v", tmp_path / "v.png", neurons=[0, 3, 5], marks=[(50.0, "half")])
    assert png_size(path)[1] > 0
    path = plotting.state_plot(result, "cells", "isyn_exc", tmp_path / "i.png")
    assert png_size(path)[1] > 0


def test_rate_histogram(result, tmp_path):
    path = plotting.rate_histogram(result, ["cells"], tmp_path / "rates.png")
    assert png_size(path)[0] > 0


def test_cv_isi():
    # A regular train has CV 0; neurons with fewer than three spikes are left out.
    times = np.array([0.0, 10.0, 20.0, 30.0, 5.0, 6.0])
    indices = np.array([0, 0, 0, 0, 1, 1])
    assert plotting.cv_isi(times, indices, 2).tolist() == [0.0]


def test_errors_name_the_parameter(result, tmp_path):
    with pytest.raises(BiomemError, match="populations"):
        plotting.raster(result, ["nope"], tmp_path / "x.png")
    with pytest.raises(BiomemError, match="variable"):
        plotting.state_plot(result, "cells", "gsyn_inh", tmp_path / "x.png")
    with pytest.raises(BiomemError, match="neurons"):
        plotting.state_plot(result, "cells", "v", tmp_path / "x.png", neurons=[99])
    with pytest.raises(BiomemError, match="path"):
        plotting.raster(result)
    assert not (tmp_path / "x.png").exists()
