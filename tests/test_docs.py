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
   ``biomem`` whose dotted path has no part starting with ``_``), and every public method and
   property that such a class defines, has a docstring of its own (an override may rely on the
   text of the biomem base-class method it overrides).
   A dataclass's generated ``Name(field, ...)`` text does not count. The failure lists offenders.
5. every results page (``docs/results/*.md``) has a summary table with the paper, the claim, the
   paper's value, biomem's value, a status, the size and the command(s); each command names an
   experiment script with options it defines, a biomem subcommand with a known model and valid
   ``--set`` values, or an existing pytest file and test; the index lists every page with its
   status, the nav holds it, and every figure it shows is made by ``docs/gen_figures.py`` from the
   command the page gives.
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


def _where(obj, module_name: str) -> str:
    try:
        path = Path(inspect.getsourcefile(obj)).relative_to(ROOT)
        return f"{path}:{inspect.getsourcelines(obj)[1]}"
    except (TypeError, OSError, ValueError):
        return module_name.replace(".", "/") + ".py"


def _member_function(member):
    """The Python function behind a class attribute that is a method or property, else None."""
    from functools import cached_property

    if isinstance(member, (staticmethod, classmethod)):
        member = member.__func__
    elif isinstance(member, property):
        member = member.fget
    elif isinstance(member, cached_property):
        member = member.func
    member = getattr(member, "py_func", member)  # a Numba dispatcher documents its Python function
    return member if inspect.isfunction(member) else None


def _in_biomem(module_name: str | None) -> bool:
    return module_name == "biomem" or (module_name or "").startswith("biomem.")


def _documented_member(cls: type, name: str, function) -> bool:
    """Whether ``function`` (``cls.name``), or the ``name`` of a biomem base class it overrides, has
    a docstring of its own. Bases from outside biomem (object, numpy, torch.nn.Module, ...) do not
    count: their text describes their method, not biomem's."""
    if (function.__doc__ or "").strip():
        return True
    for base in cls.__mro__[1:]:
        if not _in_biomem(base.__module__) or name not in vars(base):
            continue
        inherited = _member_function(vars(base)[name])
        if inherited is not None and (inherited.__doc__ or "").strip():
            return True
    return False


def undocumented_members(cls: type, module_name: str) -> list[str]:
    """``module.Class.name (path:line)`` of each public method or property that ``cls`` defines
    (its own class body, not inherited and not generated by @dataclass, Enum or NamedTuple) without
    a docstring of its own or of the biomem base-class method it overrides."""
    found = []
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        function = _member_function(member)
        if function is None or not _in_biomem(getattr(function, "__module__", None)):
            continue  # a plain attribute, or a function from elsewhere bound as a class attribute
        if not _documented_member(cls, name, function):
            found.append(f"{module_name}.{cls.__qualname__}.{name} ({_where(function, module_name)})")
    return found


def undocumented(module_name: str) -> list[str]:
    """``module.name (path:line)`` of each public function, class, or public method or property of
    a public class, of the module, without a docstring."""
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
            found.append(f"{module_name}.{name} ({_where(function, module_name)})")
        if inspect.isclass(obj):
            found += undocumented_members(obj, module_name)
    return found


def test_every_public_function_and_class_has_a_docstring():
    """Each public function and class of biomem, and each public method and property that a public
    class defines, has a docstring of its own (an override may rely on its biomem base's text).
    Nothing is exempt: the failure lists every offender with its file and line."""
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
        message += (f"{len(offenders)} public functions, classes, methods and properties have no docstring:\n  " +
                    "\n  ".join(offenders))
    assert not (broken or offenders), message


# --------------------------------------------------------------------------- 5. results pages
#
# docs/results/<slug>.md: one page per published result. Each opens with a summary table whose rows
# are **Paper**, **Claim**, **Paper value**, **biomem value**, **Status**, **Size** and **Command**;
# it has a "## Deviations" section; docs/results/index.md lists it with the same status. Every
# command in the Command row must run something that exists: an experiment script with options it
# defines, a biomem subcommand with a known model and valid --set values, or (for a result that a
# test measures, such as the comparison with NEST) a pytest file and test.

RESULTS = DOCS / "results"
RESULT_PAGES = sorted(path for path in RESULTS.glob("*.md") if path.name != "index.md")
RESULT_FIELDS = ("Paper", "Claim", "Paper value", "biomem value", "Status", "Size", "Command")
RESULT_STATUSES = ("exact", "agrees", "qualitative", "deviates")
_SUMMARY_ROW = re.compile(r"^\|\s*\*\*(?P<key>[^*|]+)\*\*\s*\|\s*(?P<value>.*?)\s*\|\s*$", re.MULTILINE)
_CODE = re.compile(r"`([^`]+)`")


def result_summary(text: str) -> dict[str, str]:
    """The ``| **Key** | value |`` rows of a results page, by key."""
    return {match["key"].strip(): match["value"] for match in _SUMMARY_ROW.finditer(text)}


def _experiment_options(script: Path) -> str:
    """The text in which the script's command-line options must be defined: the script and the
    experiments/ helpers it imports (``import ca3_common``, ``import hebbian_common as common``)."""
    text = script.read_text()
    helpers = set(re.findall(r"^\s*import (\w+)", text, re.MULTILINE)) | \
        set(re.findall(r"^\s*from (\w+) import", text, re.MULTILINE))
    for name in sorted(helpers):
        helper = script.parent / f"{name}.py"
        if helper.is_file():
            text += helper.read_text()
    return text


def _cli_commands() -> set[str]:
    import typer

    from biomem.cli.main import app
    return set(typer.main.get_command(app).commands)


def command_problems(command: str) -> tuple[str | None, list[str]]:
    """``(kind, problems)`` of one command a results page gives: kind ``experiment``, ``biomem`` or
    ``pytest`` (None when it is none of them); problems is empty when what it names exists."""
    import shlex

    from biomem.errors import BiomemError
    from biomem.models import registry

    words = shlex.split(command)
    if words[:1] == ["python"] and len(words) > 1 and words[1].startswith("experiments/"):
        script = ROOT / words[1]
        if not script.is_file():
            return "experiment", [f"{words[1]} does not exist"]
        defined = _experiment_options(script)
        missing = [word for word in words[2:] if word.startswith("--") and f'"{word.split("=")[0]}"' not in defined]
        return "experiment", [f"{words[1]} defines no option {option}" for option in missing]
    if words[:1] == ["biomem"]:
        if len(words) < 2 or words[1] not in _cli_commands():
            return "biomem", [f"biomem has no subcommand {words[1:2]} (it has {sorted(_cli_commands())})"]
        positional = [word for i, word in enumerate(words[2:], 2)
                      if not word.startswith("-") and not words[i - 1].startswith("--")]
        if words[1] in ("run", "theory", "sweep", "export", "list") and positional:
            models = registry.all_models()
            if positional[0] not in models:
                return "biomem", [f"biomem {words[1]}: no model {positional[0]!r} (models: {sorted(models)})"]
            assignments = [words[i + 1] for i, word in enumerate(words[:-1]) if word == "--set"]
            try:
                models[positional[0]].resolve(assignments)
            except BiomemError as error:
                return "biomem", [f"{command}: {error}"]
        return "biomem", []
    if words[:3] == ["python", "-m", "pytest"] or words[:1] == ["pytest"]:
        targets = [word for word in words if word.startswith("tests/")]
        if not targets:
            return "pytest", [f"{command}: names no file under tests/"]
        problems = []
        for target in targets:
            path, _, test = target.partition("::")
            if not (ROOT / path).is_file():
                problems.append(f"{path} does not exist")
            elif test and not re.search(rf"^def {re.escape(test.split('[')[0])}\(", (ROOT / path).read_text(),
                                        re.MULTILINE):
                problems.append(f"{path} has no test {test}")
        return "pytest", problems
    return None, [f"{command!r} is not an experiment script, a biomem command or a pytest run"]


def _result_figures():
    import importlib.util

    spec = importlib.util.spec_from_file_location("biomem_docs_gen_figures", DOCS / "gen_figures.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module.RESULT_FIGURES


def test_there_are_results_pages():
    assert len(RESULT_PAGES) >= 10, f"docs/results/ holds only {[p.name for p in RESULT_PAGES]}"


@pytest.mark.parametrize("page", RESULT_PAGES, ids=lambda path: path.stem)
def test_results_page_has_paper_value_biomem_value_and_command(page):
    text = page.read_text()
    fields = result_summary(text)
    missing = [name for name in RESULT_FIELDS if not fields.get(name, "").strip(" -")]
    assert not missing, f"{page.name}: summary table lacks {missing} (rows: | **Name** | value |)"
    assert fields["Status"] in RESULT_STATUSES, f"{page.name}: status {fields['Status']!r} not in {RESULT_STATUSES}"
    assert re.search(r"\d", fields["biomem value"]), f"{page.name}: the biomem value holds no number"
    assert re.search(r"^## Deviations", text, re.MULTILINE), f"{page.name}: no '## Deviations' section"
    commands = _CODE.findall(fields["Command"])
    assert commands, f"{page.name}: the Command row has no `command`"
    kinds, problems = set(), []
    for command in commands:
        kind, found = command_problems(command)
        kinds.add(kind)
        problems += found
    assert not problems, f"{page.name}: " + "; ".join(problems)
    # A result measured by a test (NEST's astrocyte against biomem's) may give the pytest run alone.
    assert kinds & {"experiment", "biomem", "pytest"}, f"{page.name}: no command runs an experiment, biomem or a test"


def test_results_checker_rejects_what_does_not_exist():
    """The command check is a real one: missing scripts, options, subcommands, models and parameters fail."""
    assert command_problems("python experiments/ca3_pyramidal.py --out results/x --small")[1] == []
    assert command_problems("python experiments/no_such_experiment.py --out results/x")[1]
    assert command_problems("python experiments/ca3_pyramidal.py --no-such-option")[1]
    assert command_problems("biomem theory hopfield --set alpha=0.1 --set T=0.3 --json")[1] == []
    assert command_problems("biomem no-such-command hopfield")[1]
    assert command_problems("biomem run no-such-model")[1]
    assert command_problems("biomem run hopfield --set no_such_parameter=1")[1]
    assert command_problems("biomem run hopfield --set T=-1")[1]
    assert command_problems("python -m pytest tests/test_docs.py::test_there_are_results_pages")[1] == []
    assert command_problems("python -m pytest tests/test_docs.py::test_no_such_test")[1]
    assert command_problems("make something")[0] is None


def test_results_index_lists_every_page_with_its_status():
    index = (RESULTS / "index.md").read_text()
    nav = (ROOT / "mkdocs.yml").read_text()
    rows = {match.group(1): line for line in index.splitlines()
            for match in re.finditer(r"\]\(([\w-]+\.md)\)", line) if line.startswith("|")}
    problems = [f"index.md links to {name}, which does not exist" for name in rows if not (RESULTS / name).is_file()]
    for page in RESULT_PAGES:
        status = result_summary(page.read_text()).get("Status", "")
        if page.name not in rows:
            problems.append(f"index.md has no row linking {page.name}")
        elif f"| {status} |" not in rows[page.name]:
            problems.append(f"index.md's row for {page.name} does not give its status {status!r}")
        if f"results/{page.name}" not in nav:
            problems.append(f"{page.name} is not in the mkdocs.yml nav")
    assert "results/index.md" in nav, "docs/results/index.md is not in the nav"
    assert not problems, "\n".join(problems)


def test_results_figures_are_regenerated_by_their_commands():
    """Every figure a results page shows is made by docs/gen_figures.py from an experiment whose exact
    command the page gives, and every figure gen_figures.py makes is shown."""
    figures = _result_figures()
    by_target = {figure.target: figure for figure in figures.values()}
    problems, shown = [], set()
    for page in RESULT_PAGES:
        text = page.read_text()
        for target in re.findall(r"\]\(\.\./figures/([\w/.-]+\.png)\)", text):
            shown.add(target)
            figure = by_target.get(target)
            if not (DOCS / "figures" / target).is_file():
                problems.append(f"{page.name}: docs/figures/{target} does not exist")
            if figure is None:
                problems.append(f"{page.name}: docs/figures/{target} is not made by docs/gen_figures.py")
            elif figure.command() not in text:
                problems.append(f"{page.name}: does not give the command that makes {target}: {figure.command()}")
    for name, figure in figures.items():
        if not (ROOT / "experiments" / figure.script).is_file():
            problems.append(f"gen_figures.py {name}: experiments/{figure.script} does not exist")
        if figure.target not in shown:
            problems.append(f"gen_figures.py {name}: no results page shows {figure.target}")
    assert not problems, "\n".join(problems)
