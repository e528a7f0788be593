# torch_peers: the PyTorch peer of bench/kiln_bench: the same workloads in fp32 with random weights,
# eager and captured in CUDA graphs, timed the same way (events, median); one JSON object per line.
import argparse
import json
import math
import sys
import time

FP32_FLOPS, TF32_FLOPS, COPY_BYTES = 51e12, 419e12, 2984e9  # measured ceilings (performance-anchors.md)


def emit(**fields):
    print(json.dumps(fields), flush=True)


def setting(read):
    """One precision setting, or the text of the error reading it raised."""
    try:
        return read()
    except Exception as exc:  # the TF32 switches moved between PyTorch releases
        return f"unavailable: {exc}"


def workloads(torch):
    """(name, flops, weight bytes, input shapes with value ranges, function of the input list)."""
    nn, F = torch.nn, torch.nn.functional
    dev = "cuda"
    found = []

    a = math.sqrt(3.0 / 128.0)
    chain_inputs = [((4, 4, 128, 128), -a, a)] * 11
    chain_flops = 20.0 * 2 * 16 * 128 ** 3

    def chains(xs):
        c0 = c1 = xs[0]
        for i in range(1, 11):
            c0 = c0 @ xs[i]
            c1 = c1 @ xs[11 - i]
        return c0, c1

    side = torch.cuda.Stream()

    def chains_two_streams(xs):  # chain 1 on a second stream, as kiln's auxiliary stream does
        main = torch.cuda.current_stream()
        side.wait_stream(main)
        c0 = c1 = xs[0]
        for i in range(1, 11):
            c0 = c0 @ xs[i]
            with torch.cuda.stream(side):
                c1 = c1 @ xs[11 - i]
        main.wait_stream(side)  # the next call's side.wait_stream(main) orders reuse of c1's memory
        return c0, c1

    found.append(("gemm_chains_aux0", chain_flops, 0, chain_inputs, chains))
    found.append(("gemm_chains_aux1", chain_flops, 0, chain_inputs, chains_two_streams))

    class Mnist(nn.Module):  # examples/mnist/mnist_network.h
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(1, 32, 5, padding=2)
            self.c2 = nn.Conv2d(32, 64, 5, padding=2)
            self.f1 = nn.Linear(3136, 1024)
            self.f2 = nn.Linear(1024, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.c1(x)), 2)
            x = F.max_pool2d(F.relu(self.c2(x)), 2)
            x = F.relu(self.f1(x.flatten(1)))
            p = F.softmax(self.f2(x), dim=1)
            return p, p.topk(1, dim=1).indices

    mnist = Mnist().to(dev).eval()
    mnist_flops = 2.0 * (28 * 28 * 32 * 25 + 14 * 14 * 64 * 800 + 3136 * 1024 + 1024 * 10)
    found.append(("mnist_bs1", mnist_flops, 4.0 * sum(p.numel() for p in mnist.parameters()),
                  [((1, 1, 28, 28), 0.0, 1.0)], lambda xs: mnist(xs[0])))

    for n, cin, cout, r, hw in ((8, 64, 1, 3, 256), (8, 64, 64, 9, 128), (8, 64, 256, 3, 128)):
        conv = nn.Conv2d(cin, cout, r, padding=(r - 1) // 2).to(dev).eval()
        flops = 2.0 * n * cout * hw * hw * cin * r * r
        found.append((f"conv{cin}to{cout}_{r}x{r}", flops, 4.0 * sum(p.numel() for p in conv.parameters()),
                      [((n, cin, hw, hw), -1.0, 1.0)],
                      lambda xs, conv=conv: (F.relu(conv(xs[0]), inplace=True),)))
    return found


def as_tuple(out):
    return out if isinstance(out, tuple) else (out,)


def time_runs(torch, calls, args):
    """Each run starts on an idle GPU, is bracketed by events and uses the next input set; median."""
    for i in range(max(10, 3 * len(calls))):
        calls[i % len(calls)]()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times, t0, i = [], time.time(), 0
    while i < args.runs and (i < 10 or time.time() - t0 < args.measure_s):
        torch.cuda.synchronize()
        start.record()
        calls[i % len(calls)]()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) * 1e3)
        i += 1
    times.sort()
    return times[len(times) // 2], times[0], len(times)


def run_workload(torch, name, flops, weight_bytes, input_specs, fn, l2_bytes, args):
    gen = torch.Generator(device="cuda")

    def make_set(index):
        xs = []
        for k, (shape, lo, hi) in enumerate(input_specs):
            gen.manual_seed(100 * index + k + 1)
            xs.append(torch.rand(shape, device="cuda", generator=gen) * (hi - lo) + lo)
        return xs

    first = make_set(0)
    ref = [o.clone() for o in as_tuple(fn(first))]
    torch.cuda.synchronize()
    in_bytes = sum(x.numel() * 4 for x in first)
    out_bytes = sum(o.numel() * 4 for o in ref)
    for o in ref:
        if o.is_floating_point() and not torch.isfinite(o).all():
            raise RuntimeError("eager output has NaN/Inf")
    io_bytes = in_bytes + out_bytes
    nsets = 1 if io_bytes >= l2_bytes else min(8, math.ceil(2.0 * l2_bytes / io_bytes))
    sets = [first] + [make_set(s) for s in range(1, nsets)]

    # One CUDA graph per input set (warm-up on a side stream first, as PyTorch asks).
    graphs, graph_outs = [], []
    for xs in sets:
        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s):
            for _ in range(3):
                fn(xs)
        torch.cuda.current_stream().wait_stream(s)
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g):
            outs = as_tuple(fn(xs))
        graphs.append(g)
        graph_outs.append(outs)
    for o in graph_outs[0]:
        o.fill_(-1)
    graphs[0].replay()
    torch.cuda.synchronize()
    graph_diff = max(float((g.double() - r.double()).abs().max()) for g, r in zip(graph_outs[0], ref))

    eager = time_runs(torch, [lambda xs=xs: fn(xs) for xs in sets], args)
    graph = time_runs(torch, [g.replay for g in graphs], args)
    nbytes = in_bytes + out_bytes + weight_bytes
    mem_us = nbytes / COPY_BYTES * 1e6
    emit(kind="torch", workload=name, flops=flops, bytes=nbytes,
         floor_fp32_us=max(flops / FP32_FLOPS * 1e6, mem_us), floor_tf32_us=max(flops / TF32_FLOPS * 1e6, mem_us),
         eager_us=eager[0], eager_min_us=eager[1], graph_us=graph[0], graph_min_us=graph[1], runs=eager[2],
         input_sets=nsets, graph_vs_eager_max_abs=graph_diff)
    del graphs, graph_outs, sets


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated workload names")
    parser.add_argument("--runs", type=int, default=200, help="most timed runs per measurement")
    parser.add_argument("--measure-s", type=float, default=1.0, help="time spent per measurement")
    args = parser.parse_args()
    try:
        import torch
        if not torch.cuda.is_available():
            raise RuntimeError("torch.cuda.is_available() is False")
    except Exception as exc:
        emit(kind="torch_meta", error=f"PyTorch with CUDA: {exc}")
        return 1
    torch.manual_seed(0)
    props = torch.cuda.get_device_properties(0)
    l2_bytes = getattr(props, "L2_cache_size", 50 * 2 ** 20)
    emit(kind="torch_meta", torch=torch.__version__, gpu=props.name, cuda=torch.version.cuda,
         cudnn=setting(torch.backends.cudnn.version), l2_bytes=l2_bytes,
         matmul_allow_tf32=setting(lambda: torch.backends.cuda.matmul.allow_tf32),
         cudnn_allow_tf32=setting(lambda: torch.backends.cudnn.allow_tf32),
         float32_matmul_precision=setting(torch.get_float32_matmul_precision),
         matmul_fp32_precision=setting(lambda: torch.backends.cuda.matmul.fp32_precision),
         cudnn_conv_fp32_precision=setting(lambda: torch.backends.cudnn.conv.fp32_precision),
         cudnn_benchmark=torch.backends.cudnn.benchmark)
    only = set(filter(None, args.only.split(",")))
    failures = 0
    with torch.no_grad():
        try:
            found = workloads(torch)
        except Exception as exc:
            emit(kind="torch", workload="setup", error=f"{type(exc).__name__}: {exc}")
            return 1
        for name, flops, weight_bytes, specs, fn in found:
            if only and name not in only:
                continue
            try:
                run_workload(torch, name, flops, weight_bytes, specs, fn, l2_bytes, args)
            except Exception as exc:
                emit(kind="torch", workload=name, error=f"{type(exc).__name__}: {exc}")
                failures += 1
            torch.cuda.empty_cache()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
