"""The documentation works: tutorials run, the site builds strictly, the getting-started page's
commands do what it says, and every public function and class has a docstring.

1. every ``docs/tutorials/*.py`` runs at small size (``--small --out DIR``) and writes
   ``DIR/<name>.png``, the figure its page shows; every script has that page;
2. ``mkdocs build --strict`` succeeds on a copy of the docs (with the figures of 1, so a checkout
   without generated figures still builds) into a temporary site, and no API reference page is empty;
3. ``docs/getting-started.md``: each ``console`` block runs in a fresh temporary folder, its
   ``$ `` lines one after the other through bash with the environment's ``biomem`` first on PATH;
   the lines under a command are output that must appear in what it prints, in order (whitespace
   runs compare equal, ``...`` elides text or whole lines); a command whose expected output holds an
   ``error:`` line must end with status 2, the others with 0. Its ``python`` blocks run as one
   script, and ``print(...)  # value`` lines must print ``value``;
4. every public function and class (name without a leading ``_``, defined in a module of
   ``biomem`` whose dotted path has no part starting with ``_``) has a docstring of its own.
   A dataclass's generated ``Name(field, ...)`` text does not count. The failure lists offenders.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import importlib
import inspect
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
TUTORIALS = sorted(path for path in (DOCS / "tutorials").glob("*.py") if not path.name.startswith("_"))
BIN = Path(sys.executable).parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Two or three subprocesses at a time: most of their time is interpreter start-up and imports.
PARALLEL = max(2, min(3, os.cpu_count() or 2))


def _tail(text: str, lines: int = 25) -> str:
    return "\n".join((text or "").strip().splitlines()[-lines:])


def _environment() -> dict:
    env = dict(os.environ)
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    env.update(COLUMNS="120", NO_COLOR="1", MPLBACKEND="Agg", NO_MKDOCS_2_WARNING="1", PYTHONUNBUFFERED="1")
    env.pop("FORCE_COLOR", None)
    return env


# --------------------------------------------------------------------------- 1. tutorials


@pytest.fixture(scope="module")
def small_figures(tmp_path_factory):
    """Run every tutorial at small size into one folder: ``(folder, {name: (process, seconds)})``."""
    out = tmp_path_factory.mktemp("figures")

    def run(script: Path):
        started = time.perf_counter()
        completed = subprocess.run([sys.executable, str(script), "--out", str(out), "--small"], cwd=ROOT,
                                   capture_output=True, text=True, timeout=300, env=_environment())
        return script.stem, (completed, time.perf_counter() - started)

    with concurrent.futures.ThreadPoolExecutor(PARALLEL) as pool:
        runs = dict(pool.map(run, TUTORIALS))
    return out, runs


def test_there_are_tutorials():
    assert TUTORIALS, "docs/tutorials/ holds no tutorial script"


@pytest.mark.parametrize("script", TUTORIALS, ids=lambda path: path.stem)
def test_tutorial_runs_and_writes_its_figure(script, small_figures):
    out, runs = small_figures
    completed, seconds = runs[script.stem]
    assert completed.returncode == 0, (f"{script.name} failed (status {completed.returncode}) after "
                                       f"{seconds:.1f} s:\n{_tail(completed.stderr)}")
    figure = out / f"{script.stem}.png"
    assert figure.is_file(), f"{script.name} ran but wrote no {figure.name} (its page shows that figure)"
    assert figure.read_bytes()[:8] == PNG_SIGNATURE, f"{figure.name} is not a PNG file"


@pytest.mark.parametrize("script", TUTORIALS, ids=lambda path: path.stem)
def test_tutorial_has_a_page_in_the_nav(script):
    page = DOCS / "tutorials" / f"{script.stem}.md"
    assert page.is_file(), f"{script.name} has no page {page.relative_to(ROOT)}"
    text = page.read_text()
    assert f'--8<-- "docs/tutorials/{script.name}"' in text, f"{page.name} does not include the script's source"
    assert f"../figures/{script.stem}.png" in text, f"{page.name} does not show {script.stem}.png"
    assert f"tutorials/{script.stem}.md" in (ROOT / "mkdocs.yml").read_text(), f"{page.name} is not in the nav"


# --------------------------------------------------------------------------- 2. the site


def test_site_builds_strictly(small_figures, tmp_path):
    # mkdocs comes with the docs extra (`make venv` installs it): a missing one fails here, never skips.
    figures, _ = small_figures
    work = tmp_path / "project"
    work.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copytree(DOCS, work / "docs", ignore=shutil.ignore_patterns("__pycache__"))
    (work / "docs" / "figures").mkdir(exist_ok=True)
    for figure in figures.glob("*.png"):
        target = work / "docs" / "figures" / figure.name
        if not target.exists():  # generated figures already in the tree are used as they are
            shutil.copy(figure, target)
    (work / "biomem").symlink_to(ROOT / "biomem", target_is_directory=True)
    site = tmp_path / "site"
    completed = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                               cwd=work, capture_output=True, text=True, timeout=600, env=_environment())
    assert completed.returncode == 0, f"mkdocs build --strict failed:\n{_tail(completed.stderr + completed.stdout, 40)}"
    pages = sorted((site / "reference").glob("*/index.html"))
    assert pages, "the site has no API reference pages"
    empty = [page.parent.name for page in pages if page.read_text().count('class="doc doc-object') < 2]
    assert not empty, f"API reference pages without documented objects: {empty}"


# --------------------------------------------------------------------------- 3. getting started

GETTING_STARTED = DOCS / "getting-started.md"
FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


@dataclasses.dataclass
class Command:
    line: str
    expected: list[str]


def console_blocks(text: str) -> list[list[Command]]:
    """``console`` blocks as lists of commands, each with the output lines shown under it."""
    blocks = []
    for language, body in FENCE.findall(text):
        if language != "console":
            continue
        commands: list[Command] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                commands.append(Command(line[2:].strip(), []))
            elif commands:
                commands[-1].expected.append(line)
            elif line.strip():
                raise AssertionError(f"console block starts with output, not a '$ ' command: {line!r}")
        blocks.append(commands)
    return blocks


def _normal(text: str) -> str:
    return " ".join(text.split())


def missing_lines(expected: list[str], stdout: str, stderr: str) -> list[str]:
    """Expected lines not found, each in order within stdout or within stderr."""
    streams = {"stdout": [_normal(line) for line in stdout.splitlines()],
               "stderr": [_normal(line) for line in stderr.splitlines()]}
    cursor = {"stdout": 0, "stderr": 0}
    missing = []
    for line in expected:
        pieces = [_normal(piece) for piece in line.split("...")]
        if not any(pieces):
            continue  # "..." alone: lines left out
        for name, lines in streams.items():
            found = next((i for i in range(cursor[name], len(lines)) if _contains_in_order(lines[i], pieces)), None)
            if found is not None:
                cursor[name] = found + 1
                break
        else:
            missing.append(line)
    return missing


def _contains_in_order(line: str, pieces: list[str]) -> bool:
    position = 0
    for piece in pieces:
        if not piece:
            continue
        position = line.find(piece, position)
        if position < 0:
            return False
        position += len(piece)
    return True


def _run_block(commands: list[Command], folder: Path) -> list[str]:
    folder.mkdir(parents=True)
    problems = []
    for command in commands:
        completed = subprocess.run(["bash", "-c", command.line], cwd=folder, capture_output=True, text=True,
                                   timeout=300, env=_environment())
        wanted = 2 if any(line.startswith("error:") for line in command.expected) else 0
        if completed.returncode != wanted:
            problems.append(f"$ {command.line}\n  exit status {completed.returncode}, documented {wanted}\n"
                            f"{_tail(completed.stderr or completed.stdout, 15)}")
            continue
        missing = missing_lines(command.expected, completed.stdout, completed.stderr)
        if missing:
            problems.append(f"$ {command.line}\n  documented output not printed:\n    " + "\n    ".join(missing) +
                            f"\n  it printed (stdout):\n{_tail(completed.stdout, 15)}\n  (stderr):\n"
                            f"{_tail(completed.stderr, 15)}")
    return problems


@pytest.mark.slow  # about a dozen `biomem` processes: 15-30 s on two busy cores
def test_getting_started_commands_run_as_documented(tmp_path):
    blocks = console_blocks(GETTING_STARTED.read_text())
    commands = [command.line for block in blocks for command in block]
    for needed in ("biomem list", "biomem run ca3-cam"):
        assert any(line.startswith(needed) for line in commands), f"getting-started.md does not show {needed!r}"
    assert all(line.split()[0] in ("biomem", "ls", "cat") for line in commands), (
        "console blocks run biomem commands and ls/cat only: " + ", ".join(commands))
    with concurrent.futures.ThreadPoolExecutor(PARALLEL) as pool:
        results = pool.map(_run_block, blocks, [tmp_path / f"block{i}" for i in range(len(blocks))])
        problems = [problem for block in results for problem in block]
    assert not problems, "getting-started.md does not match what the commands do:\n\n" + "\n\n".join(problems)


def test_getting_started_python_runs_as_documented(tmp_path):
    code = "\n\n".join(body for language, body in FENCE.findall(GETTING_STARTED.read_text()) if language == "python")
    assert code.strip(), "getting-started.md has no python block"
    expected = [match.group(1).strip() for match in re.finditer(r"^print\(.*\)\s*#\s*(.+)$", code, re.MULTILINE)]
    script = tmp_path / "getting_started.py"
    script.write_text(code)
    completed = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                               timeout=300, env=_environment())
    assert completed.returncode == 0, f"the python blocks of getting-started.md fail:\n{_tail(completed.stderr)}"
    printed = [line.strip() for line in completed.stdout.splitlines()]
    assert printed[:len(expected)] == expected, f"documented {expected}, printed {printed}"


# --------------------------------------------------------------------------- how-to examples


def test_add_a_backend_example_matches_numba():
    """The NumPy backend written out in docs/howto/add-a-backend.md gives the Numba kernel's spikes."""
    import numpy as np

    from biomem import simulate
    from biomem.description import (FixedProbabilityConnector, IF_cond_exp, IF_curr_exp, Network, Population,
                                    Projection, SpikeSourcePoisson, Uniform, lower)
    from biomem.results import SimulationResult

    page = (DOCS / "howto" / "add-a-backend.md").read_text()
    code = next((body for language, body in FENCE.findall(page) if language == "python" and "class " in body), None)
    assert code, "add-a-backend.md has no python block defining the backend"
    namespace: dict = {"__name__": "howto_backend"}
    exec(compile(code, "add-a-backend.md", "exec"), namespace)
    backend = next(value for value in namespace.values()
                   if isinstance(value, type) and value.__module__ == "howto_backend")()

    network = Network("howto")
    inputs = network.add(Population("inputs", 20, SpikeSourcePoisson(rate=80.0)))
    exc = network.add(Population("exc", 16, IF_curr_exp(tau_refrac=2.0), initial_v=Uniform(-65.0, -52.0),
                                 record=("spikes", "v")))
    inh = network.add(Population("inh", 6, IF_cond_exp(tau_refrac=1.0), initial_v=Uniform(-65.0, -55.0),
                                 record=("spikes", "gsyn_inh")))
    network.add(Projection(inputs, exc, FixedProbabilityConnector(0.4), weight=1.5, delay=0.5))
    network.add(Projection(exc, exc, FixedProbabilityConnector(0.3, allow_self_connections=False), weight=0.4))
    network.add(Projection(exc, inh, FixedProbabilityConnector(0.5), weight=0.02, delay=0.3))
    network.add(Projection(inh, exc, FixedProbabilityConnector(0.5), receptor="inhibitory", weight=1.0, delay=0.2))
    reference = simulate(network, 100.0, dt=0.1, seed=7)
    lowered = lower(network, 100.0, 0.1, 7)
    mine = SimulationResult(lowered, backend.run(lowered), "howto")
    assert reference.raw.spike_steps.size > 100
    assert np.array_equal(mine.raw.spike_steps, reference.raw.spike_steps)
    assert np.array_equal(mine.raw.spike_neurons, reference.raw.spike_neurons)
    for key in reference.raw.state:
        np.testing.assert_allclose(mine.raw.state[key], reference.raw.state[key], rtol=0, atol=1e-9)


# --------------------------------------------------------------------------- 4. docstrings


def public_modules() -> list[str]:
    """Dotted names of biomem's modules, leaving out any whose path has a part starting with '_'."""
    names = []
    for path in sorted((ROOT / "biomem").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not any(part.startswith("_") for part in parts):
            names.append(".".join(parts))
    return names


def _own_docstring(obj) -> str | None:
    if inspect.isclass(obj):
        text = obj.__dict__.get("__doc__")
        if dataclasses.is_dataclass(obj) and text and text.startswith(f"{obj.__name__}("):
            return None  # written by @dataclass, not by a person
        return text
    return getattr(obj, "__doc__", None)


def undocumented(module_name: str) -> list[str]:
    """``module.name (path:line)`` of each public function or class of the module without a docstring."""
    module = importlib.import_module(module_name)
    found = []
    for name, obj in vars(module).items():
        if name.startswith("_"):
            continue
        function = getattr(obj, "py_func", obj)  # a Numba dispatcher documents its Python function
        if not (inspect.isclass(obj) or inspect.isfunction(function)):
            continue
        if getattr(obj, "__module__", None) != module_name:
            continue  # imported from elsewhere; checked where it is defined
        text = _own_docstring(obj if inspect.isclass(obj) else function)
        if not (text and text.strip()):
            try:
                path = Path(inspect.getsourcefile(function)).relative_to(ROOT)
                where = f"{path}:{inspect.getsourcelines(function)[1]}"
            except (TypeError, OSError, ValueError):
                where = module_name.replace(".", "/") + ".py"
            found.append(f"{module_name}.{name} ({where})")
    return found


def test_every_public_function_and_class_has_a_docstring():
    modules = public_modules()
    assert len(modules) > 20, f"found only {len(modules)} modules under biomem/"
    offenders, broken = [], []
    for name in modules:
        try:
            offenders += undocumented(name)
        except Exception as error:  # a module that cannot be imported cannot be documented either
            broken.append(f"{name}: {type(error).__name__}: {error}")
    message = ""
    if broken:
        message += f"{len(broken)} modules cannot be imported:\n  " + "\n  ".join(broken) + "\n"
    if offenders:
        message += (f"{len(offenders)} public functions and classes have no docstring:\n  " +
                    "\n  ".join(offenders))
    assert not (broken or offenders), message
