"""Checks that HF transformers reads the bundled model share/models/tiny as ftsh does.

    pip install "torch==2.13.0+cpu" transformers
    swift build -c release --scratch-path .build-tiny --product pretrain-tiny
    python tools/pretrain/hf_check.py [--folder share/models/tiny] [--binary .build-tiny/release/pretrain-tiny]

For a few English and Korean texts it compares the token ids of HF's GPT2Tokenizer with ftsh's,
and the next-token logits of GPT2LMHeadModel (fp32, eager attention) with ftsh's engine at every
position, then continues each text greedily with both and compares the new tokens. Prints the
largest absolute logit difference; exits 1 if tokens differ or it exceeds 1e-3.
"""
import argparse
import json
import subprocess
import sys

import torch
from transformers import GPT2LMHeadModel, GPT2Tokenizer

TEXTS = [
    "In the beginning, God created the heavens and the earth.",
    "The learning rate decides how far the weights move in one step.",
    "데비안은 자유 소프트웨어로 만든 운영 체제입니다.",
    "오늘 아침에는 하늘이 맑았습니다. 나는 공원으로 산책을",
]


def ours(binary, folder, text):
    out = subprocess.run([binary, "--logits", folder, "--text", text], capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    return data["tokens"], torch.tensor(data["logits"], dtype=torch.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--folder", default="share/models/tiny")
    ap.add_argument("--binary", default=".build-tiny/release/pretrain-tiny")
    args = ap.parse_args()
    torch.manual_seed(0)
    tok = GPT2Tokenizer.from_pretrained(args.folder)
    model = GPT2LMHeadModel.from_pretrained(args.folder, dtype=torch.float32, attn_implementation="eager").eval()
    worst = 0.0
    ok = True
    for text in TEXTS:
        ids, logits = ours(args.binary, args.folder, text)
        hf_ids = tok.encode(text)
        if hf_ids != ids:
            print(f"token ids differ for {text!r}:\n  ftsh {ids}\n  hf   {hf_ids}")
            ok = False
            continue
        with torch.no_grad():
            ref = model(torch.tensor([ids])).logits[0]
            gen = model.generate(torch.tensor([ids]), max_new_tokens=20, do_sample=False,
                                 pad_token_id=tok.eos_token_id)[0, len(ids):].tolist()
        diff = (ref - logits).abs().max().item()
        worst = max(worst, diff)
        print(f"{len(ids):3d} tokens  max |logit diff| {diff:.2e}  {text}")
        print(f"      hf greedy: {tok.decode(gen)!r}")
    print(f"largest absolute logit difference: {worst:.3e}")
    if not ok or worst > 1e-3:
        sys.exit(1)


if __name__ == "__main__":
    main()
