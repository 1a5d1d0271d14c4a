#!/usr/bin/env python3
"""PyTorch peer of conv-bench: times torch.nn.functional.conv2d (float32) forward, and
forward+backward with gradients for input, weight and bias, with the same arguments and
the same JSON keys, so the two can be run side by side.

    python torch_conv_bench.py --batch 8 --in 64 --out 64 --kernel 5 --side 112 --threads 2 --json
    python torch_conv_bench.py --paper --threads 2

Median of --reps runs after one warm-up. FLOPs: forward 2*N*O*OH*OW*C*KH*KW, forward+backward
3x that. Bad arguments exit with status 2 (argparse). Not run in CI (needs torch).
"""
import argparse
import json
import statistics
import sys
import time

PAPER = [  # Table II classifier layers: (name, in, out, kernel, side), batch 8, 'same' padding
    ("Ori-Conv1-a", 1, 64, 5, 112),
    ("Ori-Conv1-b", 64, 64, 5, 112),
    ("Conv2-a", 64, 128, 3, 56),
    ("Conv2-b", 128, 128, 3, 56),
    ("Conv3-a", 128, 256, 3, 28),
    ("Ori-Conv3-b", 256, 256, 3, 28),
    ("Conv4", 256, 512, 3, 14),
    ("Conv5", 512, 128, 1, 7),
]


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--in", dest="in_channels", type=int)
    p.add_argument("--out", dest="out_channels", type=int)
    p.add_argument("--kernel", type=int)
    p.add_argument("--side", type=int)
    p.add_argument("--stride", type=int, default=1)
    p.add_argument("--padding", type=int, help="default kernel//2")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--threads", type=int)
    p.add_argument("--name", default=None)
    p.add_argument("--json", action="store_true")
    p.add_argument("--paper", action="store_true")
    a = p.parse_args(argv)
    if a.reps < 1:
        p.error("--reps must be at least 1")
    if a.threads is not None and a.threads < 1:
        p.error("--threads must be at least 1")
    if a.batch < 1:
        p.error("--batch must be at least 1")
    if a.paper:
        given = [f for f, v in (("--in", a.in_channels), ("--out", a.out_channels), ("--kernel", a.kernel),
                                ("--side", a.side), ("--padding", a.padding), ("--name", a.name)) if v is not None]
        if given or a.stride != 1:
            p.error("--paper takes no %s: the shapes are preset" % ", ".join(given or ["--stride"]))
        shapes = [dict(name=n, batch=a.batch, in_channels=c, out_channels=o, kernel=k, stride=1, padding=k // 2, side=s)
                  for n, c, o, k, s in PAPER]
    else:
        missing = [f for f, v in (("--in", a.in_channels), ("--out", a.out_channels), ("--kernel", a.kernel),
                                  ("--side", a.side)) if v is None]
        if missing:
            p.error("missing %s (or use --paper)" % ", ".join(missing))
        padding = a.kernel // 2 if a.padding is None else a.padding
        for flag, v in (("--in", a.in_channels), ("--out", a.out_channels), ("--kernel", a.kernel),
                        ("--side", a.side), ("--stride", a.stride)):
            if v < 1:
                p.error("%s must be at least 1, got %d" % (flag, v))
        if padding < 0:
            p.error("--padding must be at least 0, got %d" % padding)
        if a.side + 2 * padding < a.kernel:
            p.error("kernel %d does not fit the padded input %d+2*%d" % (a.kernel, a.side, padding))
        shapes = [dict(name=a.name or "custom", batch=a.batch, in_channels=a.in_channels,
                       out_channels=a.out_channels, kernel=a.kernel, stride=a.stride, padding=padding, side=a.side)]
    return a, shapes


def median_seconds(reps, body):
    body()  # warm-up
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        body()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def measure(torch, F, s, reps):
    g = torch.Generator().manual_seed(2024)
    n, c, o, k, h = s["batch"], s["in_channels"], s["out_channels"], s["kernel"], s["side"]
    oh = (h + 2 * s["padding"] - k) // s["stride"] + 1
    x0 = torch.randn(n, c, h, h, generator=g, dtype=torch.float32)
    w0 = torch.randn(o, c, k, k, generator=g, dtype=torch.float32) / (c * k * k) ** 0.5
    b0 = torch.randn(o, generator=g, dtype=torch.float32) * 0.1
    dy = torch.randn(n, o, oh, oh, generator=g, dtype=torch.float32)

    def forward():
        with torch.no_grad():
            F.conv2d(x0, w0, b0, stride=s["stride"], padding=s["padding"])

    x = x0.clone().requires_grad_(True)
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)

    def forward_backward():
        x.grad = w.grad = b.grad = None
        y = F.conv2d(x, w, b, stride=s["stride"], padding=s["padding"])
        y.backward(dy)

    fwd = median_seconds(reps, forward)
    fb = median_seconds(reps, forward_backward)
    flops = 2.0 * n * o * oh * oh * c * k * k
    core = "torch-%s/%s" % (torch.__version__, torch.backends.cpu.get_cpu_capability())
    return {
        "name": s["name"], "batch": n, "in": c, "out": o, "kernel": k, "stride": s["stride"],
        "padding": s["padding"], "side": h, "forward_s": fwd, "forward_backward_s": fb,
        "forward_gflops": flops / fwd / 1e9, "forward_backward_gflops": 3 * flops / fb / 1e9,
        "threads": torch.get_num_threads(), "core": core,
    }


def main(argv):
    args, shapes = parse(argv)
    import torch
    import torch.nn.functional as F
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    if not args.json:
        print("F.conv2d float32, torch %s (%s), %d threads, median of %d after 1 warm-up"
              % (torch.__version__, torch.backends.cpu.get_cpu_capability(), torch.get_num_threads(), args.reps))
        print("%-12s %-30s %10s %10s %10s %10s" % ("name", "shape", "fwd s", "fwd GF/s", "f+b s", "f+b GF/s"))
    for s in shapes:
        r = measure(torch, F, s, args.reps)
        if args.json:
            print(json.dumps(r), flush=True)
        else:
            shape = "%d->%d %dx%d s%d p%d @%d N%d" % (r["in"], r["out"], r["kernel"], r["kernel"], r["stride"],
                                                      r["padding"], r["side"], r["batch"])
            print("%-12s %-30s %10.5f %10.1f %10.5f %10.1f" % (r["name"], shape, r["forward_s"], r["forward_gflops"],
                                                              r["forward_backward_s"], r["forward_backward_gflops"]),
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
