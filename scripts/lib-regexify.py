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


def is_chart(line):
    """A line of a terminal chart: braille dots or the axis."""
    return line.startswith("#=>") and (any(0x2800 <= ord(c) <= 0x28FF for c in line) or "┤" in line
                                       or line.strip() in ("#=>    │", "#=> loss") or "└┬" in line)


for path in sys.argv[1:]:
    out = []
    for line in open(path, encoding="utf-8").read().split("\n"):
        if is_chart(line):
            # A chart's dots move with the last digits of the losses: match any chart.
            if out and out[-1] != "#=> ...":
                out.append("#=> ...")
            continue
        if line.startswith("#=> ") and not line.endswith(" (re)") and NUMBER.search(line) and (
                "loss" in line or "accuracy" in line or "→" in line or "iB" in line):
            line = pattern(line)
        out.append(line)
    open(path, "w", encoding="utf-8").write("\n".join(out))
