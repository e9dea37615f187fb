"""Writes the API reference pages (and puts the lesson notebooks in the site) at build time, for mkdocs-gen-files.

Every public name gets an entry without a hand edit: a package's names are its `__all__`, or, for a module without
one, the public names its own source defines (what mkdocstrings shows). The pages are grouped as keras.io groups
its API (Models API, Layers API, ...), and inside a page by the module that defines each name (convolution layers,
pooling layers, ...). `public_names()` is also what tests/test_docs.py checks the built site against.

Run by `mkdocs build` (see mkdocs.yml); `python docs/gen_ref.py` prints the pages instead, to look at them.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pathlib
import sys
import types

ROOT = pathlib.Path(__file__).resolve().parent.parent
# The checkout being built is the kerasish documented (and imported below), even where another copy is installed.
if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))

# page (under reference/) -> (title, the modules documented there, what the page is about)
PAGES: dict[str, tuple[str, list[str], str]] = {
    "models": ("Models API", ["models"], "`Model`, `Sequential`, `Input` and loading a saved model."),
    "layers": ("Layers API", ["layers"], "Every layer, grouped by family, and the `Layer` base class."),
    "callbacks": ("Callbacks API", ["callbacks"], "Hooks into `fit`, `evaluate` and `predict`."),
    "ops": ("Ops API", ["ops"], "`keras.ops` on JAX: NumPy-like, neural-network, math, linear-algebra, image and "
            "core ops, flat and in their namespaces."),
    "random": ("Random", ["random"], "The global seed, `SeedGenerator` and Keras's random draws."),
    "optimizers": ("Optimizers", ["optimizers"], "Keras's optimizers (optax underneath) and their serialization."),
    "metrics": ("Metrics", ["metrics"], "Every Keras metric: stateful for eager use, accumulated inside `fit`."),
    "losses": ("Losses", ["losses"], "Loss classes and functions with Keras's reductions."),
    "activations": ("Layer activations", ["activations"], "Activation functions, by name or as functions."),
    "initializers": ("Layer weight initializers", ["initializers"], "How a layer's weights start."),
    "regularizers": ("Layer weight regularizers", ["regularizers"], "Weight penalties added to the loss."),
    "constraints": ("Layer weight constraints", ["constraints"], "Projections applied after each update."),
    "data": ("Data loading", ["data"], "TensorFlow-free datasets, `PyDataset` and packing helpers."),
    "datasets": ("Built-in small datasets", ["datasets"], "Keras's `load_data()` loaders (offline) and "
                 "scikit-learn's bundled sets."),
    "saving": ("Saving & serialization", ["saving"], "Model files, weights files and the registry of classes."),
    "export": ("Export", ["export"], "Exporting a model for serving."),
    "mixed_precision": ("Mixed precision", ["mixed_precision"], "Dtype policies."),
    "distribution": ("Distribution", ["distribution"], "Device meshes, layouts, data and model parallelism."),
    "backend": ("Backend", ["backend"], "Keras's `keras.backend` names."),
    "utils": ("Utilities", ["utils"], "`keras.utils`: data helpers, image helpers, plotting, progress bars."),
}

# The top-level classes (kerasish.__all__ less the submodules), each on the page of its family.
TOP_LEVEL_PAGE = {"Model": "models", "Sequential": "models", "Input": "models", "Layer": "layers",
                  "Loss": "losses", "Metric": "metrics", "Optimizer": "optimizers", "Variable": "backend"}


def _source_defined_names(module: types.ModuleType) -> list[str]:
    """The public names a module's own source binds at its top level (for a module without `__all__`)."""
    tree = ast.parse(inspect.getsource(module))
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return [n for n in dict.fromkeys(names) if not n.startswith("_")]


def module_public_names(name: str) -> list[str]:
    """The public names of `kerasish.<name>`: its `__all__`, else the names its source defines."""
    module = importlib.import_module(f"kerasish.{name}")
    if hasattr(module, "__all__"):
        return [n for n in module.__all__ if not n.startswith("_")]
    return _source_defined_names(module)


def public_names() -> list[str]:
    """Every public name of kerasish, fully qualified (`kerasish.Model`, `kerasish.layers.Dense`, ...)."""
    import kerasish

    names = [f"kerasish.{n}" for n in kerasish.__all__ if not n.startswith("_")]
    for modules in (spec[1] for spec in PAGES.values()):
        for module in modules:
            names += [f"kerasish.{module}.{n}" for n in module_public_names(module)]
    return list(dict.fromkeys(names))


def _group_title(module_name: str, package: str) -> str:
    """A section title from the module that defines a name: `kerasish.layers.conv_lstm` -> "Conv lstm"."""
    if module_name in (f"kerasish.{package}", "builtins", ""):
        return "General"
    tail = module_name.removeprefix(f"kerasish.{package}.").removeprefix("kerasish.")
    return tail.replace(".", ": ").replace("_", " ").capitalize()


def _entry(identifier: str, **options: object) -> str:
    lines = [f"::: {identifier}"]
    if options:
        lines.append("    options:")
        lines += [f"      {key}: {str(value).lower() if isinstance(value, bool) else value}"
                  for key, value in options.items()]
    return "\n".join(lines) + "\n"


def _documented_by_mkdocstrings(obj: object, name: str) -> bool:
    """Whether `obj` gets its own rendered entry: a kerasish class or function under its own name."""
    return ((inspect.isclass(obj) or inspect.isfunction(obj)) and getattr(obj, "__name__", None) == name
            and (getattr(obj, "__module__", None) or "").startswith("kerasish"))


def _name_entry(package: types.ModuleType, qualified: str, name: str) -> str:
    """The Markdown entry of `qualified.name`: rendered from its docstring, or a short line for an alias/constant."""
    obj = getattr(package, name)
    identifier = f"{qualified}.{name}"
    heading = f"### `{name}` {{ #{identifier} }}\n\n"
    if isinstance(obj, types.ModuleType):
        if obj.__name__ == identifier:
            return _entry(identifier, members=False)
        return heading + f"The module `{obj.__name__}` under another name (as in Keras).\n"
    if _documented_by_mkdocstrings(obj, name):
        return _entry(identifier)
    target = getattr(obj, "__name__", None)
    if (inspect.isclass(obj) or inspect.isfunction(obj)) and target and getattr(package, target, None) is obj:
        return heading + f"An alias of [`{qualified}.{target}`][{qualified}.{target}] (Keras has both names).\n"
    if inspect.isclass(obj) or inspect.isfunction(obj) or callable(obj):
        where = getattr(obj, "__module__", None) or type(obj).__module__
        return heading + f"`{where}.{getattr(obj, '__qualname__', target or name)}`, as it is.\n"
    text = repr(obj)
    text = text if len(text) <= 300 else text[:300] + " ..."
    return heading + f"A constant ({type(obj).__name__}):\n\n```python\n{text}\n```\n"


def page_text(page: str) -> str:
    """The Markdown of one reference page."""
    import kerasish

    title, modules, about = PAGES[page]
    out = [f"# {title}\n", f"{about}\n"]
    top = [n for n, p in TOP_LEVEL_PAGE.items() if p == page]
    if top:
        out.append("## Top-level names\n")
        out += [_entry(f"kerasish.{n}", heading_level=3) for n in top]
    for module in modules:
        qualified = f"kerasish.{module}"
        out.append(_entry(qualified, members=False, heading_level=2, show_root_toc_entry=False))
        package = importlib.import_module(qualified)
        groups: dict[str, list[str]] = {}
        for name in module_public_names(module):
            obj = getattr(package, name)
            if isinstance(obj, types.ModuleType):
                group = "Namespaces"
            elif not _documented_by_mkdocstrings(obj, name):
                group = "Aliases and constants"
            else:
                group = _group_title(getattr(obj, "__module__", None) or "", module)
            groups.setdefault(group, []).append(name)
        for group in sorted(groups, key=lambda g: (g in ("Namespaces", "Aliases and constants"), g)):
            out.append(f"## {group}\n")
            for name in groups[group]:
                out.append(_name_entry(package, qualified, name))
    assert kerasish  # the package must import: the build fails here rather than with a blank page
    return "\n".join(out)


def index_text() -> str:
    rows = "\n".join(f"| [{title}]({page}.md) | {', '.join(f'`kerasish.{m}`' for m in modules)} | {about} |"
                     for page, (title, modules, about) in PAGES.items())
    return ("# API reference\n\nGenerated from the docstrings (Google style) by mkdocstrings at every build: "
            "every name in `kerasish.__all__` and in each public submodule's `__all__` has an entry, grouped as "
            "keras.io groups Keras's API. The top-level classes (`kerasish.Model`, `kerasish.Layer`, ...) are on "
            "their family's page.\n\n| page | modules | what |\n|---|---|---|\n" + rows + "\n")


def write_pages(open_file) -> None:
    """Writes every reference page through `open_file(path, mode)` (mkdocs_gen_files.open, or a printer)."""
    with open_file("reference/index.md", "w") as f:
        f.write(index_text())
    for page in PAGES:
        with open_file(f"reference/{page}.md", "w") as f:
            f.write(page_text(page))
    # The lesson notebooks live in notebooks/ (where tests/test_notebooks.py runs them); the site shows them
    # under notebooks/, and mkdocs-jupyter executes them there.
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        with open_file(f"notebooks/{notebook.name}", "w") as f:
            f.write(notebook.read_text())


try:
    import mkdocs_gen_files
except ImportError:  # pragma: no cover - run by hand without the docs extra
    mkdocs_gen_files = None

if __name__ == "__main__":
    import contextlib

    @contextlib.contextmanager
    def _print_file(path, mode):
        print(f"===== {path}")
        yield sys.stdout

    write_pages(_print_file)
elif mkdocs_gen_files is not None and __name__ != "gen_ref":
    write_pages(mkdocs_gen_files.open)
