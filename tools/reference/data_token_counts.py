#!/usr/bin/env python3
"""Reference token counts for FTData's tests (ftsh).

Runs the OpenAI cookbook's chat token accounting (examples/Chat_finetuning_data_prep.ipynb:
num_tokens_from_messages with tokens_per_message=3, tokens_per_name=1, plus 3 for the reply;
num_assistant_tokens_from_messages) with tiktoken over ftsh's sample datasets, and numpy's
statistics over the results, and writes Tests/FTDataTests/Golden/token_counts.json.

The rank files are read offline from a folder (default: $FTSH_ENCODINGS_DIR or ../shared/encodings
next to the repository), so nothing is downloaded.

    python3 tools/reference/data_token_counts.py [--encodings DIR]
"""
import argparse, json, os, sys
import numpy as np
import tiktoken
from tiktoken.load import load_tiktoken_bpe

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PATTERNS = {  # tiktoken_ext/openai_public.py
    "cl100k_base": r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
    "o200k_base": "|".join([
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""", r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""", r"""\s*[\r\n]+""", r"""\s+(?!\S)""", r"""\s+""",
    ]),
}

def encoding(name, folder):
    ranks = load_tiktoken_bpe(os.path.join(folder, name + ".tiktoken"))
    return tiktoken.Encoding(name=name, pat_str=PATTERNS[name], mergeable_ranks=ranks, special_tokens={})

def num_tokens_from_messages(enc, messages, tokens_per_message=3, tokens_per_name=1):
    n = 0
    for message in messages:
        n += tokens_per_message
        for key, value in message.items():
            n += len(enc.encode(value))
            if key == "name":
                n += tokens_per_name
    return n + 3

def num_assistant_tokens_from_messages(enc, messages):
    return sum(len(enc.encode(m["content"])) for m in messages if m["role"] == "assistant")

def stats(values):
    a = np.array(values)
    return {"min": int(a.min()), "max": int(a.max()), "mean": float(np.mean(a)), "median": float(np.median(a)),
            "p10": float(np.quantile(a, 0.1)), "p90": float(np.quantile(a, 0.9))}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--encodings", default=os.environ.get("FTSH_ENCODINGS_DIR") or os.path.join(ROOT, "..", "shared", "encodings"))
    args = ap.parse_args()
    extra = [  # names and multi-turn conversations, which the sample files lack
        {"messages": [{"role": "system", "content": "Be terse."}, {"role": "user", "name": "kim", "content": "안녕하세요! 날씨 어때요?"},
                      {"role": "assistant", "content": "맑아요."}, {"role": "user", "content": "Thanks — and tomorrow?"},
                      {"role": "assistant", "content": "Rain after 3 p.m., 12–15 °C."}]},
        {"messages": [{"role": "user", "content": "code:\n\tprint('hi')  \n\n"}, {"role": "assistant", "name": "bot_1", "content": "It prints hi."}]},
    ]
    out = {"generator": "tools/reference/data_token_counts.py", "tiktoken": tiktoken.__version__, "numpy": np.__version__, "files": {}}
    for enc_name in ["o200k_base", "cl100k_base"]:
        enc = encoding(enc_name, args.encodings)
        for fname in ["qa-en.jsonl", "qa-ko.jsonl", "extra"]:
            if fname == "extra":
                examples = extra
            else:
                with open(os.path.join(ROOT, "share", "data", fname), encoding="utf-8") as f:
                    examples = [json.loads(line) for line in f if line.strip()]
            totals = [num_tokens_from_messages(enc, ex["messages"]) for ex in examples]
            assistant = [num_assistant_tokens_from_messages(enc, ex["messages"]) for ex in examples]
            out["files"].setdefault(fname, {})[enc_name] = {
                "totals": totals, "assistant": assistant, "total_stats": stats(totals), "assistant_stats": stats(assistant)}
    out["extra"] = extra
    path = os.path.join(ROOT, "Tests", "FTDataTests", "Golden", "token_counts.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
    print("wrote", path)

if __name__ == "__main__":
    sys.exit(main())
