"""`python -m proof [--full]`: run every proof, then print the one table of figures.

The isolation, token, abuse and input proofs share the test databases (one pytest process); the fault and
load proofs start their own PostgreSQL and RabbitMQ (another pytest process each).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from . import report

GROUPS = [
    ("isolation, tokens, abuse, input fuzz", ["proof", "--ignore=proof/faults", "--ignore=proof/load"]),
    ("faults (own PostgreSQL and RabbitMQ)", ["proof/faults"]),
    ("load and scale (own PostgreSQL and RabbitMQ)", ["proof/load"]),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m proof")
    parser.add_argument("--full", action="store_true", help="the full proof (make proof); default: the CI version")
    parser.add_argument("--only", choices=["checks", "faults", "load"], help="run one group")
    parser.add_argument("pytest_args", nargs="*")
    args = parser.parse_args(argv)
    env = {**os.environ, "PROOF_MODE": "full" if args.full else os.environ.get("PROOF_MODE", "ci")}
    os.environ.update(env)
    if not args.only:  # `--only` adds its rows to the table of the last whole run
        report.reset()
    failed = 0
    for (title, paths), key in zip(GROUPS, ("checks", "faults", "load")):
        if args.only and args.only != key:
            continue
        if not os.path.isdir(paths[0]):
            continue
        print(f"\n== proof: {title}", flush=True)
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *paths, *args.pytest_args],
                              env=env)
        failed |= done.returncode != 0
    status = report.main()
    return 1 if failed or status else 0


if __name__ == "__main__":
    sys.exit(main())
