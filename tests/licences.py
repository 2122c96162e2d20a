"""Licence check: every crate the program is built with (for this machine's platform) has a licence
expression with an alternative the project's MIT OR Apache-2.0 licence can ship with — permissive
licences, or MPL-2.0 (file-level copyleft, crates used unmodified). See NOTICE.md.

Usage: python tests/licences.py   (runs `cargo metadata`; no build)
"""

import json
import re
import subprocess
import sys

ALLOWED = {
    "MIT", "MIT-0", "Apache-2.0", "Apache-2.0 WITH LLVM-exception", "BSD-2-Clause", "BSD-3-Clause",
    "ISC", "Zlib", "Unicode-3.0", "Unicode-DFS-2016", "CC0-1.0", "Unlicense", "BSL-1.0", "0BSD",
    # Weak, file-level copyleft: allowed for dependencies used as they are.
    "MPL-2.0",
}


def alternatives(expression: str) -> list[list[str]]:
    """The expression's alternatives (OR, or the old `/`), each a list of licences all required (AND).
    Parentheses are flattened: `(MIT OR Apache-2.0) AND Unicode-3.0` gives both combinations."""
    expression = expression.replace("/", " OR ")
    group = re.search(r"\(([^()]*)\)", expression)
    if group:
        inner = [a for a in re.split(r"\s+OR\s+", group.group(1))]
        return [alt for choice in inner
                for alt in alternatives(expression[: group.start()] + choice + expression[group.end():])]
    return [[part.strip() for part in re.split(r"\s+AND\s+", alt)] for alt in re.split(r"\s+OR\s+", expression)]


host = re.search(r"^host: (\S+)", subprocess.run(["rustc", "-vV"], capture_output=True, text=True,
                                                 check=True).stdout, re.M).group(1)
metadata = json.loads(subprocess.run(
    ["cargo", "metadata", "--format-version", "1", "--locked", "--filter-platform", host],
    capture_output=True, text=True, check=True).stdout)
used = {node["id"] for node in metadata["resolve"]["nodes"]}
workspace = set(metadata["workspace_members"])
failures = []
for package in metadata["packages"]:
    if package["id"] not in used:
        continue
    licence = package.get("license") or ""
    if package["id"] in workspace:
        if licence != "MIT OR Apache-2.0":
            failures.append(f"{package['name']}: the project's own licence is {licence!r}")
        continue
    if not any(all(part in ALLOWED for part in alt) for alt in alternatives(licence)):
        failures.append(f"{package['name']} {package['version']}: {licence or 'no licence field'}")
for failure in failures:
    print(f"FAIL licence: {failure}")
print(f"licences: {len(used)} crates, {len(failures)} not allowed")
sys.exit(1 if failures else 0)
