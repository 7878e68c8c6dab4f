#!/usr/bin/env python3
"""The tiktoken side of Benchmarks/tokenizer: token counting on the same inputs, single-threaded.

tiktoken is loaded offline from local rank files (with the official patterns), so no network is used.
Prints one JSON object per measurement on stdout.
"""
import argparse, json, os, sys, time

import tiktoken
from tiktoken.load import load_tiktoken_bpe

PATTERNS = {
    "cl100k_base": r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
    "o200k_base": "|".join([
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""", r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""", r"""\s*[\r\n]+""", r"""\s+(?!\S)""", r"""\s+""",
    ]),
}


def load(name, folder):
    ranks = load_tiktoken_bpe(os.path.join(folder, name + ".tiktoken"))
    return tiktoken.Encoding(name, pat_str=PATTERNS[name], mergeable_ranks=ranks, special_tokens={})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jsonl", required=True)
    ap.add_argument("--encodings", required=True)
    ap.add_argument("--names", default="o200k_base,cl100k_base")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--long-mb", type=float, default=1.0)
    args = ap.parse_args()

    texts = []
    with open(args.jsonl, encoding="utf-8") as f:
        for line in f:
            for m in json.loads(line)["messages"]:
                c = m.get("content")
                if isinstance(c, str):
                    texts.append(c)
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    long_word = "".join(chr(97 + (i * 7919 + i // 3) % 26) for i in range(int(args.long_mb * 1_000_000)))

    for name in args.names.split(","):
        enc = load(name, args.encodings)
        enc.encode_ordinary("warm up")
        samples, total = [], None
        for _ in range(args.runs):
            w0, c0 = time.perf_counter(), time.thread_time()
            n = 0
            for t in texts:
                n += len(enc.encode_ordinary(t))
            samples.append((time.thread_time() - c0, time.perf_counter() - w0))
            total = n
        samples.sort()
        cpu, wall = samples[len(samples) // 2]
        report("chat", name, total, wall, cpu, texts=len(texts), bytes=nbytes)
        w0, c0 = time.perf_counter(), time.thread_time()
        n = len(enc.encode_ordinary(long_word))
        report("long-word", name, n, time.perf_counter() - w0, time.thread_time() - c0, bytes=len(long_word))


def report(case, name, tokens, wall, cpu, **extra):
    print(json.dumps({"case": case, "encoding": name, "tokens": tokens, "seconds": wall, "cpu_seconds": cpu,
                      "version": tiktoken.__version__, **extra}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
