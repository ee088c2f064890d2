"""`python -m bench.pin CPUS -- COMMAND...`: run COMMAND confined to CPUS (e.g. `1` or `0,1`).

Sets the affinity before exec, so every thread the command ever starts inherits it.
"""

from __future__ import annotations

import os
import shutil
import sys


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m bench.pin CPUS -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    cpus = {int(c) for c in argv[0].split(",") if c}
    if cpus:
        os.sched_setaffinity(0, cpus)
    command = argv[2:]
    program = shutil.which(command[0]) or command[0]
    os.execv(program, command)  # noqa: S606 - our own command line, no shell
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
