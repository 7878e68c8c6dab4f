"""PyTorch + PEFT peer for bench-methods: times LoRA fine-tuning steps of a random GPT-2 on CPU.

LoRA r=8 on c_attn (PEFT's GPT-2 default target), alpha 16, dropout 0; a step is zero_grad,
forward with labels, backward and AdamW (lr 1e-4, weight decay 0) over the adapter only — the
work bench-methods times for ftsh. Prints one JSON line: {"config", "threads", "ms", "median_ms",
"trainable", "all"}. Needs torch (pip install torch==2.13.0+cpu), transformers and peft.
"""
import argparse, json, statistics, time
import torch
from transformers import GPT2Config, GPT2LMHeadModel
from peft import LoraConfig, get_peft_model

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
model = get_peft_model(GPT2LMHeadModel(cfg), LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, target_modules=["c_attn"],
                                                         fan_in_fan_out=True, task_type="CAUSAL_LM")).train()
trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
total = sum(p.numel() for p in model.parameters())
opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4, weight_decay=0.0)
x = torch.randint(0, cfg.vocab_size, (B, T))
times = []
for i in range(a.warmup + a.steps):
    t0 = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    loss = model(input_ids=x, labels=x).loss
    loss.backward()
    opt.step()
    dt = (time.perf_counter() - t0) * 1000
    if i >= a.warmup:
        times.append(dt)
print(json.dumps({"config": a.config, "threads": a.threads, "ms": times, "median_ms": statistics.median(times),
                  "trainable": trainable, "all": total}))
