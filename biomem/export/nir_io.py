"""Writing NIR graphs to HDF5 files, reading them back, and reading their metadata."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from biomem.errors import BiomemError

if TYPE_CHECKING:
    from biomem.export.nir_graph import NirExport


def write(export: NirExport, path) -> Path:
    """Write an exported graph to ``path`` (HDF5, ``nir.write``).

    Parameters
    ----------
    export : NirExport
        The result of :func:`biomem.export.nir_graph.to_graph`.
    path : str or os.PathLike
        The file to write (replaced if it exists).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    import nir

    path = Path(path)
    nir.write(str(path), export.graph)
    return path


def read(path):
    """Read a NIR graph from an HDF5 file (``nir.read``).

    Parameters
    ----------
    path : str or os.PathLike
        A file written by ``nir.write`` (by biomem or any other NIR producer).

    Returns
    -------
    nir.NIRGraph
        The graph, with its metadata.

    Raises
    ------
    BiomemError
        When the file is missing or cannot be read as a NIR graph.
    """
    import nir

    path = Path(path)
    if not path.is_file():
        raise BiomemError("nir", f"no such file: {path}", "an HDF5 file written by nir.write")
    try:
        return nir.read(str(path))
    except Exception as error:  # h5py/nir raise many kinds of errors on a bad file
        raise BiomemError("nir", f"cannot read {path.name}: {type(error).__name__}: {error}",
                          "an HDF5 file written by nir.write") from None


def metadata_value(graph, key: str, default=None):
    """One entry of a graph's metadata, as a plain Python value.

    Parameters
    ----------
    graph : nir.NIRGraph
        A graph, written by biomem or read back from a file (HDF5 turns strings into bytes and
        scalars into 0-d arrays).
    key : str
        The metadata key, e.g. ``"biomem.dt_s"``.
    default : object, optional
        Returned when the graph has no such entry.

    Returns
    -------
    object
        The value, bytes decoded to ``str`` and 0-d arrays turned into scalars.
    """
    metadata = getattr(graph, "metadata", None) or {}
    value = metadata.get(key, default)
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    return value
