#!/usr/bin/env python3
"""Turns the figures in a transcript's expected output that depend on the CPU (losses,
accuracies, probabilities, memory, a server's port) into patterns (` (re)` lines), so a lesson
checks the shape of what happens without depending on the last digit a particular machine's
matrix kernels produce. Run it after `ftsh --check --update`.

    python3 scripts/lib-regexify.py FILE.ftsh...
"""
import re
import sys

NUMBER = re.compile(r"\d+\.\d+")
ANY = r"[\d.]+"


def esc(text):
    return re.escape(text).replace("\\ ", " ")


def numbers(body):
    """`body` with every decimal number as a pattern, the rest literal."""
    parts, last = [], 0
    for m in NUMBER.finditer(body):
        parts += [esc(body[last:m.start()]), ANY]
        last = m.end()
    parts.append(esc(body[last:]))
    return "".join(parts)


def columns(body):
    """A table row: numbers as patterns, and column gaps of any width (a wider number
    shifts the padding of its neighbours)."""
    return re.sub(r"(?: {2,})", r"\\s+", numbers(body))


def is_chart(body):
    """A line of a terminal chart: braille dots, an axis, or a column of plotted points."""
    return (any(0x2800 <= ord(c) <= 0x28FF for c in body) or "┤" in body or "└┬" in body
            or body.strip() in ("│", "loss") or body.startswith("     │"))


# Lines whose numbers vary with the CPU, each with how to write it as a pattern.
RULES = [
    # training, validation and evaluation figures, memory
    (lambda b: NUMBER.search(b) and ("loss" in b or "accuracy" in b or "→" in b or "iB" in b), numbers),
    # `model next`: its heading and its rows of probability, logit and bar
    (lambda b: re.match(r"after \d+ tokens \(last .*\), entropy \d+\.\d+ nats:$", b), numbers),
    (lambda b: re.match(r"\d+\s+\d+\s+\S+\s+\d\.\d{4}\s+-?\d+\.\d{3}[\s█]*$", b),
     lambda b: numbers(b.rstrip(" █")) + r"\s*█*"),
    (lambda b: re.match(r"─  ─+  ─+  ─+  ─+  ─+$", b), lambda b: esc(b.rsplit("  ", 1)[0]) + "  ─+"),
    # `runs` rows (a loss in the last column) and step tables (`run show`, checkpoints)
    (lambda b: re.match(r"~/\S+\s", b) and NUMBER.search(b) and re.search(r"completed|early-stop|stopped|interrupted|paused", b),
     columns),
    (lambda b: re.match(r"\s+\d+(\s+\d+\.\d+)+(\s+\d+\.\d+%)?$", b), columns),
    (lambda b: re.match(r"\s+\d+  ft:\S+:ckpt-step-\d+(\s+[\d.]+){2}$", b),
     lambda b: esc(re.match(r"(\s+\d+  ft:\S+:ckpt-step-\d+)", b).group(1)) + r"\s+[\d.]+\s+[\d.]+"),
    # a merged model's distance from its adapter
    (lambda b: b.startswith("largest logit difference from the adapter:"),
     lambda b: esc(b.split(":")[0]) + r": [\d.e+-]+"),
    # a server started by the script listens on a free port
    (lambda b: re.search(r"127\.0\.0\.1:\d+", b),
     lambda b: re.sub(r"127\\\.0\\\.0\\\.1:\d+", r"127\\.0\\.0\\.1:\\d+", esc(b))),
    # a bundled model's date is its files' date on this machine
    (lambda b: re.match(r"tiny\s+ftsh\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", b),
     lambda b: r"tiny\s+ftsh\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"),
]


def rewrite(line):
    for prefix in ("#=> ", "#!> "):
        if line.startswith(prefix) and not line.endswith(" (re)"):
            body = line[len(prefix):]
            for matches, make in RULES:
                if matches(body):
                    return prefix + make(body) + " (re)"
    return line


for path in sys.argv[1:]:
    out = []
    for line in open(path, encoding="utf-8").read().split("\n"):
        if line.startswith("#=> ") and is_chart(line[4:]):
            # A chart's dots move with the last digits of the losses: match any chart.
            if out and out[-1] != "#=> ...":
                out.append("#=> ...")
            continue
        out.append(rewrite(line))
    open(path, "w", encoding="utf-8").write("\n".join(out))
