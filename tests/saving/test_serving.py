"""Export for serving: the artifact runs in a process that imports jax and NumPy only, for any batch size, and
gives `model.predict`'s values."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import jax
import numpy as np
import pytest
from numpy.testing import assert_allclose

import kerasish as ks
from kerasish import export

L = ks.layers
RNG = np.random.default_rng(0)

LOADER = textwrap.dedent("""
    import json, pathlib, sys
    import jax, numpy as np
    folder = pathlib.Path(sys.argv[1])
    for name in sys.argv[2:]:
        exported = jax.export.deserialize(bytearray((folder / name / "model.jaxexport").read_bytes()))
        signature = json.loads((folder / name / "signature.json").read_text())
        for batch in (1, 7):
            x = np.load(folder / f"{name}_{batch}.npy")
            assert list(x.shape[1:]) == signature["inputs"][0]["shape"][1:]
            np.save(folder / f"{name}_{batch}_out.npy", np.asarray(exported.call(x)))
    assert not any(m.split(".")[0] in ("kerasish", "flax", "optax") for m in sys.modules), "imported more than jax"
""")


def mlp():
    model = ks.Sequential([ks.Input((5,)), L.Dense(8, activation="relu"), L.Dropout(0.5), L.Dense(3)])
    return model, (5,)


def cnn():
    model = ks.Sequential([ks.Input((8, 8, 1)), L.Conv2D(4, 3, activation="relu"), L.BatchNormalization(),
                           L.MaxPooling2D(), L.Flatten(), L.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(RNG.random((8, 8, 8, 1)).astype("float32"), RNG.integers(0, 2, 8), epochs=1, verbose=0)  # BN moves
    return model, (8, 8, 1)


def test_an_exported_mlp_and_cnn_run_with_jax_alone_for_any_batch_size(tmp_path):
    expected = {}
    for name, make in (("mlp", mlp), ("cnn", cnn)):
        ks.utils.set_random_seed(0)
        model, shape = make()
        signature = model.export(tmp_path / name)
        assert signature["inputs"][0]["shape"] == [None, *shape]
        assert signature["outputs"][0]["shape"][0] is None
        for batch in (1, 7):
            x = RNG.random((batch, *shape)).astype("float32")
            np.save(tmp_path / f"{name}_{batch}.npy", x)
            expected[name, batch] = model.predict(x, verbose=0)
    subprocess.run([sys.executable, "-c", LOADER, str(tmp_path), "mlp", "cnn"], check=True, timeout=120)
    for (name, batch), values in expected.items():
        assert_allclose(np.load(tmp_path / f"{name}_{batch}_out.npy"), values, rtol=1e-5, atol=1e-6)


def test_load_calls_a_functional_model_of_several_inputs(tmp_path):
    a, b = ks.Input((3,), name="a"), ks.Input((2,), dtype="int32", name="b")
    out = L.Dense(2)(L.Concatenate()([a, ks.ops.cast(b, "float32")]))
    model = ks.Model([a, b], out)
    signature = export.export_model(model, tmp_path / "served")
    assert [(i["name"], i["dtype"]) for i in signature["inputs"]] == [("a", "float32"), ("b", "int32")]
    served = export.load(tmp_path / "served")
    x = [RNG.random((4, 3)).astype("float32"), RNG.integers(0, 5, (4, 2)).astype("int32")]
    assert_allclose(served(x), model.predict(x, verbose=0), rtol=1e-6)
    assert "inputs [(None, 3), (None, 2)]" in repr(served)
    assert json.loads((tmp_path / "served" / export.SIGNATURE).read_text())["batch_dimension"] == "batch"


def test_an_input_signature_chooses_what_is_served(tmp_path):
    class Doubler(ks.Model):
        def call(self, x):
            return x * 2

    model = Doubler()
    signature = model.export(tmp_path / "served", input_signature=jax.ShapeDtypeStruct((None, 4), np.float32))
    assert signature["inputs"][0]["shape"] == [None, 4]
    assert_allclose(export.load(tmp_path / "served")(np.ones((3, 4), np.float32)), 2 * np.ones((3, 4)))


def test_export_errors_name_the_problem(tmp_path):
    with pytest.raises(ValueError, match=r"Cannot export model '.*': it is not built"):
        ks.Sequential([L.Dense(2)]).export(tmp_path / "a")
    with pytest.raises(ValueError, match=r"its input shape \(None, None, 3\) has an unknown axis besides the batch"):
        ks.Sequential([ks.Input((None, 3)), L.Dense(2)]).export(tmp_path / "b")
    with pytest.raises(ValueError, match=r"`format` of export must be 'jax'.*received 'onnx'"):
        ks.Sequential([ks.Input((3,)), L.Dense(2)]).export(tmp_path / "c", format="onnx")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / export.SIGNATURE).write_text("{broken")
    with pytest.raises(ValueError, match=r"signature.json' is not valid JSON"):
        export.load(tmp_path / "d")
    (tmp_path / "d" / export.SIGNATURE).write_text(json.dumps({"format": "other"}))
    with pytest.raises(ValueError, match=r"is not a kerasish export \(its signature.json has format 'other'\)"):
        export.load(tmp_path / "d")
    (tmp_path / "d" / export.SIGNATURE).write_text(json.dumps({"format": "kerasish.export"}))
    (tmp_path / "d" / export.ARTIFACT).write_bytes(b"not a flatbuffer")
    with pytest.raises(ValueError, match=r"model.jaxexport' is not a readable jax.export artifact"):
        export.load(tmp_path / "d")
    with pytest.raises(FileNotFoundError):
        export.load(tmp_path / "missing")
