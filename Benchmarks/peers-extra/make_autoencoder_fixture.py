"""Writes Tests/Fixtures/asymae_side112.safetensors: the peer's AsymAE (Table I) at side
112 in float64, with deterministic "formula" weights that the Swift test recomputes, so
the file holds only the input and the results (about 1.3 MB instead of 7 MB of weights).

Never run in CI; needs PyTorch only. Usage:
    /work/torch-venv/bin/python Benchmarks/peers-extra/make_autoencoder_fixture.py [out.safetensors]

Weight formula (the Swift side, ModelTests.formulaValue, must match exactly): for the
tensor `name` of shape `shape`, element i (row-major),
    phase = (sum of the UTF-8 bytes of name) % 997 * 0.01
    t = sin(0.7071 * i + phase)
    running_var -> 1 + 0.25 * (1 + t);  running_mean -> 0.1 * t
    other rank-1 `.weight` (batch norm scale) -> 1 + 0.2 * t;  other rank 1 -> 0.1 * t
    rank >= 2 -> t * sqrt(3 / (numel / shape[0]))
math.sin is glibc's sin, the same function Foundation's sin calls on Linux.

Contents: in/x (2,1,112,112); evaluation mode (dropout off, running statistics):
out/code, out/feature4 (E-Conv-d output), out/level0..2 (D-FC, D-TConv-c, -b), out/image;
then training mode with every dropout rate set to 0 (batch statistics): out/train_loss
(eq. 4 with alpha [4,1,1,1,1], the peer's pairing), grad/x and grad/<param> for a few
parameters, and buf/<name> for running statistics after that forward.
"""
import json, math, os, struct, sys
sys.path.insert(0, '/work/shared/peers')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch, torch.nn as nn, torch.nn.functional as F
from torch_models import AsymAE
from safetensors_f64 import write

def formula(name, shape):
    phase = (sum(name.encode()) % 997) * 0.01
    n = math.prod(shape)
    t = [math.sin(0.7071 * i + phase) for i in range(n)]
    if name.endswith('running_var'): v = [1 + 0.25 * (1 + u) for u in t]
    elif name.endswith('running_mean'): v = [0.1 * u for u in t]
    elif len(shape) == 1 and name.endswith('.weight'): v = [1 + 0.2 * u for u in t]
    elif len(shape) == 1: v = [0.1 * u for u in t]
    else:
        s = math.sqrt(3 / (n / shape[0]))
        v = [u * s for u in t]
    return torch.tensor(v, dtype=torch.float64).reshape(shape)

torch.manual_seed(0)
ae = AsymAE().double()
with torch.no_grad():
    for name, t in ae.state_dict().items():
        if name.endswith('num_batches_tracked'): continue
        t.copy_(formula(name, list(t.shape)))
x = torch.randn(2, 1, 112, 112, dtype=torch.float64)
out = {"in/x": x}
ae.eval()
with torch.no_grad():
    z, feats = ae.encode(x); img, rec = ae.decode(z)
out.update({"out/code": z, "out/feature4": feats[4], "out/level0": rec[0], "out/level1": rec[1], "out/level2": rec[2], "out/image": img})
ae.train()
for m in ae.modules():
    if isinstance(m, nn.Dropout): m.p = 0.0
xg = x.clone().requires_grad_(True)
z, feats = ae.encode(xg); r, rec = ae.decode(z)
loss = 4 * F.mse_loss(r, xg) + sum(F.mse_loss(a, b) for a, b in zip(rec, reversed(feats[1:])))
loss.backward()
out["out/train_loss"] = loss.detach().reshape([])
out["grad/x"] = xg.grad
params = dict(ae.named_parameters())
for name in ["e.0.0.weight", "e.3.1.weight", "efc.bias", "dfc.bias", "d.0.0.weight", "d.3.0.bias", "d.1.2.b2.bias", "out.1.c1.weight", "out.0.bias"]:
    out["grad/" + name] = params[name].grad
bufs = dict(ae.named_buffers())
for name in ["e.0.1.running_mean", "e.3.1.running_var", "out.1.b2.running_var"]:
    out["buf/" + name] = bufs[name]
path = sys.argv[1] if len(sys.argv) > 1 else 'Tests/Fixtures/asymae_side112.safetensors'
write(path, out, {"model": "AsymAE", "torch": torch.__version__, "weights": "formula, see make_autoencoder_fixture.py"})
print(path, sum(t.numel() for t in out.values()) * 8, "bytes of data; loss", float(loss))
