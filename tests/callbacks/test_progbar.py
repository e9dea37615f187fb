"""ProgbarLogger where its output goes: a Jupyter kernel (widget or HTML), a pipe or a file (plain lines),
a terminal (a redrawn tqdm line)."""

import fcntl
import io
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import textwrap

import numpy as np
import pytest

import kerasish as ks
from kerasish.callbacks import ProgbarLogger
from kerasish.callbacks.progbar import HtmlProgressBar

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # every control character but tab and newline

TINY_FIT = textwrap.dedent("""
    import numpy as np
    import kerasish as ks
    ks.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
""")


def fit_in_subprocess(verbose, **popen):
    code = TINY_FIT + f"model.fit(x, y, epochs=3, batch_size=8, validation_split=0.25, verbose={verbose})\n"
    return subprocess.run([sys.executable, "-c", code], env={**os.environ, "COLUMNS": "100"}, timeout=120, **popen)


@pytest.mark.parametrize("verbose", [1, 2])
def test_piped_output_is_plain_lines(verbose):
    done = fit_in_subprocess(verbose, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not CONTROL.search(done.stdout), repr(done.stdout)
    assert not CONTROL.search(done.stderr), repr(done.stderr)
    lines = done.stdout.splitlines()
    assert len(lines) == 3
    for epoch, line in enumerate(lines, 1):
        assert re.fullmatch(rf"Epoch {epoch}/3 - \d+\.\d\ds - loss: \S+ - val_loss: \S+", line)


def test_a_terminal_gets_a_redrawn_bar():
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 24 rows, 100 columns
    process = subprocess.Popen([sys.executable, "-c", TINY_FIT + "model.fit(x, y, epochs=2, batch_size=8)\n"],
                               stdout=terminal, stderr=terminal, env={**os.environ, "COLUMNS": "100"})
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    assert process.wait(timeout=120) == 0
    out = b"".join(chunks).decode()
    assert "\r" in out and "Epoch 1/2" in out and "Epoch 2/2" in out and "8/8" in out and "loss: " in out


def test_a_file_gets_one_line_per_epoch(seeded):
    x = np.ones((10, 2), np.float32)
    model = ks.Sequential([ks.Input((2,)), ks.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    out = io.StringIO()
    model.fit(x, x[:, :1], epochs=2, callbacks=[ProgbarLogger(1, file=out)])
    assert not CONTROL.search(out.getvalue())
    assert [line.split(" - ")[0] for line in out.getvalue().splitlines()] == ["Epoch 1/2", "Epoch 2/2"]


def test_html_bar_without_a_total_is_indeterminate():
    bar = HtmlProgressBar(total=None, desc="Epoch 1/1", display=False)
    bar.update(5)
    assert "<progress  style" in bar.html() and bar.text().startswith("Epoch 1/1 5 [")
    bar.set_postfix_str("loss: <1>", refresh=False)
    assert "loss: &lt;1&gt;" in bar.html()


def test_verbose_must_be_none_1_or_2():
    with pytest.raises(ValueError, match=r"Argument `verbose` of ProgbarLogger must be None \(fit's verbose\), 1 or 2, "
                                         r"received 0"):
        ProgbarLogger(0)


@pytest.mark.parametrize("verbose, lines", [(0, 0), (2, 2)])
def test_keras_form_takes_fits_verbose(verbose, lines, regression, capsys):
    x, y = regression
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(x, y, epochs=2, verbose=verbose, callbacks=[ProgbarLogger()])
    assert len(capsys.readouterr().out.splitlines()) == lines


# -- inside a real Jupyter kernel ----------------------------------------------------------------------

WIDGET = "application/vnd.jupyter.widget-view+json"


def run_notebook(cells, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(notebook, kernel_name="python3", timeout=120,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    return [cell.outputs for cell in notebook.cells]


def texts(outputs):
    return "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")


@pytest.mark.notebooks
def test_in_jupyter_the_bar_is_a_widget_or_html_never_carriage_returns(tmp_path):
    default, no_ipywidgets, verbose_2 = run_notebook([
        TINY_FIT + "history = model.fit(x, y, epochs=2, batch_size=8, validation_split=0.25)",
        "import sys\nsys.modules['ipywidgets'] = None  # as if it were not installed\n"
        "history = model.fit(x, y, epochs=2, batch_size=8, validation_split=0.25)",
        "history = model.fit(x, y, epochs=2, batch_size=8, verbose=2)",
    ], tmp_path)

    for outputs in (default, no_ipywidgets):
        assert "\r" not in texts(outputs), texts(outputs)
        assert not [o for o in outputs if o["output_type"] == "stream" and o["name"] == "stderr"], outputs
        bars = [o for o in outputs if o["output_type"] == "display_data"]
        assert len(bars) == 2, outputs  # one per epoch
        assert all(WIDGET in o["data"] or "text/html" in o["data"] for o in bars)

    # Without ipywidgets: the HTML bar, redrawn in place (nbclient applies the display updates).
    final = [o["data"] for o in no_ipywidgets]
    for epoch, data in enumerate(final, 1):
        assert data["text/html"].startswith('<div style="font-family: monospace">Epoch ' f"{epoch}/2 <progress ")
        assert 'value="6" max="6"' in data["text/html"] and "loss: " in data["text/html"]
        assert re.match(rf"Epoch {epoch}/2 100% 6/6 \[\d+\.\ds\] - loss: \S+ - val_loss: \S+", data["text/plain"])

    lines = texts(verbose_2).splitlines()
    assert [line.split(" - ")[0] for line in lines] == ["Epoch 1/2", "Epoch 2/2"]
    assert not CONTROL.search(texts(verbose_2))
