"""Run every benchmark in turn; each one rewrites its own section of BENCHMARKS.md.

    python bench/run_all.py            # everything (the embedded ones take a while)
    python bench/run_all.py --quick    # only those without the embedded model

Run it on an otherwise quiet machine, and not while tests run: the figures are ratios of two
sides measured together, but a busy machine makes every distribution wider.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK = ["service_overhead.py", "growth.py", "evals_throughput.py"]
EMBEDDED = ["embedded_stream.py", "embedded_latency.py", "prompt_size.py"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the embedded-model benchmarks")
    args = parser.parse_args()
    for script in QUICK + ([] if args.quick else EMBEDDED):
        print(f"== {script}", flush=True)
        subprocess.run([sys.executable, str(HERE / script)], check=True)


if __name__ == "__main__":
    main()
