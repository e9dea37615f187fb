"""Curated mutation testing: does the test suite notice a small deliberate bug where a silent one costs users most?

Each mutant of `tools/mutant_catalogue.py` replaces one exact piece of source text by a plausible bug (a condition
dropped, an off-by-one, the wrong end of an array, a guard removed) and names the tests that should catch it. This
script applies each mutant to a private copy of the working tree, runs only those tests there (`pytest -x`: the first
failure kills the mutant), and reports which mutants survived. Not collected by pytest and not part of CI: it is a
habit, run before a change to these modules is merged and after adding tests (tests/README.md holds the last score).

    python tools/mutants.py                     # every mutant, one at a time (about 26 minutes on 2 busy cores)
    python tools/mutants.py -j 2                # two at a time, where two cores are free
    python tools/mutants.py --list              # ids, files and what each mutant breaks
    python tools/mutants.py --check             # each mutant still applies (its text is found once) and compiles
    python tools/mutants.py --only engine.gradient_guard,loop.finally_push
    python tools/mutants.py --file training/engine.py
    python tools/mutants.py --shard 2/3         # the second third of the catalogue (run in pieces on a busy machine)
    python tools/mutants.py --resume            # only the mutants without a current result (after an interruption)
    python tools/mutants.py --report            # the score of the results gathered so far (all pieces)

Results are kept in a JSON file (`--results`, by default in the system's temporary folder), keyed by mutant id with
a hash of the mutant, its unmutated file and its test files, so pieces run at different times add up and the result
of an edited file or edited tests no longer counts.

Why a curated list rather than mutmut or cosmic-ray: both generate every syntactic mutant of a module (hundreds
for engine.py alone) and run a test command for each; here one test run costs seconds of JAX compilation, so
covering these modules would take hours on 2 cores, most of it on mutants no user would ever meet (a changed error
message, a renamed local). mutmut 3 also rewrites every function into a trampoline, which changes what `jax.jit`
and `inspect.signature` see. A short list of bugs that would silently corrupt training, each run against the tests
meant to catch it, fits in half an hour on 2 cores and says exactly which promise is untested.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kerasish"
COPIED = ("kerasish", "tests", "pyproject.toml")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutant_catalogue import MUTANTS, Mutant  # noqa: E402


def fingerprint(mutant: Mutant) -> str:
    """What a result depends on: the mutant, the unmutated file and the test files it runs (a result of an edited
    file or edited tests no longer counts)."""
    digest = hashlib.sha256(f"{mutant.old}\0{mutant.new}\0{mutant.tests}".encode())
    digest.update((PACKAGE / mutant.file).read_bytes())
    for test in sorted({t.split("::")[0] for t in mutant.tests}):
        path = ROOT / test
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def check(mutants: list[Mutant]) -> list[str]:
    """Problems with the catalogue: a mutant whose text is not found exactly once, that changes nothing, that does
    not compile, whose test files or test functions do not exist, or an id used twice."""
    problems, seen = [], set()
    for m in mutants:
        if m.id in seen:
            problems.append(f"{m.id}: the id is used twice")
        seen.add(m.id)
        path = PACKAGE / m.file
        if not path.is_file():
            problems.append(f"{m.id}: no file kerasish/{m.file}")
            continue
        source = path.read_text()
        count = source.count(m.old)
        if count != 1:
            problems.append(f"{m.id}: its text is found {count} times in kerasish/{m.file} (must be once)")
            continue
        if m.old == m.new:
            problems.append(f"{m.id}: the mutant changes nothing")
        try:
            compile(source.replace(m.old, m.new), str(path), "exec")
        except SyntaxError as err:
            problems.append(f"{m.id}: the mutated file does not compile ({err})")
        for test in m.tests:
            test_file = ROOT / test.split("::")[0]
            if not test_file.exists():
                problems.append(f"{m.id}: no test file {test_file.relative_to(ROOT)}")
                continue
            for name in test.split("::")[1:]:  # a test or class renamed since: pytest would find no test
                name = name.split("[")[0]
                if not re.search(rf"^\s*(async\s+)?(def|class)\s+{re.escape(name)}\b", test_file.read_text(), re.M):
                    problems.append(f"{m.id}: no test {name} in {test_file.relative_to(ROOT)}")
    return problems


@dataclass
class Outcome:
    id: str
    status: str  # killed | survived | timeout | error
    seconds: float
    detail: str
    fingerprint: str

    def to_json(self) -> dict:
        return self.__dict__


class Worker:
    """A private copy of the working tree in which one mutant at a time is applied, tested and undone."""

    def __init__(self, base: Path, number: int) -> None:
        self.tree = base / f"tree{number}"
        if self.tree.exists():
            shutil.rmtree(self.tree)
        self.tree.mkdir(parents=True)
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, self.tree / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
            else:
                shutil.copy2(source, self.tree / name)
        self.serial = 0

    def run(self, mutant: Mutant, mutant_print: str, timeout: float, log_dir: Path) -> Outcome:
        path = self.tree / "kerasish" / mutant.file
        original = path.read_text()
        stat = path.stat()
        self.serial += 1
        path.write_text(original.replace(mutant.old, mutant.new))
        # A new modification time (whole seconds apart from any earlier one) so Python never reuses a cached .pyc
        # of the unmutated file or of another mutant of the same size.
        stamp = stat.st_mtime + 1000 * self.serial
        os.utime(path, (stamp, stamp))
        command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--no-header", "--tb=line",
                   *mutant.tests]
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        start = time.monotonic()
        log = log_dir / f"{mutant.id}.log"
        try:
            with open(log, "w") as out:
                result = subprocess.run(command, cwd=self.tree, stdout=out, stderr=subprocess.STDOUT, env=env,
                                        timeout=timeout)
            code = result.returncode
        except subprocess.TimeoutExpired:
            code = None
        finally:
            path.write_text(original)
            os.utime(path, (stat.st_atime, stat.st_mtime))
        seconds = time.monotonic() - start
        status, detail = _classify(code, log)
        return Outcome(mutant.id, status, round(seconds, 1), detail, mutant_print)


def _classify(code: int | None, log: Path) -> tuple[str, str]:
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    if code is None:
        return "timeout", "the tests ran past the time limit (counted as killed: the mutant hangs or slows training)"
    if code == 0:
        return "survived", last
    if code in (1, 2):  # tests failed (1) or could not even be collected (2): the bug is noticed
        failed = next((line for line in lines if line.startswith(("FAILED", "ERROR"))), last)
        return "killed", failed
    return "error", f"pytest exit code {code}: {last}"  # 3-5: internal error, usage error, no test collected


def load_results(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    return json.loads(path.read_text())


def current(results: dict[str, dict], mutants: list[Mutant]) -> dict[str, dict]:
    """The results that still describe the source: same mutant, same unmutated file, same tests."""
    by_id = {m.id: m for m in mutants}
    return {k: v for k, v in results.items() if k in by_id and v.get("fingerprint") == fingerprint(by_id[k])}


def report(results: dict[str, dict], mutants: list[Mutant]) -> str:
    results = current(results, mutants)
    ran = [m for m in mutants if m.id in results]
    status = lambda m: results[m.id]["status"]
    equivalent = [m for m in ran if m.equivalent]
    scored = [m for m in ran if not m.equivalent]
    killed = [m for m in scored if status(m) in ("killed", "timeout")]
    lines = [f"{len(ran)} of {len(mutants)} mutants run; {len(equivalent)} marked equivalent.",
             f"Score: {len(killed)} killed of {len(scored)} non-equivalent mutants "
             f"({100 * len(killed) / max(len(scored), 1):.0f}%); run time "
             f"{sum(results[m.id]['seconds'] for m in ran) / 60:.1f} min of test time."]
    for m in ran:
        if m.equivalent and status(m) != "survived":
            lines.append(f"  NOTE {m.id}: marked equivalent but {status(m)} ({results[m.id]['detail']})")
    for m in scored:
        if status(m) in ("survived", "error"):
            lines.append(f"  {status(m).upper()} {m.id} (kerasish/{m.file}): {m.why}")
    for m in equivalent:
        if status(m) == "survived":
            lines.append(f"  equivalent {m.id}: {m.equivalent}")
    return "\n".join(lines)


def select(args: argparse.Namespace) -> list[Mutant]:
    chosen = list(MUTANTS)
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {m.id for m in chosen}
        if unknown:
            sys.exit(f"Unknown mutant ids: {sorted(unknown)} (see --list).")
        chosen = [m for m in chosen if m.id in wanted]
    if args.file:
        chosen = [m for m in chosen if m.file == args.file]
    if args.shard:
        index, count = (int(part) for part in args.shard.split("/"))
        chosen = chosen[index - 1::count]
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--check", action="store_true", help="check that every mutant applies and compiles")
    parser.add_argument("--report", action="store_true", help="print the score of the stored results and exit")
    parser.add_argument("--only", help="comma-separated mutant ids")
    parser.add_argument("--file", help="only the mutants of this file (relative to kerasish/)")
    parser.add_argument("--shard", help="i/n: every n-th mutant from the i-th (1-based)")
    parser.add_argument("--resume", action="store_true", help="skip the mutants that already have a current result")
    parser.add_argument("--jobs", "-j", type=int, default=1,
                        help="mutants run at the same time (default 1: a shared machine's cores stay usable)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per mutant before it counts as killed "
                                                                   "by a timeout (default 600)")
    parser.add_argument("--results", type=Path,
                        default=Path(tempfile.gettempdir()) / "kerasish-mutants" / "results.json")
    args = parser.parse_args(argv)

    problems = check(MUTANTS)
    if problems:
        print("The catalogue does not fit the source any more:\n  " + "\n  ".join(problems))
        return 2
    if args.check:
        print(f"{len(MUTANTS)} mutants apply and compile.")
        return 0
    mutants = select(args)
    if args.list:
        for m in mutants:
            print(f"{m.id:40} kerasish/{m.file}\n{'':40} {m.why}")
        return 0
    results = load_results(args.results)
    if args.report:
        print(report(results, MUTANTS))
        return 0
    if args.resume:
        done = current(results, MUTANTS)
        mutants = [m for m in mutants if m.id not in done]

    args.results.parent.mkdir(parents=True, exist_ok=True)
    log_dir = args.results.parent / "logs"
    log_dir.mkdir(exist_ok=True)
    prints = {m.id: fingerprint(m) for m in mutants}  # of the files as they are copied, whatever changes later
    base = Path(tempfile.mkdtemp(prefix="kerasish-mutants-"))
    lock = threading.Lock()
    pool = [Worker(base, i) for i in range(max(1, min(args.jobs, len(mutants))))]
    free = list(pool)
    started = time.monotonic()
    print(f"{len(mutants)} mutants, {len(pool)} at a time; logs in {log_dir}", flush=True)

    def run_one(mutant: Mutant) -> Outcome:
        with lock:
            worker = free.pop()
        try:
            return worker.run(mutant, prints[mutant.id], args.timeout, log_dir)
        finally:
            with lock:
                free.append(worker)

    try:
        with concurrent.futures.ThreadPoolExecutor(len(pool)) as executor:
            for outcome in executor.map(run_one, mutants):
                with lock:
                    results[outcome.id] = outcome.to_json()
                    args.results.write_text(json.dumps(results, indent=1, sort_keys=True))
                print(f"{outcome.status:9} {outcome.seconds:6.1f}s  {outcome.id}: {outcome.detail[:150]}", flush=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"\nWall time {(time.monotonic() - started) / 60:.1f} min.")
    print(report(results, MUTANTS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
