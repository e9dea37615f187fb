"""The summary as HTML (`summary_html`, the model's `_repr_html_` in Jupyter), beside the text table."""

from html.parser import HTMLParser

import pytest

import kerasish as ks
from kerasish.models.summary import summary_html, summary_text


class TableParser(HTMLParser):
    """Collects the text of each cell, by table section (thead / tbody / tfoot) and row."""

    def __init__(self):
        super().__init__()
        self.sections = {"caption": [], "thead": [], "tbody": [], "tfoot": []}
        self.section = None
        self.cell = None
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in self.sections:
            self.section = tag
            if tag == "caption":
                self.cell = ""
        elif tag == "tr":
            self.sections[self.section].append([])
        elif tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.sections[self.section][-1].append(self.cell)
            self.cell = None
        elif tag == "caption":
            self.sections["caption"].append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def parse(html):
    parser = TableParser()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture
def model(seeded):
    frozen = ks.layers.Dense(4, name="frozen")
    frozen.trainable = False
    return ks.Sequential([ks.Input((8,)), ks.layers.Dense(16, activation="relu", name="hidden"), frozen,
                          ks.layers.Dense(3, name="out")], name="mlp")


def test_html_table_has_the_rows_and_totals_of_the_text_summary(model):
    table = parse(summary_html(model))
    assert table.sections["caption"] == ['Model: "mlp"']
    assert table.sections["thead"] == [["Layer (type)", "Output Shape", "Param #"]]
    assert table.sections["tbody"] == [["hidden (Dense)", "(None, 16)", "144"], ["frozen (Dense)", "(None, 4)", "68"],
                                       ["out (Dense)", "(None, 3)", "15"]]
    assert table.sections["tfoot"] == [["Total params", "227"], ["Trainable params", "159"],
                                       ["Non-trainable params", "68"]]
    text = summary_text(model)
    for line in ("Total params: 227", "Trainable params: 159", "Non-trainable params: 68"):
        assert line in text


def test_thousands_separators_as_in_the_text(seeded):
    model = ks.Sequential([ks.Input((100,)), ks.layers.Dense(100)])
    assert parse(summary_html(model)).sections["tbody"][0][2] == "10,100"


def test_names_are_escaped(seeded):
    model = ks.Sequential([ks.Input((2,)), ks.layers.Dense(1, name="a<b>&c")], name="<script>")
    html = summary_html(model)
    assert "<script>" not in html and "a&lt;b&gt;&amp;c (Dense)" in html
    table = parse(html)
    assert table.sections["caption"] == ['Model: "<script>"'] and table.sections["tbody"][0][0] == "a<b>&c (Dense)"
    assert set(table.tags) <= {"table", "caption", "b", "thead", "tbody", "tfoot", "tr", "th", "td"}


def test_unbuilt_model_shows_unknown_shapes(seeded):
    table = parse(summary_html(ks.Sequential([ks.layers.Dense(3, name="later")])))
    assert table.sections["tbody"] == [["later (Dense)", "?", "0"]]
    assert table.sections["tfoot"][0] == ["Total params", "0"]


def test_jupyter_shows_the_model_as_the_html_table(model):
    """What a notebook cell ending in `model` displays: IPython asks for `_repr_html_`."""
    if not hasattr(type(model), "_repr_html_"):
        pytest.fail("Model._repr_html_ is missing: add `def _repr_html_(self): return summary_html(self)` to "
                    "kerasish/models/model.py")
    from IPython.core.formatters import DisplayFormatter
    data, _ = DisplayFormatter().format(model)
    assert data["text/html"] == summary_html(model)
