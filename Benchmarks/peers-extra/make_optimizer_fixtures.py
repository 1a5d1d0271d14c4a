"""Writes Tests/Fixtures/{adam,adamw,adam_amsgrad}.safetensors: a (5, 3) float64 parameter
updated for 4 steps by torch.optim.Adam / AdamW with given gradients, in the schema of
../shared/parity (param/p0, in/grad0..3, out/p1..4; settings in the metadata, as strings).
The Swift side (ParityRunner, ops "adam" and "adamw") replays the gradients and compares
every element.

Never run in CI; needs PyTorch only (no numpy). Usage:
    /work/torch213/bin/python Benchmarks/peers-extra/make_optimizer_fixtures.py [folder]
"""
import json, os, struct, sys
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_f64 import write

def case(path, op, make, settings, steps=4, seed=0):
    torch.manual_seed(seed)
    p = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
    grads = [torch.randn(5, 3, dtype=torch.float64) for _ in range(steps)]
    tensors = {"param/p0": p.detach().clone()}
    optimizer = make([p])
    for i, g in enumerate(grads):
        tensors["in/grad%d" % i] = g
        optimizer.zero_grad(); p.grad = g.clone(); optimizer.step()
        tensors["out/p%d" % (i + 1)] = p.detach().clone()
    metadata = {"op": json.dumps(op), "steps": str(steps)}
    metadata.update({k: json.dumps(v) if isinstance(v, bool) else str(v) for k, v in settings.items()})
    write(path, tensors, metadata)

folder = sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures"
os.makedirs(folder, exist_ok=True)
s = {"lr": 0.01, "beta1": 0.9, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.05, "amsgrad": False}
case(os.path.join(folder, "adam.safetensors"), "adam",
     lambda ps: torch.optim.Adam(ps, lr=s["lr"], betas=(s["beta1"], s["beta2"]), eps=s["eps"], weight_decay=s["weight_decay"]), s)
case(os.path.join(folder, "adamw.safetensors"), "adamw",
     lambda ps: torch.optim.AdamW(ps, lr=s["lr"], betas=(s["beta1"], s["beta2"]), eps=s["eps"], weight_decay=s["weight_decay"]), s, seed=1)
a = dict(s, amsgrad=True)
case(os.path.join(folder, "adam_amsgrad.safetensors"), "adam",
     lambda ps: torch.optim.Adam(ps, lr=a["lr"], betas=(a["beta1"], a["beta2"]), eps=a["eps"], weight_decay=a["weight_decay"], amsgrad=True), a, seed=2)
print("wrote", folder)
