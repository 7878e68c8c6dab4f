"""Golden files for FTEngine's tests, computed by HF transformers' GPT2LMHeadModel in torch.

Run once (needs torch, transformers, safetensors):
    python tools/reference/engine_golden.py
Writes Tests/FTEngineTests/Golden/tiny-gpt2/{config.json, model.safetensors} (saved by
save_pretrained, i.e. the format transformers itself writes) and expected.safetensors with the
batch, logits, masked loss, every parameter gradient, ten AdamW steps' losses, a LoRA step and a
greedy continuation. Integers are stored as F32 (exact below 2^24).
"""
import json, math, os, shutil
import torch
from safetensors.torch import save_file
from transformers import GPT2Config, GPT2LMHeadModel

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "FTEngineTests", "Golden")
torch.manual_seed(1234)
torch.use_deterministic_algorithms(True)

cfg = GPT2Config(vocab_size=64, n_positions=16, n_embd=32, n_layer=2, n_head=2,
                 activation_function="gelu_new", resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                 bos_token_id=0, eos_token_id=1)
model = GPT2LMHeadModel(cfg).eval()
model.config._attn_implementation = "eager"
# Larger random values than GPT-2's init so every path (biases, LayerNorm gains) matters.
with torch.no_grad():
    for name, p in model.named_parameters():
        if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name.endswith("ln_f.weight"):
            p.copy_(1 + 0.2 * torch.randn_like(p))
        elif p.dim() == 1:
            p.copy_(0.1 * torch.randn_like(p))
        else:
            p.copy_(0.3 * torch.randn_like(p))

folder = os.path.join(OUT, "tiny-gpt2")
shutil.rmtree(folder, ignore_errors=True)
model.save_pretrained(folder, safe_serialization=True)
for extra in ["generation_config.json"]:
    path = os.path.join(folder, extra)
    if os.path.exists(path):
        os.remove(path)

B, T = 2, 8
inputs = torch.randint(0, 64, (B, T))
targets = torch.randint(0, 64, (B, T))
weights = torch.ones(B, T)
weights[0, :3] = 0          # prompt tokens of row 0 do not count
inputs[1, 5:] = 2           # row 1 is right-padded from position 5
weights[1, 5:] = 0

def masked_loss(logits):
    per = torch.nn.functional.cross_entropy(logits.reshape(-1, 64), targets.reshape(-1), reduction="none")
    w = weights.reshape(-1)
    return (per * w).sum() / w.sum(), per

params = dict(model.named_parameters())
logits = model(inputs).logits
loss, per = masked_loss(logits)
loss.backward()
expected = {
    "inputs": inputs.float(), "targets": targets.float(), "weights": weights,
    "logits": logits.detach(), "loss": loss.detach().reshape(1),
    "token_losses": (per.detach() * weights.reshape(-1)),
}
for name, p in params.items():
    expected["grad." + name] = p.grad.detach().clone()

# Ten AdamW steps: decay on matrices only, warm-up then cosine, gradient clipping at 1.0.
peak, warmup, total, min_ratio, wd, clip = 1e-2, 2, 10, 0.1, 0.1, 1.0
def lr_at(step):
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    floor = peak * min_ratio
    return floor + (peak - floor) * 0.5 * (1 + math.cos(math.pi * progress))
decay = [p for n, p in params.items() if p.dim() >= 2]
no_decay = [p for n, p in params.items() if p.dim() < 2]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}],
                        lr=peak, betas=(0.9, 0.999), eps=1e-8)
losses, norms = [], []
for step in range(total):
    for g in opt.param_groups:
        g["lr"] = lr_at(step)
    opt.zero_grad()
    l, _ = masked_loss(model(inputs).logits)
    l.backward()
    norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), clip)))
    opt.step()
    losses.append(float(l.detach()))
expected["adamw_losses"] = torch.tensor(losses)
expected["adamw_grad_norms"] = torch.tensor(norms)
with torch.no_grad():
    expected["adamw_final_loss"] = masked_loss(model(inputs).logits)[0].reshape(1)
    expected["adamw_final.transformer.h.1.mlp.c_fc.weight"] = params["transformer.h.1.mlp.c_fc.weight"].detach().clone()

# Greedy continuation with the trained weights (argmax at every step).
prompt = torch.tensor([[5, 9, 3]])
with torch.no_grad():
    seq = prompt
    for _ in range(8):
        nxt = model(seq).logits[:, -1].argmax(-1, keepdim=True)
        seq = torch.cat([seq, nxt], dim=1)
expected["greedy_prompt"] = prompt.float().reshape(-1)
expected["greedy_output"] = seq.float().reshape(-1)
save_file({k: v.contiguous() for k, v in expected.items()}, os.path.join(OUT, "expected.safetensors"))

# LoRA (PEFT conventions): fresh copy of the original weights, r=4, alpha=8 on c_attn and
# mlp.c_proj; A and B both random so every gradient is non-trivial.
base = GPT2LMHeadModel.from_pretrained(folder).eval()
base.config._attn_implementation = "eager"
r, alpha = 4, 8.0
lora = {}
def wrap(module, path):
    fan_in, fan_out = module.weight.shape
    A = torch.nn.Parameter(0.2 * torch.randn(r, fan_in))
    Bm = torch.nn.Parameter(0.2 * torch.randn(fan_out, r))
    lora[path] = (A, Bm)
    orig = module.forward
    module.forward = lambda x: orig(x) + (alpha / r) * (x @ A.t()) @ Bm.t()
for i, blk in enumerate(base.transformer.h):
    wrap(blk.attn.c_attn, f"transformer.h.{i}.attn.c_attn")
    wrap(blk.mlp.c_proj, f"transformer.h.{i}.mlp.c_proj")
for p in base.parameters():
    p.requires_grad_(False)
l, _ = masked_loss(base(inputs).logits)
l.backward()
lora_out = {"loss": l.detach().reshape(1)}
for path, (A, Bm) in lora.items():
    lora_out[f"base_model.model.{path}.lora_A.weight"] = A.detach()
    lora_out[f"base_model.model.{path}.lora_B.weight"] = Bm.detach()
    lora_out[f"grad.base_model.model.{path}.lora_A.weight"] = A.grad.detach()
    lora_out[f"grad.base_model.model.{path}.lora_B.weight"] = Bm.grad.detach()
save_file({k: v.contiguous() for k, v in lora_out.items()}, os.path.join(OUT, "lora.safetensors"))

# PEFT adapter folders written by PEFT itself, with the logits they give on the golden batch.
from peft import LoraConfig, PromptTuningConfig, get_peft_model
import warnings
warnings.filterwarnings("ignore")
torch.manual_seed(99)
base = GPT2LMHeadModel.from_pretrained(folder).eval()
peft_model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=["c_attn", "mlp.c_proj"],
                                             init_lora_weights=False, fan_in_fan_out=True))
peft_folder = os.path.join(OUT, "peft-lora")
shutil.rmtree(peft_folder, ignore_errors=True)
peft_model.save_pretrained(peft_folder)
with torch.no_grad():
    lora_logits = peft_model(inputs).logits
base = GPT2LMHeadModel.from_pretrained(folder).eval()
pt_model = get_peft_model(base, PromptTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=3))
with torch.no_grad():
    pt_model.prompt_encoder["default"].embedding.weight.normal_(0, 0.5)
pt_folder = os.path.join(OUT, "peft-prompt")
shutil.rmtree(pt_folder, ignore_errors=True)
pt_model.save_pretrained(pt_folder)
with torch.no_grad():
    pt_logits = pt_model(input_ids=inputs).logits
for f in [peft_folder, pt_folder]:
    readme = os.path.join(f, "README.md")
    if os.path.exists(readme):
        os.remove(readme)
    cfg_path = os.path.join(f, "adapter_config.json")
    with open(cfg_path) as fh:
        adapter_cfg = json.load(fh)
    adapter_cfg["base_model_name_or_path"] = "tiny-gpt2"  # not this machine's path
    with open(cfg_path, "w") as fh:
        json.dump(adapter_cfg, fh, indent=2, sort_keys=True)
save_file({"lora_logits": lora_logits.contiguous(), "prompt_logits": pt_logits.contiguous()},
          os.path.join(OUT, "peft.safetensors"))
print("loss", float(loss.detach()), "adamw", losses[0], "->", losses[-1], "lora", float(l.detach()))
