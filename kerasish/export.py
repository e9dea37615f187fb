"""Export for serving: `export_model(model, path)` writes a `jax.export` artifact of the inference function (the
weights baked in, a symbolic batch dimension) and a JSON signature; `load(path)` reads it back with jax and NumPy
only. `Model.export(path)` is the same as `export_model(model, path)`. See `kerasish.saving.serving`.
"""

from kerasish.saving.serving import ARTIFACT, SIGNATURE, ServingFunction, export_model, load

__all__ = ["ARTIFACT", "SIGNATURE", "ServingFunction", "export_model", "load"]
