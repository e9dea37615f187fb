#!/usr/bin/env bash
# The GPU check of issue 5 as one prepared command, for a session lent the workplace's device machine
# (an NVIDIA H200 or H100: Python 3.12, JAX 0.11 with its CUDA 13 plugin, flax, optax, tqdm, safetensors,
# scikit-learn installed; no network). Not run by CI. Never run on a GPU yet (no session was lent one).
#
# Here, once (Keras and the two packages it needs that the device lacks, as Python 3.12 wheels, 3 MB):
#     bash benchmarks/device_check.sh fetch
# Then one device call, from the repository root, carrying the wheels:
#     run(command="bash benchmarks/device_check.sh", carry=[".whl"], timeout_s=540)
# It prints the versions and devices, trains the README's digits example on the GPU (a smoke test of
# fit, evaluate, predict and early stopping), then runs `benchmarks/run.py` on every workload once and
# writes the JSON to $OUT/gpu.json. Budget: 15 device minutes per session, the start (1-2 min) included.
set -uo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "fetch" ]]; then
    grep -qxF "/.whl/" .git/info/exclude 2>/dev/null || echo "/.whl/" >> .git/info/exclude
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
        --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
        --platform manylinux2014_x86_64 -d .whl "keras==3.15.1" namex optree
    ls -l .whl
    exit
fi

OUT="${OUT:-/tmp/device_out}"
mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    || { echo "device_check: carry the wheels: bash benchmarks/device_check.sh fetch, then carry=['.whl']"; exit 1; }
# kerasish from the working tree (its pins are for Python 3.11 and JAX 0.10; the device has 0.11)
export PYTHONPATH="$PWD:/tmp/site" PYTHONUNBUFFERED=1 KERAS_BACKEND=jax TF_CPP_MIN_LOG_LEVEL=3
python3 - <<'EOF' 2>&1 | tee "$OUT/versions.txt"
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
timeout 180 python3 examples/train_digits.py 2>&1 | tail -15 | tee "$OUT/smoke.txt"

echo "== benchmarks/run.py, every workload, once"
timeout 420 python3 benchmarks/run.py --timeout 150 --json "$OUT/gpu.json" 2>&1 | tee "$OUT/bench.txt"
