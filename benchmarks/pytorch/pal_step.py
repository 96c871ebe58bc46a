#!/usr/bin/python3
"""PyTorch counterpart of the PrivilegedAttribution training-step benchmarks.

Runs with Debian's PyTorch (`apt-get install -y python3-torch python3-torchvision`, then `/usr/bin/python3`).
The same steps as the C# workload (benchmarks/PrivilegedAttribution.Benchmarks/Workloads/ClassifierWorkload.cs),
on the same model, batch, input size and thread count, written with the same tensor operations as the package:

* plain       cross-entropy, backward, SGD step
* pal         PAL at a tapped layer: a forward hook that keeps the layer's output and hands the model a copy (as the
              package's LayerTap does), G = d score / dA with create_graph, G*A, the landmark heatmap rendered at the
              layer's size, Pearson PAL over the channel mean, backward through CE + lambda*PAL, SGD step
* pal_noclone the same, the hook handing the model the layer's own output
* pal_closed  PAL at a layer followed only by global average pooling and the linear layer: G = W[t]/(h*w) in closed
              form, no double backward (ResNet's layer4)
* plain_cl, pal_cl  plain and pal on the batch laid out channels-last (torch.channels_last, as ChannelsLast.Of does
              in C#)

Modes:
  worker   read JSON commands on stdin, one per line, answer one JSON line each on stdout (the C# ratio driver
           interleaves this process's steps with its own, so that both see the same machine):
             {"cmd": "setup", "model": "resnet18", "batch": 16, "size": 112, "threads": 2,
              "keep_freed_memory": true, "zero_grad": "none", ...}
                 (glibc keeps freed memory, as the C# side's --allocator kept; each step drops the gradients
                 (zero_grad(set_to_none=True), as model.zero_grad() in C#) or zeroes them in place ("in-place"))
             {"cmd": "time", "step": "pal", "layer": "layer3", "count": 4}
                 -> {"ms": [612.3, ...], "system_ms": 12.0, "minor_faults": 3100}
             (count consecutive steps, each timed; system time and minor page faults of the whole block, from
             getrusage(RUSAGE_SELF), as the C# side measures its own)
             {"cmd": "quit"}
  memory   in this fresh process: warm up, then for each measured step report two peaks above the level before it:
           the bytes glibc has handed out (mallinfo2, sampled by a thread while the step runs) and the resident
           memory (VmHWM - VmRSS, after malloc_trim and a reset of VmHWM); prints one JSON line.
  profile  torch.profiler table of self CPU time per operator, plain step vs PAL step, and their difference.
"""
import argparse
import ctypes
import json
import resource
import sys
import threading
import time

import torch
import torch.nn.functional as F
import torchvision


# ------------------------------------------------------------------------------------------------ the package's ops
def landmark_heatmap(landmarks, image_h, image_w, out_h, out_w, sigma):
    """(B,K,2) (x,y) input pixels -> (B,1,out_h,out_w), separable Gaussians summed by a batched matrix product."""
    sx, sy = out_w / image_w, out_h / image_h
    x = (landmarks[..., 0] + 0.5) * sx - 0.5
    y = (landmarks[..., 1] + 0.5) * sy - 0.5
    sgx, sgy = sigma * sx, sigma * sy
    columns = torch.arange(out_w, dtype=landmarks.dtype)
    rows = torch.arange(out_h, dtype=landmarks.dtype)
    ex = ((columns - x[..., None]) ** 2 / (-2.0 * sgx * sgx)).exp()          # (B,K,W)
    ey = ((rows - y[..., None]) ** 2 / (-2.0 * sgy * sgy)).exp()             # (B,K,H)
    heat = ey.transpose(1, 2).bmm(ex)                                        # (B,H,W)
    peak = heat.amax((1, 2), keepdim=True)
    heat = torch.where(peak > 0, heat / peak.clamp_min(5e-324), torch.zeros_like(heat))
    return heat[:, None]


def standardize(maps, eps=1e-12):
    centred = maps - maps.mean((2, 3), keepdim=True)
    variance = centred.square().mean((2, 3), keepdim=True)
    constant = variance <= eps
    safe = torch.where(constant, torch.ones_like(variance), variance)
    return (centred * safe.rsqrt()).masked_fill(constant, 0.0)


def pal_loss(attribution, heatmap):
    """Pearson PAL over the mean of the channels, batch mean."""
    maps = attribution.mean(1, keepdim=True)
    return (standardize(maps) * standardize(heatmap)).mean((1, 2, 3)).neg().mean()


# -------------------------------------------------------------------------------------------------------- workload
class Workload:
    def __init__(self, model="resnet18", batch=16, size=112, classes=7, lam=0.5, landmarks=68, seed=20220324,
                 threads=2, zero_grad="none", **_):
        torch.set_num_threads(threads)
        torch.manual_seed(seed)
        if model == "resnet18":
            self.model = torchvision.models.resnet18(num_classes=classes)
        elif model == "vgg11_bn":
            self.model = torchvision.models.vgg11_bn(num_classes=classes)
        else:
            raise ValueError(f"unknown model {model}")
        self.model.train()
        if zero_grad not in ("none", "in-place"):
            raise ValueError(f"zero_grad must be none or in-place, not {zero_grad!r}")
        self.zero_grad_to_none = zero_grad == "none"
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=1e-3, momentum=0.9)
        self.size, self.lam, self.sigma = size, lam, size / 20.0
        self.images = torch.randn(batch, 3, size, size)
        self.images_channels_last = self.images.contiguous(memory_format=torch.channels_last)
        self.labels = torch.randint(classes, (batch,))
        self.landmarks = torch.rand(batch, landmarks, 2) * (size - 1)
        self.modules = dict(self.model.named_modules())
        self.head = self.model.fc if model == "resnet18" else None
        self.captured = None
        self.hook = None
        self.prepared = None

    def prepare(self, step, layer):
        if (step, layer) == self.prepared:
            return
        if self.hook is not None:
            self.hook.remove()
            self.hook = None
        if step not in ("plain", "plain_cl"):
            clone = step != "pal_noclone"

            def keep(_module, _inputs, output):
                self.captured = output
                return output.clone() if clone else None
            self.hook = self.modules[layer].register_forward_hook(keep)
        self.prepared = (step, layer)

    def loss(self, step):
        logits = self.model(self.images_channels_last if step.endswith("_cl") else self.images)
        ce = F.cross_entropy(logits, self.labels)
        if step in ("plain", "plain_cl"):
            return ce
        a, self.captured = self.captured, None
        if step == "pal_closed":
            g = (self.head.weight.index_select(0, self.labels) / (a.shape[2] * a.shape[3]))[..., None, None]
        else:
            score = logits.gather(1, self.labels[:, None]).sum()
            g, = torch.autograd.grad(score, a, retain_graph=True, create_graph=True)
        attribution = g * a
        heatmap = landmark_heatmap(self.landmarks, self.size, self.size, a.shape[2], a.shape[3], self.sigma)
        return ce + self.lam * pal_loss(attribution, heatmap)

    def run(self, step, layer):
        self.prepare(step, layer)
        self.optimizer.zero_grad(set_to_none=self.zero_grad_to_none)
        self.loss(step).backward()
        self.optimizer.step()


# ----------------------------------------------------------------------------------------------------------- modes
def keep_freed_memory():
    """glibc keeps freed memory instead of handing large blocks back to the kernel after every step, with the values
    of the C# side's CpuBackend.KeepFreedMemory() (mallopt M_MMAP_MAX = 0, M_MMAP_THRESHOLD = 32 MiB,
    M_TRIM_THRESHOLD = 2^31 - 1), so that both frameworks are compared under the same allocator setting. True when
    glibc accepted all three."""
    libc = ctypes.CDLL("libc.so.6")
    return (libc.mallopt(-4, 0) == 1 and libc.mallopt(-3, 32 << 20) == 1
            and libc.mallopt(-1, 2 ** 31 - 1) == 1)


def cpu_capability():
    """The vector instruction set ATen's kernels run with here ("AVX2", "AVX512", ...), from the build summary."""
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage:" in line:
            return line.split(":", 1)[1].strip()
    return "unknown"


def serve():
    """JSON lines in, JSON lines out; nothing else is written to stdout."""
    workload = None
    for line in sys.stdin:
        command = json.loads(line)
        kind = command.get("cmd")
        try:
            if kind == "setup":
                kept = keep_freed_memory() if command.get("keep_freed_memory") else False
                workload = Workload(**command)
                answer = {"ready": True, "torch": torch.__version__, "torchvision": torchvision.__version__,
                          "threads": torch.get_num_threads(), "cpu_capability": cpu_capability(),
                          "keeps_freed_memory": kept}
            elif kind == "time":
                step, layer, count = command["step"], command.get("layer", ""), int(command.get("count", 1))
                workload.prepare(step, layer)
                times = []
                usage = resource.getrusage(resource.RUSAGE_SELF)
                for _ in range(count):
                    start = time.perf_counter()
                    workload.run(step, layer)
                    times.append((time.perf_counter() - start) * 1e3)
                after = resource.getrusage(resource.RUSAGE_SELF)
                answer = {"ms": times, "system_ms": (after.ru_stime - usage.ru_stime) * 1e3,
                          "minor_faults": after.ru_minflt - usage.ru_minflt}
            elif kind == "quit":
                print(json.dumps({"bye": True}), flush=True)
                return
            else:
                answer = {"error": f"unknown command {kind}"}
        except Exception as error:  # reported to the driver, which stops with the message
            answer = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(answer), flush=True)


class LiveHeapPeak:
    """The peak of the bytes glibc has handed out and not had back (mallinfo2's uordblks + hblkhd, every arena) while
    a piece of work runs, above the level when it started; as the C# probe's LiveHeapPeak. The sampling thread takes
    the GIL only between PyTorch's operators, which release it."""

    class _MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in
                    ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                     "keepcost")]

    _libc = ctypes.CDLL("libc.so.6")
    _libc.mallinfo2.restype = _MallInfo2

    @classmethod
    def live_bytes(cls):
        info = cls._libc.mallinfo2()
        return info.uordblks + info.hblkhd

    def __enter__(self):
        self.start = self.peak = self.live_bytes()
        self.stop = False
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while not self.stop:
            self.peak = max(self.peak, self.live_bytes())

    def __exit__(self, *_):
        self.stop = True
        self.thread.join()
        self.delta = max(0, max(self.peak, self.live_bytes()) - self.start)


def status_bytes(key):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    return -1


def memory(args):
    """Peak resident memory of single steps in this fresh process (see NativeMemory.cs for the method)."""
    libc = ctypes.CDLL("libc.so.6")
    if args.keep_freed_memory and not keep_freed_memory():
        raise RuntimeError("glibc's mallopt refused the allocator setting")
    workload = Workload(**vars(args))
    frozen = [p for name, p in workload.model.named_parameters() if args.freeze and name.startswith(args.freeze + ".")]
    if args.freeze and not frozen:
        raise ValueError(f"the model has no parameter under {args.freeze!r}")
    for parameter in frozen:
        parameter.requires_grad_(False)
    for _ in range(args.warmup):
        workload.run(args.step, args.layer)
    peaks, live_peaks = [], []
    for _ in range(args.repeat):
        libc.malloc_trim(0)
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        before = status_bytes("VmRSS:")
        with LiveHeapPeak() as live:
            workload.run(args.step, args.layer)
        live_peaks.append(live.delta)
        peaks.append(status_bytes("VmHWM:") - before)
    print(json.dumps({"framework": "pytorch", "step": args.step, "frozen_parameters": len(frozen), "rss": before,
                      "zero_grad": args.zero_grad, "peak_delta": peaks, "live_peak_delta": live_peaks,
                      "peak_total": status_bytes("VmHWM:")}))


def profile(args):
    from torch.profiler import profile as run_profile, ProfilerActivity
    workload = Workload(**vars(args))
    tables = {}
    for step in ("plain", "pal"):
        for _ in range(2):
            workload.run(step, args.layer)
        with run_profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(args.steps):
                workload.run(step, args.layer)
        tables[step] = {e.key: e.self_cpu_time_total / 1e3 / args.steps for e in prof.key_averages()}
        print(f"== {step} step: self CPU time per step by operator (ms), top 25")
        for name, ms in sorted(tables[step].items(), key=lambda kv: -kv[1])[:25]:
            print(f"{ms:10.1f}  {name}")
    print("== PAL minus plain (ms per step), top 25")
    names = set(tables["plain"]) | set(tables["pal"])
    diff = {n: tables["pal"].get(n, 0.0) - tables["plain"].get(n, 0.0) for n in names}
    for name, ms in sorted(diff.items(), key=lambda kv: -abs(kv[1]))[:25]:
        print(f"{ms:+10.1f}  {name}")
    print(f"total self CPU per step: plain {sum(tables['plain'].values()):.1f} ms, "
          f"pal {sum(tables['pal'].values()):.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["worker", "memory", "profile"])
    parser.add_argument("--model", default="resnet18")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--size", type=int, default=112)
    parser.add_argument("--layer", default="layer3")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--step", default="pal",
                        choices=["plain", "pal", "pal_noclone", "pal_closed", "plain_cl", "pal_cl"])
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--freeze", default="",
                        help="memory: no gradient for this module's parameters (e.g. layer4), as in the C# probe")
    parser.add_argument("--zero-grad", default="none", choices=["none", "in-place"],
                        help="each step drops the gradients (none, PyTorch 2's default) or zeroes them in place")
    parser.add_argument("--keep-freed-memory", action="store_true",
                        help="glibc keeps freed memory, as CpuBackend.KeepFreedMemory() in C#")
    args = parser.parse_args()
    if args.mode == "worker":
        serve()
    elif args.mode == "memory":
        memory(args)
    else:
        profile(args)


if __name__ == "__main__":
    main()
