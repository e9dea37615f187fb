"""The data of a call, in one room: what the user passes to `fit` / `evaluate` / `predict` becomes a `Dataset`.

- `arguments`: datasets from the call's arguments (the only place that asks which kind of data it is).
- `dataset`: the `Dataset` interface the trainer and the loops speak to.
- `arrays`, `iterables`: its two kinds.
- `checks`: checks of arrays, class weights and targets (host side, before anything compiles).
- `host_memory`: aligned copies, arrays read in place, and freeing them in time.
"""
