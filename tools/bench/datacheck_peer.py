#!/usr/bin/env python3
"""The Python side of Benchmarks/datacheck: the cookbook notebook's data check
(openai-cookbook examples/Chat_finetuning_data_prep.ipynb) over a chat JSONL, with json + tiktoken.

It loads the file, runs the notebook's format-error checks, counts tokens per example and assistant
tokens (o200k_base, loaded offline from local rank files), prints the distributions' statistics as the
notebook does (computed, not printed, here), and applies the default-epochs rule and the billed-token
estimate. The notebook's two crashes are avoided the way ftsh avoids them: `weight` is skipped when
counting (it is a number). Prints one JSON object: median wall and CPU seconds over the runs, and the results.
"""
import argparse, json, os, time
from collections import defaultdict

import numpy as np
import tiktoken
from tiktoken.load import load_tiktoken_bpe

O200K = "|".join([
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""\p{N}{1,3}""", r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""", r"""\s*[\r\n]+""", r"""\s+(?!\S)""", r"""\s+""",
])
MAX_TOKENS_PER_EXAMPLE = 65536
TARGET_EPOCHS, MIN_TARGET_EXAMPLES, MAX_TARGET_EXAMPLES = 3, 100, 25000
MIN_DEFAULT_EPOCHS, MAX_DEFAULT_EPOCHS = 1, 25


def check(path, enc):
    with open(path, "r", encoding="utf-8") as f:
        dataset = [json.loads(line) for line in f]

    format_errors = defaultdict(int)
    for ex in dataset:
        if not isinstance(ex, dict):
            format_errors["data_type"] += 1
            continue
        messages = ex.get("messages", None)
        if not messages:
            format_errors["missing_messages_list"] += 1
            continue
        for message in messages:
            if "role" not in message or "content" not in message:
                format_errors["message_missing_key"] += 1
            if any(k not in ("role", "content", "name", "function_call", "weight") for k in message):
                format_errors["message_unrecognized_key"] += 1
            if message.get("role", None) not in ("system", "user", "assistant", "function"):
                format_errors["unrecognized_role"] += 1
            content = message.get("content", None)
            function_call = message.get("function_call", None)
            if (not content and not function_call) or not isinstance(content, str):
                format_errors["missing_content"] += 1
        if not any(message.get("role", None) == "assistant" for message in messages):
            format_errors["example_missing_assistant_message"] += 1

    def num_tokens_from_messages(messages, tokens_per_message=3, tokens_per_name=1):
        n = 0
        for message in messages:
            n += tokens_per_message
            for key, value in message.items():
                if key == "weight":
                    continue
                n += len(enc.encode(value))
                if key == "name":
                    n += tokens_per_name
        return n + 3

    def num_assistant_tokens_from_messages(messages):
        return sum(len(enc.encode(m["content"])) for m in messages
                   if m["role"] == "assistant" and m.get("weight", 1) != 0)

    n_missing_system = n_missing_user = 0
    n_messages, convo_lens, assistant_message_lens = [], [], []
    for ex in dataset:
        messages = ex["messages"]
        if not any(m["role"] == "system" for m in messages):
            n_missing_system += 1
        if not any(m["role"] == "user" for m in messages):
            n_missing_user += 1
        n_messages.append(len(messages))
        convo_lens.append(num_tokens_from_messages(messages))
        assistant_message_lens.append(num_assistant_tokens_from_messages(messages))
    stats = {}
    for name, values in [("n_messages", n_messages), ("convo_lens", convo_lens), ("assistant", assistant_message_lens)]:
        stats[name] = (min(values), max(values), np.mean(values), np.median(values),
                       np.quantile(values, 0.1), np.quantile(values, 0.9))
    n_too_long = sum(l > MAX_TOKENS_PER_EXAMPLE for l in convo_lens)

    n_train = len(dataset)
    n_epochs = TARGET_EPOCHS
    if n_train * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        n_epochs = min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // n_train)
    elif n_train * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        n_epochs = max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // n_train)
    billing = sum(min(MAX_TOKENS_PER_EXAMPLE, l) for l in convo_lens)
    return {"examples": n_train, "format_errors": dict(format_errors), "missing_system": n_missing_system,
            "missing_user": n_missing_user, "too_long": n_too_long, "epochs": n_epochs,
            "total_tokens": sum(convo_lens), "billed_tokens": n_epochs * billing}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jsonl", required=True)
    ap.add_argument("--encodings", required=True)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    ranks = load_tiktoken_bpe(os.path.join(args.encodings, "o200k_base.tiktoken"))
    enc = tiktoken.Encoding("o200k_base", pat_str=O200K, mergeable_ranks=ranks, special_tokens={})
    times, cpus, result = [], [], None
    for _ in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        result = check(args.jsonl, enc)
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    result["seconds"] = sorted(times)[len(times) // 2]
    result["cpu_seconds"] = sorted(cpus)[len(cpus) // 2]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
