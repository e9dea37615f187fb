"""The documentation site (docs/, mkdocs.yml) stays true.

- Every ```python block of the guides and the other hand-written pages (not the project notes) runs, in page order,
  one namespace per page (a block builds on the ones above it), unless the line above it is
  `<!-- skip-test: <reason> -->`.
- docs/coming_from_keras.md mentions every reason the compatibility tests (tests/compat) give for an expected failure:
  a new xfail reason fails here until the page lists it.
- The generated API reference (docs/gen_ref.py) has an entry for every public name of kerasish.
- The site builds with `mkdocs build --strict` (broken links, missing references, notebook errors fail it).
"""

from __future__ import annotations

import ast
import importlib.util
import os
import pathlib
import re
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# The project's notes (architecture, file formats, checkpoints, benchmarks) are shown as written; their code is
# illustration, not a runnable guide.
NOTES = {"architecture.md", "keras_files.md", "sharded_checkpoints.md", "benchmarks.md"}
PAGES = sorted([*(p for p in DOCS.glob("*.md") if p.name not in NOTES), *DOCS.glob("guides/*.md")])
SKIP_MARK = re.compile(r"<!--\s*skip-test:\s*(?P<reason>\S.*?)\s*-->")
FENCE = re.compile(r"^```python[^\n]*\n(?P<code>.*?)^```\s*$", re.MULTILINE | re.DOTALL)


# -- code blocks ----------------------------------------------------------------------------------------------------


def python_blocks(text: str) -> list[tuple[int, str, str | None]]:
    """The ```python blocks of a Markdown text: `(line, code, skip reason or None)`, in order."""
    blocks = []
    for match in FENCE.finditer(text):
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        skip = SKIP_MARK.search(before)
        if "skip-test" in before and skip is None:
            raise ValueError(f"a skip-test mark without a reason at line {text[:match.start()].count(chr(10))}")
        blocks.append((text[:match.start()].count("\n") + 2, match.group("code"), skip and skip.group("reason")))
    return blocks


def test_python_blocks_reads_fences_and_skip_marks():
    text = ("# t\n\n```python\na = 1\n```\n\n<!-- skip-test: needs two processes -->\n```python\nb = 2\n```\n"
            "```bash\nls\n```\n")
    assert python_blocks(text) == [(4, "a = 1\n", None), (9, "b = 2\n", "needs two processes")]
    with pytest.raises(ValueError, match="skip-test mark without a reason"):
        python_blocks("<!-- skip-test: -->\n```python\nc = 3\n```\n")


@pytest.fixture
def in_tmp_dir(tmp_path, monkeypatch):
    """Runs a page's code in an empty folder (files it writes go there), with matplotlib drawing off screen, and
    puts back the global dtype policy and distribution afterwards."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    yield tmp_path
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    import kerasish as ks

    # a page that failed half-way leaves no global setting to the tests after it
    ks.mixed_precision.set_global_policy("float32")
    ks.distribution.set_distribution(None)


@pytest.mark.parametrize("page", [p for p in PAGES if python_blocks(p.read_text())],
                         ids=lambda p: str(p.relative_to(DOCS)))
def test_page_code_runs(page, in_tmp_dir):
    import kerasish as ks

    namespace: dict = {"__name__": f"docs_{page.stem}"}
    ks.utils.set_random_seed(0)
    ks.backend.clear_session()
    for line, code, skip in python_blocks(page.read_text()):
        if skip is not None:
            continue
        try:
            exec(compile(code, f"{page.relative_to(ROOT)}:{line}", "exec"), namespace)
        except Exception as error:  # name the block: the traceback's file is "docs/....md:<line of the block>"
            raise AssertionError(f"the block at {page.relative_to(ROOT)}:{line} failed: {error!r}") from error


# -- the Keras migration page lists every known difference -----------------------------------------------------------


class UnreadableReason(Exception):
    """A reason given to an xfail that is not a string this test can read without running the file."""


def _module(path: pathlib.Path, cache: dict) -> tuple[ast.Module, dict]:
    """A test file's syntax tree and its top-level names: `name -> (value node, file)` or an import from a sibling."""
    if path not in cache:
        tree = ast.parse(path.read_text())
        names: dict = {}
        for node in tree.body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        names[target.id] = (node.value, path)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests."):
                source = ROOT / (node.module.replace(".", "/") + ".py")
                for alias in node.names:
                    names[alias.asname or alias.name] = ("import", source, alias.name)
        cache[path] = (tree, names)
    return cache[path]


def _lookup(name: str, path: pathlib.Path, cache: dict) -> tuple[ast.AST, pathlib.Path]:
    _, names = _module(path, cache)
    if name not in names:
        raise UnreadableReason(f"`{name}` is not a top-level name of {path.name}")
    found = names[name]
    if found[0] == "import":
        if not found[1].exists():
            raise UnreadableReason(f"`{name}` comes from {found[1]}, which is not a file")
        return _lookup(found[2], found[1], cache)
    return found


def _strings(node: ast.AST, path: pathlib.Path, cache: dict) -> str:
    """The string a reason expression stands for: a literal, `a + b`, implicit concatenation, or a constant's name."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _strings(node.left, path, cache) + _strings(node.right, path, cache)
    if isinstance(node, ast.Name):
        value, where = _lookup(node.id, path, cache)
        return _strings(value, where, cache)
    raise UnreadableReason(f"{ast.unparse(node)[:60]!r} is not a string constant")


def _table_values(node: ast.AST, path: pathlib.Path, cache: dict) -> list[tuple[str, str | None]]:
    """The reasons of a `{test: reason}` table (a dict, a dict comprehension, `**` spreads, or a table's name), each
    with the test file its key names (`"test_x.py::Class::test"`), or None."""
    if isinstance(node, ast.Name):
        value, where = _lookup(node.id, path, cache)
        return _table_values(value, where, cache)
    if isinstance(node, ast.Dict):
        out = []
        for key, value in zip(node.keys, node.values):
            if key is None:
                out += _table_values(value, path, cache)
                continue
            named = key.value.split("::")[0] if isinstance(key, ast.Constant) and isinstance(key.value, str) else ""
            out.append((_strings(value, path, cache), named if named.endswith(".py") else None))
        return out
    if isinstance(node, ast.DictComp):
        return [(_strings(node.value, path, cache), None)]
    raise UnreadableReason(f"{ast.unparse(node)[:60]!r} is not a table of reasons")


def _local_bindings(tree: ast.Module) -> dict[int, dict[str, list[ast.AST | None]]]:
    """For each node inside a function: the names that function binds, each with the values assigned to it (None for
    a parameter or a loop variable: a value that comes from elsewhere)."""
    inside: dict[int, dict[str, list[ast.AST | None]]] = {}
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        bound: dict[str, list[ast.AST | None]] = {}
        for arg in [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]:
            bound.setdefault(arg.arg, []).append(None)
        for node in ast.walk(function):
            if isinstance(node, (ast.For, ast.comprehension)):
                for target in ast.walk(node.target):
                    if isinstance(target, ast.Name):
                        bound.setdefault(target.id, []).append(None)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        bound.setdefault(target.id, []).append(node.value)
        for node in ast.walk(function):
            inside.setdefault(id(node), {}).update(bound)
    return inside


# The places a reason is given in tests/compat: `pytest.mark.xfail(..., reason=...)`, the helpers
# `xfail_cases(cls, names, reason)` and `xfail_methods(cls, {name: reason})`, and the KNOWN_FAILURES table that
# keras_tests/conftest.py marks from.
REASON_TABLES = ("KNOWN_FAILURES",)


def _shown(path: pathlib.Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def compat_xfail_reasons(root: pathlib.Path = ROOT / "tests" / "compat") -> tuple[dict[str, list[str]], list[str]]:
    """Every distinct xfail reason in the compatibility tests, with where each is given, and what could not be read.

    Returns:
      `({reason: ["file:line", ...]}, ["file:line: why a reason could not be read", ...])`.
    """
    cache: dict = {}
    reasons: dict[str, list[str]] = {}
    unreadable: list[str] = []
    for path in sorted(root.rglob("*.py")):
        tree, _ = _module(path, cache)
        local = _local_bindings(tree)
        sites: list[tuple[str, ast.AST | None, ast.AST]] = []
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            keywords = {k.arg: k.value for k in node.keywords}
            if name == "xfail":
                # `pytest.mark.xfail(condition, reason=...)`; `pytest.xfail(reason)` inside a test
                is_mark = isinstance(func, ast.Attribute) and getattr(func.value, "attr", None) == "mark"
                imperative = node.args[0] if node.args and not is_mark else None
                sites.append(("reason", keywords.get("reason", imperative), node))
            elif name == "xfail_cases":
                sites.append(("reason", keywords.get("reason", node.args[2] if len(node.args) > 2 else None), node))
            elif name == "xfail_methods":
                sites.append(("table", keywords.get("reasons", node.args[1] if len(node.args) > 1 else None), node))
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) in REASON_TABLES for t in node.targets):
                sites.append(("table", node.value, node))
        for kind, expression, node in sites:
            where = f"{_shown(path)}:{node.lineno}"
            if isinstance(expression, ast.Name) and expression.id in local.get(id(node), {}):
                values = local[id(node)][expression.id]
                literals = [v for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
                if len(literals) < len(values):
                    # a helper passing on a reason it was given, or one read from a table (KNOWN_FAILURES): the
                    # callers and the tables are read instead, so a table read here must be one of REASON_TABLES
                    _, top_level = _module(path, cache)
                    tables = {n.id for v in values if v is not None for n in ast.walk(v)
                              if isinstance(n, ast.Name) and n.id in top_level and n.id not in REASON_TABLES}
                    unreadable += [f"{where}: reasons read from `{t}`, which is not in REASON_TABLES" for t in tables]
                    continue
                expression = None if not literals else literals[0]
                for extra in literals[1:]:
                    reasons.setdefault(extra.value, []).append(f"{_shown(path)}:{node.lineno}")
            if expression is None:
                unreadable.append(f"{where}: an xfail without a reason")
                continue
            try:
                found = [(_strings(expression, path, cache), None)] if kind == "reason" else _table_values(
                    expression, path, cache)
            except UnreadableReason as error:
                unreadable.append(f"{where}: {error}")
                continue
            for reason, test_file in found:
                reasons.setdefault(reason, []).append(f"{where} ({test_file})" if test_file else where)
    return reasons, unreadable


def _normalized(text: str) -> str:
    return " ".join(text.split())


def test_compat_reasons_reader_reads_every_form(tmp_path):
    (tmp_path / "test_a.py").write_text(
        "import pytest\n"
        "SHARED = ('needs ' 'TensorFlow')\n"
        "KNOWN_FAILURES = {'t::a': SHARED, **{f't::b{i}': 'sparse' for i in range(2)}}\n"
        "@pytest.mark.xfail(strict=True, reason='one' + ' literal')\n"
        "def test_x(): pass\n"
        "xfail_cases(C, ['t'], reason=SHARED)\n"
        "xfail_methods(C, {'u': 'from a table'})\n"
        "def helper(reason):\n    return pytest.mark.xfail(strict=True, reason=reason)\n"
        "def marks(table):\n    for name, why in table.items():\n        pytest.mark.xfail(strict=True, reason=why)\n"
        "def local():\n    why = 'a local ' 'literal'\n    return pytest.mark.xfail(strict=True, reason=why)\n"
        "def test_w():\n    pytest.xfail('imperative')\n"
        "OTHER = {'t::c': 'never read'}\n"
        "def from_table(key):\n    why = OTHER.get(key)\n    return pytest.mark.xfail(strict=True, reason=why)\n"
        "def from_known(key):\n    why = KNOWN_FAILURES[key]\n    return pytest.mark.xfail(strict=True, reason=why)\n"
        "@pytest.mark.xfail(strict=True)\ndef test_y(): pass\n"
        "@pytest.mark.xfail(strict=True, reason=f'{SHARED}!')\ndef test_z(): pass\n")
    reasons, unreadable = compat_xfail_reasons(tmp_path)
    assert sorted(reasons) == ["a local literal", "from a table", "imperative", "needs TensorFlow", "one literal",
                               "sparse"]
    assert len(reasons["needs TensorFlow"]) == 2
    assert sorted(u.split(": ", 1)[1] for u in unreadable) == [
        "\"f'{SHARED}!'\" is not a string constant", "an xfail without a reason",
        "reasons read from `OTHER`, which is not in REASON_TABLES"]


RECORD_HEADING = "## Every difference the tests record"
# The page's groups, by the test file a reason is given for (the first pattern that matches).
RECORD_GROUPS = [("Callbacks", "_callbacks_"), ("Layers", "_layers_"), ("Losses", "_losses_"),
                 ("Metrics", "_metrics_"), ("Models", "_models_"), ("Training", "_trainers_"),
                 ("Optimizers", "_optimizers_"),
                 ("Preprocessing layers", "_preprocessing_"), ("Utilities and datasets", "_(utils|datasets)_"),
                 ("Keras programs and guides", "")]


def recorded_on_page(text: str) -> list[str]:
    """The reasons quoted on the page: the list items under RECORD_HEADING, whitespace normalized."""
    section = text.split(RECORD_HEADING, 1)[1]
    return [_normalized(item) for item in re.findall(r"^- (.*?)(?=^- |^#|\Z)", section, re.MULTILINE | re.DOTALL)]


def record_markdown(reasons: dict[str, list[str]]) -> str:
    """The list for the page, grouped by the kind of test (`python -m tests.test_docs` prints it)."""
    groups: dict[str, list[str]] = {title: [] for title, _ in RECORD_GROUPS}
    for reason, where in reasons.items():
        title = next(t for t, pattern in RECORD_GROUPS if any(re.search(pattern, w) for w in where))
        groups[title].append(reason)
    out = []
    for title, items in groups.items():
        if items:
            out.append(f"### {title}\n")
            out += [textwrap.fill(f"- {item}", 118, subsequent_indent="  ", break_long_words=False,
                                  break_on_hyphens=False) for item in items]
            out.append("")
    return "\n".join(out)


def test_coming_from_keras_lists_every_compat_xfail_reason():
    reasons, unreadable = compat_xfail_reasons()
    assert not unreadable, "give these xfails a string (or a module-level constant) as reason:\n" + "\n".join(
        unreadable)
    assert len(reasons) >= 10, "the reader found almost no reasons: tests/compat changed its form"
    page = (DOCS / "coming_from_keras.md").read_text()
    quoted = recorded_on_page(page)
    missing = [f"{reason!r} ({', '.join(where)})" for reason, where in reasons.items()
               if _normalized(reason) not in quoted]
    assert not missing, (f"docs/coming_from_keras.md does not quote these xfail reasons of tests/compat under "
                         f"'{RECORD_HEADING[3:]}' (`python -m tests.test_docs` prints the list to paste; add a new "
                         f"difference to the summary too):\n" + "\n".join(missing))
    current = {_normalized(reason) for reason in reasons}
    stale = [item for item in quoted if item not in current]
    assert not stale, ("docs/coming_from_keras.md quotes reasons no test gives any more (a test passes now, or its "
                       "reason changed): remove them, and update the summary above them:\n" + "\n".join(stale))


def test_recorded_on_page_reads_the_list_items():
    text = f"# t\n\n- not this\n\n{RECORD_HEADING}\n\nintro\n\n### A\n\n- one\n  two\n- three\n\n### B\n\n- four\n"
    assert recorded_on_page(text) == ["one two", "three", "four"]


# -- the API reference ----------------------------------------------------------------------------------------------


def _gen_ref():
    spec = importlib.util.spec_from_file_location("gen_ref", DOCS / "gen_ref.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_public_name_has_a_reference_entry():
    """Each name of kerasish.__all__ and of each public submodule's __all__ (or own top-level names) is either an
    mkdocstrings entry (`::: kerasish.x.Name`) or an anchored alias/constant entry on a generated page."""
    import kerasish

    gen_ref = _gen_ref()
    expected = {f"kerasish.{n}" for n in kerasish.__all__ if not n.startswith("_")}
    for module in [n for n in kerasish.__all__ if not n.startswith("_")]:
        if isinstance(getattr(kerasish, module), type(kerasish)):
            expected |= {f"kerasish.{module}.{n}" for n in gen_ref.module_public_names(module)}
    pages = "\n".join(gen_ref.page_text(page) for page in gen_ref.PAGES)
    entries = set(re.findall(r"^::: (\S+)$", pages, re.MULTILINE)) | set(re.findall(r"\{ #(\S+) \}", pages))
    assert sorted(expected - entries) == []
    assert {f"kerasish.{m}" for m in kerasish.__all__ if isinstance(getattr(kerasish, m), type(kerasish))} <= {
        f"kerasish.{m}" for spec in gen_ref.PAGES.values() for m in spec[1]}, "a public submodule has no page"


# -- the strict build -----------------------------------------------------------------------------------------------


@pytest.mark.notebooks
def test_site_builds_strictly(tmp_path):
    """The README's build command, notebooks executed: a broken link, a missing reference, a docstring griffe
    cannot read or a notebook error fails it. The pages come out with the notebooks' figures and every entry."""
    env = {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1", "MPLBACKEND": "Agg"}
    env.pop("KERASISH_DOCS_EXECUTE", None)
    # the notebooks' kernel imports this checkout's kerasish too (not another copy installed in the environment)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    site = tmp_path / "site"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        html = (site / "notebooks" / notebook.stem / "index.html").read_text()
        assert "data:image/png" in html, f"{notebook.name} was built without its figures"
    ids: set[str] = set()
    for page in (site / "reference").rglob("index.html"):
        ids |= set(re.findall(r'id="(kerasish[^"]*)"', page.read_text()))
    assert sorted(set(_gen_ref().public_names()) - ids) == []


if __name__ == "__main__":
    print(record_markdown(compat_xfail_reasons()[0]))
