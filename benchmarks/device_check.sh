#!/usr/bin/env bash
# The GPU check of issues 5 and 22 as prepared commands, for a session lent the workplace's device machine (an
# NVIDIA H200 or H100: Python 3.12, JAX 0.11 with its CUDA 13 plugin, flax, optax, tqdm, safetensors, scikit-learn
# installed; no network). Not run by CI. Never run on a GPU yet (no session was lent one).
#
# Here, once (Keras and the two packages it needs that the device lacks, as Python 3.12 wheels, 3 MB):
#     bash benchmarks/device_check.sh fetch
# Then two device calls, from the repository root, carrying the wheels (15 device minutes per session, the
# machine's start of 1-2 minutes included: both fit, with little to spare):
#     run(command="bash benchmarks/device_check.sh", carry=[".whl"], timeout_s=540)
#         versions and devices, the README's digits example as a smoke test of fit / evaluate / predict / early
#         stopping, then benchmarks/run.py on the array workloads (tiny, mlp, transformer, resnet, cnn, lstm) for
#         kerasish, Keras 3 and the hand-written jit loop: per epoch, whole fit(epochs=3) call, first epoch,
#         evaluate / predict, device memory -> $OUT/gpu.json (written after each workload)
#     run(command="bash benchmarks/device_check.sh more", carry=[".whl"], timeout_s=420)
#         the PyDataset workload (workers 1 and 2) -> $OUT/gpu_pydataset.json, then benchmarks/first_epoch.py
#         (the first epoch of a fresh process with the persistent compilation cache cold and warm, against Keras)
#         on mlp, transformer, cnn, lstm -> $OUT/gpu_first_epoch.json
# And on this machine, to check that the script still runs end to end (this machine's Python, small sizes, no
# wheels; a few minutes on 2 cores):
#     bash benchmarks/device_check.sh local
set -uo pipefail
cd "$(dirname "$0")/.."

PART="${1:-all}"
if [[ "$PART" == "fetch" ]]; then
    grep -qxF "/.whl/" .git/info/exclude 2>/dev/null || echo "/.whl/" >> .git/info/exclude
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
        --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
        --platform manylinux2014_x86_64 -d .whl "keras==3.15.1" namex optree
    ls -l .whl
    exit
fi

OUT="${OUT:-/tmp/device_out}"
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 KERAS_BACKEND=jax TF_CPP_MIN_LOG_LEVEL=3
if [[ "$PART" == "local" ]]; then
    PY="${PYTHON:-.venv/bin/python}"
    [[ -x "$PY" ]] || PY="$(command -v python3)"
    SMALL=(--samples 512 --epochs 1 --eval-reps 1)
    FIRST_SMALL=(--samples 512)
    LIMIT=900  # seconds for each step: this machine is slower than the device
else
    PY=python3
    SMALL=()
    FIRST_SMALL=()
    LIMIT=0
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
        .whl/*.whl || { echo "device_check: carry the wheels: bash benchmarks/device_check.sh fetch, then" \
                             "carry=['.whl']"; exit 1; }
    # kerasish from the working tree (its pins are for Python 3.11 and JAX 0.10; the device has 0.11)
    export PYTHONPATH="$PWD:/tmp/site"
fi
limit() { if [[ "$LIMIT" -gt 0 ]]; then echo "$LIMIT"; else echo "$1"; fi; }

if [[ "$PART" == "all" || "$PART" == "local" ]]; then
    "$PY" - <<'EOF' 2>&1 | tee "$OUT/versions.txt"
import importlib.metadata as md, jax
for name in ("jax", "jaxlib", "flax", "optax", "keras", "numpy"):
    try:
        print(name, md.version(name))
    except md.PackageNotFoundError:
        print(name, "missing")
print("backend", jax.default_backend(), jax.devices())
EOF
    nvidia-smi --query-gpu=name,memory.total,clocks.sm --format=csv 2>&1 | tee -a "$OUT/versions.txt"

    echo "== smoke: examples/train_digits.py (on the backend printed above)"
    timeout "$(limit 90)" "$PY" examples/train_digits.py 2>&1 | tail -15 | tee "$OUT/smoke.txt"

    echo "== benchmarks/run.py: the array workloads, kerasish / Keras 3 / hand-written jit loop"
    timeout "$(limit 380)" "$PY" benchmarks/run.py --workloads tiny,mlp,transformer,resnet,cnn,lstm \
        --impls kerasish,keras,jit --eval-reps 1 --timeout 100 "${SMALL[@]}" --json "$OUT/gpu.json" 2>&1 \
        | tee "$OUT/bench.txt"
fi

if [[ "$PART" == "more" || "$PART" == "local" ]]; then
    echo "== benchmarks/run.py: the PyDataset workload, workers 1 and 2"
    timeout "$(limit 170)" "$PY" benchmarks/run.py --workloads pydataset --eval-reps 1 --timeout 60 "${SMALL[@]}" \
        --json "$OUT/gpu_pydataset.json" 2>&1 | tee "$OUT/bench_pydataset.txt"

    echo "== benchmarks/first_epoch.py: first epoch of a fresh process, persistent cache cold / warm / off, Keras 3"
    timeout "$(limit 220)" "$PY" benchmarks/first_epoch.py --workloads mlp,transformer,cnn,lstm --timeout 50 \
        "${FIRST_SMALL[@]}" --json "$OUT/gpu_first_epoch.json" 2>&1 | tee "$OUT/first_epoch.txt"
fi
