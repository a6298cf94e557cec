"""Print which installed packages (``pip freeze`` on stdin) differ from the lock file named."""

from __future__ import annotations

import re
import sys

PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;]+)")


def canonicalize_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lines) -> dict[str, str]:
    found = {}
    for line in lines:
        match = PIN.match(line.strip())
        if match:
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as lock_file:
        locked = pins(lock_file)
    installed = pins(sys.stdin)
    newer = [f"{name} {version} (locked {locked[name]})"
             for name, version in sorted(installed.items())
             if name in locked and locked[name] != version]
    if newer:
        print("newest releases: differ from the lock in " + ", ".join(newer))
    else:
        print("newest releases: the lock holds the newest release of every package")


if __name__ == "__main__":
    main()
