#!/usr/bin/env python3
"""Generates a small HF byte-level BPE (GPT-2 format) and its reference ids with HF `tokenizers`.

    pip install tokenizers tiktoken && python3 tools/reference/tokenizer_hf_golden.py

Trains a 700-token ByteLevelBPETokenizer on the golden corpus, saves it the two ways HF GPT-2
folders hold a tokenizer (vocab.json + merges.txt, and tokenizer.json) under
Tests/FTTokenizerTests/Golden/gpt2-tiny/, and writes gpt2_tiny.jsonl with tokenizers' own ids.
"""
import json, os, sys

from tokenizers import ByteLevelBPETokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tokenizer_golden as tg  # noqa: E402

OUT = os.path.join(tg.OUT, "gpt2-tiny")


def main():
    os.makedirs(OUT, exist_ok=True)
    texts = tg.corpus()
    tok = ByteLevelBPETokenizer()
    tok.train_from_iterator(texts[:200] + texts[-60:], vocab_size=700, min_frequency=2,
                            special_tokens=["<|endoftext|>"], show_progress=False)
    tok.save_model(OUT)
    tok.save(os.path.join(OUT, "tokenizer.json"))
    path = os.path.join(tg.OUT, "gpt2_tiny.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for t in texts:
            if len(t) > 3000:
                continue  # long pieces are covered by the tiktoken goldens; keep this file small
            ids = tok.encode(t).ids
            f.write(json.dumps({"text": t, "ids": ids}, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(path, os.path.getsize(path), file=sys.stderr)


if __name__ == "__main__":
    main()
