#!/usr/bin/env python3
# pip requirements: sacrebleu==2.6.0 rouge-score==0.1.2
"""The Python side of bench-eval: times sacrebleu and rouge-score on a JSONL of
{"prediction", "reference"} pairs, in-process, median of N runs, tokenizer caches cleared
before each run. Prints one JSON object: {metric: seconds, ..., "values": {...}}."""
import json, statistics, sys, time

from rouge_score import rouge_scorer
from sacrebleu.metrics import BLEU, CHRF
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a
from sacrebleu.tokenizers.tokenizer_re import TokenizerRegexp

path, runs = sys.argv[1], int(sys.argv[2])
pairs = [json.loads(l) for l in open(path, encoding="utf-8")]
hyps = [p["prediction"] for p in pairs]
refs = [p["reference"] for p in pairs]


def clear():
    Tokenizer13a.__call__.cache_clear()
    TokenizerRegexp.__call__.cache_clear()


sent_bleu, corp_bleu, chrf, chrfpp = BLEU(effective_order=True), BLEU(), CHRF(), CHRF(word_order=2)
types = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
rouge, rouge_stem = rouge_scorer.RougeScorer(types), rouge_scorer.RougeScorer(types, use_stemmer=True)
values = {}
tasks = {
    "sentence_bleu": lambda: [sent_bleu.sentence_score(h, [r]).score for h, r in zip(hyps, refs)],
    "corpus_bleu": lambda: corp_bleu.corpus_score(hyps, [refs]).score,
    "sentence_chrf": lambda: [chrf.sentence_score(h, [r]).score for h, r in zip(hyps, refs)],
    "corpus_chrf": lambda: chrf.corpus_score(hyps, [refs]).score,
    "corpus_chrf++": lambda: chrfpp.corpus_score(hyps, [refs]).score,
    "rouge": lambda: sum(rouge.score(r, h)["rougeL"].fmeasure for h, r in zip(hyps, refs)) / len(hyps),
    "rouge_stem": lambda: sum(rouge_stem.score(r, h)["rougeL"].fmeasure for h, r in zip(hyps, refs)) / len(hyps),
}
out = {}
for name, fn in tasks.items():
    times = []
    for _ in range(runs):
        clear()
        t = time.perf_counter()
        v = fn()
        times.append(time.perf_counter() - t)
    out[name] = statistics.median(times)
    values[name] = v if not isinstance(v, list) else sum(v) / len(v)
out["values"] = values
print(json.dumps(out))
