"""Writes Tests/Fixtures/{cross_entropy_smoothing,cross_entropy_smoothing_weighted,focal_smoothing}.safetensors:
label-smoothed classification losses in the schema of ../shared/parity's loss cases (in/logits,
in/labels, dout, out/loss, grad/logits; optional in/class_weights; settings in the metadata).
Cross-entropy is PyTorch's own F.cross_entropy(label_smoothing=...). PyTorch has no focal
loss; the focal case is the smoothed target written out, -sum_k q_k w_k (1 - p_k)^gamma log p_k
with q = (1 - e) onehot(y) + e / K, which at gamma 0 is PyTorch's smoothed cross-entropy.

Never run in CI; needs PyTorch only (no numpy). Usage:
    /work/torchenv/bin/python Benchmarks/peers-extra/make_label_smoothing_fixtures.py [folder]
"""
import json, os, sys
import torch
import torch.nn.functional as F
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_f64 import write

def smoothed_focal(logits, y, gamma, epsilon, weight):
    logp = F.log_softmax(logits, 1)
    K = logits.shape[1]
    q = (1 - epsilon) * F.one_hot(y, K).double() + epsilon / K
    terms = -((1 - logp.exp()) ** gamma) * logp
    w = weight if weight is not None else torch.ones(K, dtype=torch.float64)
    return (q * w * terms).sum(1)

def case(path, op, fn, settings, weight=None, reduction="none", N=6, K=7, seed=0):
    torch.manual_seed(seed)
    logits = (2.0 * torch.randn(N, K, dtype=torch.float64)).requires_grad_()
    y = torch.randint(0, K, (N,))
    loss = fn(logits, y, weight, reduction)
    d = torch.randn_like(loss)
    loss.backward(d)
    tensors = {"in/logits": logits, "in/labels": y.double(), "dout": d, "out/loss": loss, "grad/logits": logits.grad}
    if weight is not None:
        tensors["in/class_weights"] = weight
    metadata = {"op": json.dumps(op), "reduction": json.dumps(reduction)}
    metadata.update({k: str(v) for k, v in settings.items()})
    write(path, tensors, metadata)

def cross_entropy(epsilon):
    return lambda l, y, w, r: F.cross_entropy(l, y, weight=w, label_smoothing=epsilon, reduction=r)

def focal(gamma, epsilon):
    def fn(l, y, w, r):
        per = smoothed_focal(l, y, gamma, epsilon, w)
        if r == "none": return per
        if r == "sum": return per.sum()
        return per.sum() / (w[y].sum() if w is not None else per.shape[0])
    return fn

folder = sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures"
os.makedirs(folder, exist_ok=True)
weights = torch.tensor([0.5, 1.0, 2.0, 1.5, 0.25, 1.0, 3.0], dtype=torch.float64)
case(os.path.join(folder, "cross_entropy_smoothing.safetensors"), "cross_entropy", cross_entropy(0.2), {"label_smoothing": 0.2})
case(os.path.join(folder, "cross_entropy_smoothing_weighted.safetensors"), "cross_entropy", cross_entropy(0.3),
     {"label_smoothing": 0.3}, weight=weights, reduction="mean", seed=1)
case(os.path.join(folder, "focal_smoothing.safetensors"), "focal", focal(2.0, 0.2), {"gamma": 2.0, "label_smoothing": 0.2},
     weight=weights, seed=2)
# The written-out focal formula at gamma 0 must be PyTorch's smoothed cross-entropy.
torch.manual_seed(3)
l, y = torch.randn(5, 4, dtype=torch.float64), torch.randint(0, 4, (5,))
w = torch.tensor([1.0, 2.0, 0.5, 1.5], dtype=torch.float64)
assert torch.allclose(smoothed_focal(l, y, 0.0, 0.3, w), F.cross_entropy(l, y, weight=w, label_smoothing=0.3, reduction="none"))
print("wrote", folder)
