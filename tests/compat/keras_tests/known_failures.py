"""The ported Keras tests kerasish does not pass, `"file::Class::test": reason`; conftest.py marks each one
`xfail(strict=True)`. A reason says what differs in terms a Keras user would accept."""

NO_ASSIGN = "kerasish weights are flax.nnx.Param variables: no Keras `Variable.assign` (set them with `w[...] = v`)"

KNOWN_FAILURES = {
    "test_layers_activations.py::PReLUTest::test_prelu_correctness": NO_ASSIGN,
}
