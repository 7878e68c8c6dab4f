"""PyTorch peer for bench-engine: times full fine-tuning steps of a random GPT-2 on CPU.

A step is zero_grad, forward with labels (HF's shifted cross-entropy), backward and AdamW
(lr 1e-4, weight decay 0): the same work bench-engine times for ftsh. Prints one JSON line:
{"config": ..., "threads": ..., "ms": [per-step ms], "median_ms": ...}.
Needs torch (pip install torch==2.13.0+cpu) and transformers.
"""
import argparse, json, statistics, time
import torch
from transformers import GPT2Config, GPT2LMHeadModel

CONFIGS = {
    "tiny": dict(n_layer=4, n_head=4, n_embd=128, vocab_size=512, n_positions=64, T=64, B=8),
    "124m": dict(n_layer=12, n_head=12, n_embd=768, vocab_size=50257, n_positions=1024, T=64, B=4),
}

ap = argparse.ArgumentParser()
ap.add_argument("--config", choices=CONFIGS, required=True)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--steps", type=int, default=10)
ap.add_argument("--warmup", type=int, default=3)
a = ap.parse_args()

torch.set_num_threads(a.threads)
torch.manual_seed(0)
c = dict(CONFIGS[a.config])
T, B = c.pop("T"), c.pop("B")
cfg = GPT2Config(**c, bos_token_id=0, eos_token_id=0, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
model = GPT2LMHeadModel(cfg).train()
opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
x = torch.randint(0, cfg.vocab_size, (B, T))
times = []
for i in range(a.warmup + a.steps):
    t0 = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    loss = model(x, labels=x).loss
    loss.backward()
    opt.step()
    dt = (time.perf_counter() - t0) * 1000
    if i >= a.warmup:
        times.append(dt)
print(json.dumps({"config": a.config, "threads": a.threads, "ms": times, "median_ms": statistics.median(times),
                  "loss": float(loss.detach())}))
