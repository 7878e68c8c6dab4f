#!/usr/bin/env python3
"""Turns the loss and accuracy figures in a transcript's expected training output into
patterns (` (re)` lines), so a lesson checks the shape of training without depending on the
last digit a particular CPU's matrix kernels produce.

    python3 scripts/lib-regexify.py FILE.ftsh...
"""
import re
import sys

NUMBER = re.compile(r"\d+\.\d+")


def pattern(line):
    body = line[4:]
    parts = []
    last = 0
    for m in NUMBER.finditer(body):
        parts.append(re.escape(body[last:m.start()]).replace("\\ ", " "))
        parts.append(r"[\d.]+")
        last = m.end()
    parts.append(re.escape(body[last:]).replace("\\ ", " "))
    return "#=> " + "".join(parts) + " (re)"


for path in sys.argv[1:]:
    out = []
    for line in open(path, encoding="utf-8").read().split("\n"):
        if line.startswith("#=> ") and not line.endswith(" (re)") and ("loss" in line or "accuracy" in line) and NUMBER.search(line):
            line = pattern(line)
        out.append(line)
    open(path, "w", encoding="utf-8").write("\n".join(out))
