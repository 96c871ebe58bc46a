#!/usr/bin/python3
"""Independent PyTorch reference for the PrivilegedAttribution C# tests.

Regenerate (from the repository root, with Debian's PyTorch: `apt-get install -y python3-torch`):

    /usr/bin/python3 tests/PrivilegedAttribution.Tests/Reference/make_reference.py

It writes `reference.json` next to this file. The output is deterministic (fixed seeds, float64 only);
the script first runs self-checks (gradcheck, finite differences, a loop-based re-implementation) and
aborts with an AssertionError before writing anything if the reference itself is wrong.

Everything here is written from the design notes (DESIGN.md, section "Numerics"), in plain torch ops, without
looking at the C# code, so that the two implementations can disagree.

JSON conventions:
* a tensor is {"shape": [...], "data": [flat row-major list]}; a scalar has shape [] and one datum;
  int tensors hold ints, bool tensors hold 0/1.
* non-finite floats are written as the *strings* "NaN", "Infinity", "-Infinity" (strict JSON has no
  literal for them). Only heatmap landmarks use this: an invisible landmark whose coordinates are NaN.
* one case per line, so that a regenerated fixture diffs readably.
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
EPS = 1e-12
HERE = os.path.dirname(os.path.abspath(__file__))


# ----------------------------------------------------------------------------------------------- numerics
def landmark_heatmap(landmarks, image_h, image_w, out_h, out_w, sigma, visible=None, combine="Sum"):
    """(B,K,2) (x,y) input pixels -> (B,1,out_h,out_w), rendered directly on the output grid."""
    b, k, _ = landmarks.shape
    if visible is None:
        visible = torch.ones(b, k, dtype=torch.bool)
    if not torch.isfinite(landmarks[visible]).all():
        raise ValueError("non-finite coordinate on a visible landmark")
    # Zero the invisible coordinates first: NaN * 0 would still be NaN after masking the Gaussian.
    lm = torch.where(visible[..., None], landmarks, torch.zeros_like(landmarks))
    sx, sy = out_w / image_w, out_h / image_h
    xp = (lm[..., 0] + 0.5) * sx - 0.5
    yp = (lm[..., 1] + 0.5) * sy - 0.5
    sgx, sgy = sigma * sx, sigma * sy
    j = torch.arange(out_w, dtype=torch.float64)
    i = torch.arange(out_h, dtype=torch.float64)
    ex = (j - xp[..., None]) ** 2 / (2 * sgx * sgx)                         # (B,K,W)
    ey = (i - yp[..., None]) ** 2 / (2 * sgy * sgy)                         # (B,K,H)
    g = torch.exp(-(ey[..., :, None] + ex[..., None, :]))                    # (B,K,H,W)
    g = g * visible[..., None, None]
    h = g.sum(1) if combine == "Sum" else g.amax(1)
    peak = h.amax(dim=(1, 2), keepdim=True)
    # No visible landmark (or all underflowed to 0): all-zero map rather than 0/0.
    h = torch.where(peak > 0, h / torch.where(peak > 0, peak, torch.ones_like(peak)), torch.zeros_like(h))
    return h[:, None]


def _standardise(maps, eps):
    """(..., h, w) -> z (..., h*w) and the per-map 'constant' mask (population variance <= eps)."""
    flat = maps.flatten(-2)
    d = flat - flat.mean(-1, keepdim=True)
    var = (d * d).mean(-1, keepdim=True)
    const = var <= eps
    # Both branches of `where` are differentiated: divide by 1, not by sqrt(0), in the unused one.
    safe = torch.where(const, torch.ones_like(var), var)
    return torch.where(const, torch.zeros_like(d), d / torch.sqrt(safe)), const


def channel_maps(attribution, strategy, fraction=None):
    c = attribution.shape[1]
    if strategy == "Mean":
        return attribution.mean(1, keepdim=True)
    if strategy == "AllChannels":
        return attribution
    if strategy == "FirstFraction":
        n = min(c, max(1, math.ceil(fraction * c)))
        return attribution[:, :n].mean(1, keepdim=True)
    raise ValueError(strategy)


def pal_loss(attribution, heatmap, strategy="Mean", fraction=None, normalization="Pearson",
             reduction="Mean", eps=EPS):
    maps = channel_maps(attribution, strategy, fraction)                     # (B,M,h,w)
    n = maps.shape[-1] * maps.shape[-2]
    z, _ = _standardise(maps, eps)                                           # (B,M,N)
    hz, hconst = _standardise(heatmap, eps)                                  # (B,1,N)
    if normalization == "Pearson":
        per_sample = (-(z * hz).sum(-1) / n).mean(1)
    elif normalization == "CrossCorrelation":
        # sum(z) == 0, so a constant heatmap gives 0 in exact arithmetic; zeroing it makes that exact.
        h = torch.where(hconst, torch.zeros_like(hz), heatmap.flatten(-2))
        per_sample = (-(z * h).sum(-1)).sum(1)
    else:
        raise ValueError(normalization)
    if reduction == "Mean":
        return per_sample.mean()
    if reduction == "Sum":
        return per_sample.sum()
    if reduction == "None":
        return per_sample
    raise ValueError(reduction)


def attribution_map(logits, activation, target, method, target_kind, first_order_only=False):
    if target_kind == "TrueClass":
        s = logits.gather(1, target[:, None])[:, 0]
    elif target_kind == "PredictedClass":
        s = logits.gather(1, logits.detach().argmax(1, keepdim=True))[:, 0]
    elif target_kind == "SumOfLogits":
        s = logits.sum(1)
    elif target_kind == "SumOfLogProbabilities":
        s = F.log_softmax(logits, 1).sum(1)
    else:
        raise ValueError(target_kind)
    g = torch.autograd.grad(s.sum(), activation, create_graph=True, retain_graph=True)[0]
    if first_order_only:            # what a PAL that loses the second-order path computes
        g = g.detach()
    if method == "GradientXActivation":
        return g * activation
    if method == "Gradient":
        return g
    if method == "AbsGradientXActivation":
        return g.abs() * activation
    raise ValueError(method)


# ---------------------------------------------------------------------------------------------- the model
class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 3, 3, padding=1, bias=True)
        self.bn1 = nn.BatchNorm2d(3, eps=1e-5)
        self.conv2 = nn.Conv2d(3, 4, 3, padding=1, bias=True)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        a = self.conv2(F.relu(self.bn1(self.conv1(x))))                     # tapped, pre-activation
        logits = self.fc(torch.flatten(F.adaptive_avg_pool2d(torch.tanh(a), 1), 1))
        return logits, a


def make_model():
    torch.manual_seed(1234)
    m = SmallCnn().double().eval()          # eval: BN uses running stats, samples stay independent
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(0.5 * torch.randn_like(p))
        m.bn1.weight.add_(1.0)              # keep BN gains away from 0
        m.bn1.running_mean.copy_(0.3 * torch.randn(3))
        m.bn1.running_var.copy_(0.5 + torch.rand(3))
    x = torch.randn(2, 1, 6, 6)
    target = torch.tensor([2, 0], dtype=torch.int64)
    landmarks = torch.tensor([[[1.0, 2.0], [4.5, 1.0], [3.0, 4.5]],
                              [[0.0, 0.0], [5.0, 3.0], [2.5, 5.5]]])
    return m, x, target, landmarks


def model_total(m, x, target, heatmap, method, kind, strategy, fraction, normalization, lam,
                first_order_only=False):
    logits, a = m(x)
    att = attribution_map(logits, a, target, method, kind, first_order_only)
    ce = F.cross_entropy(logits, target)
    pal = pal_loss(att, heatmap, strategy, fraction, normalization, "Mean")
    return ce, pal, ce + lam * pal, att


# ------------------------------------------------------------------------------------------- self-checks
def pal_loop(att, hm, strategy, fraction, normalization, eps=EPS):
    """Per-sample PAL written map by map with scalar arithmetic, to cross-check pal_loss's forward."""
    out = []
    for b in range(att.shape[0]):
        c = att.shape[1]
        if strategy == "AllChannels":
            maps = [att[b, k].flatten().tolist() for k in range(c)]
        else:
            n = c if strategy == "Mean" else math.ceil(fraction * c)
            maps = [att[b, :n].mean(0).flatten().tolist()]
        hv = hm[b, 0].flatten().tolist()

        def std(v):
            mu = sum(v) / len(v)
            var = sum((t - mu) ** 2 for t in v) / len(v)
            return [0.0] * len(v) if var <= eps else [(t - mu) / math.sqrt(var) for t in v]
        terms = []
        for a in maps:
            z = std(a)
            if normalization == "Pearson":
                terms.append(-sum(p * q for p, q in zip(z, std(hv))) / len(z))
            else:
                terms.append(-sum(p * q for p, q in zip(z, hv)))
        out.append(sum(terms) / len(terms) if normalization == "Pearson" else sum(terms))
    return torch.tensor(out)


def self_check():
    torch.manual_seed(99)
    att = torch.randn(3, 5, 3, 4, requires_grad=True)
    hm = torch.rand(3, 1, 3, 4, requires_grad=True)
    for cfg in [("Mean", None, "Pearson", "Mean"), ("FirstFraction", 0.3, "CrossCorrelation", "None"),
                ("AllChannels", None, "Pearson", "Sum"), ("FirstFraction", 0.5, "Pearson", "None")]:
        assert torch.autograd.gradcheck(lambda a, h: pal_loss(a, h, *cfg), (att, hm)), cfg
        ref = pal_loop(att.detach(), hm.detach(), cfg[0], cfg[1], cfg[2])
        got = pal_loss(att, hm, cfg[0], cfg[1], cfg[2], "None")
        assert torch.allclose(got, ref, rtol=1e-12, atol=1e-12), cfg

    # Heatmap against a scalar loop over pixels, on a non-square, anisotropic-scale case.
    lm = torch.tensor([[[10.0, 30.0], [90.0, 5.0], [-8.0, 120.0]]])
    vis = torch.tensor([[True, True, False]])
    for comb in ("Sum", "Max"):
        hm = landmark_heatmap(lm, 112, 96, 7, 5, 9.0, vis, comb)[0, 0]
        ref = torch.zeros(7, 5)
        sx, sy = 9.0 * 5 / 96, 9.0 * 7 / 112
        for i in range(7):
            for j in range(5):
                vals = [math.exp(-((j - ((x + 0.5) * 5 / 96 - 0.5)) ** 2 / (2 * sx * sx)
                                   + (i - ((y + 0.5) * 7 / 112 - 0.5)) ** 2 / (2 * sy * sy)))
                        for (x, y) in lm[0, :2].tolist()]
                ref[i, j] = sum(vals) if comb == "Sum" else max(vals)
        assert torch.allclose(hm, ref / ref.max(), rtol=1e-13, atol=0), comb

    # Finite differences of the full objective (second-order path included) w.r.t. conv2.weight.
    m, x, target, lms = make_model()
    heat = landmark_heatmap(lms, 6, 6, 6, 6, 1.5)
    args = ("GradientXActivation", "TrueClass", "Mean", None, "Pearson", 0.7)
    total = model_total(m, x, target, heat, *args)[2]
    analytic = torch.autograd.grad(total, m.conv2.weight)[0]
    first_order = torch.autograd.grad(model_total(m, x, target, heat, *args, first_order_only=True)[2],
                                      m.conv2.weight)[0]
    flat, h = m.conv2.weight.detach().view(-1), 1e-6     # shares storage with the parameter
    fd = torch.zeros_like(flat)
    for idx in range(flat.numel()):
        flat[idx] += h
        up = model_total(m, x, target, heat, *args)[2].item()
        flat[idx] -= 2 * h
        down = model_total(m, x, target, heat, *args)[2].item()
        flat[idx] += h
        fd[idx] = (up - down) / (2 * h)
    fd, scale = fd.view_as(analytic), analytic.abs().max().item()
    assert (fd - analytic).abs().max().item() < 1e-7 * max(1.0, scale)
    # ...and a PAL that drops the path through G is measurably wrong.
    assert (fd - first_order).abs().max().item() > 1e-2 * scale


# ------------------------------------------------------------------------------------------------ output
def T(t):
    t = t.detach()
    if t.dtype == torch.bool:
        data = [int(v) for v in t.flatten().tolist()]
    elif t.is_floating_point():
        data = [v if math.isfinite(v) else ("NaN" if v != v else ("Infinity" if v > 0 else "-Infinity"))
                for v in t.flatten().tolist()]
    else:
        data = [int(v) for v in t.flatten().tolist()]
    return {"shape": list(t.shape), "data": data}


def heatmap_cases():
    cases = []

    def add(name, lm, vis, ih, iw, oh, ow, sigma, combine):
        cases.append({"name": name, "landmarks": T(lm), "visible": None if vis is None else T(vis),
                      "image_h": ih, "image_w": iw, "out_h": oh, "out_w": ow, "sigma": sigma,
                      "combine": combine,
                      "heatmap": T(landmark_heatmap(lm, ih, iw, oh, ow, sigma, vis, combine))})

    lm = torch.tensor([[[20.0, 30.0], [70.0, 35.0], [48.0, 90.0], [-10.0, 120.0]],
                       [[95.5, 0.0], [0.0, 111.0], [50.0, 56.0], [130.0, -20.0]]])
    add("nonsquare_112x96_to_14x12_sum_outside", lm, None, 112, 96, 14, 12, 6.0, "Sum")
    add("nonsquare_112x96_to_14x12_max_outside", lm, None, 112, 96, 14, 12, 6.0, "Max")
    # Sample 0: one invisible landmark with NaN coordinates; sample 2: nothing visible -> all zeros.
    lm = torch.tensor([[[30.0, 40.0], [float("nan"), float("nan")], [60.0, 70.0], [10.0, 100.0]],
                       [[-15.0, 50.0], [80.0, 20.0], [40.0, 130.0], [47.5, 55.5]],
                       [[30.0, 30.0], [60.0, 60.0], [90.0, 90.0], [5.0, 5.0]]])
    vis = torch.tensor([[True, False, True, False], [True, True, True, True], [False] * 4])
    add("anisotropic_112x96_to_7x7_sum_invisible_nan", lm, vis, 112, 96, 7, 7, 8.0, "Sum")
    add("anisotropic_112x96_to_7x7_max_invisible_nan", lm, vis, 112, 96, 7, 7, 8.0, "Max")
    lm = torch.tensor([[[1.0, 2.0], [4.0, 0.5], [2.5, 5.0]]])
    add("upsample_6x5_to_12x10_sum", lm, None, 6, 5, 12, 10, 1.0, "Sum")

    # Plausible iBUG-68 faces: a fixed template (unit square), a random similarity transform and jitter.
    def arc(n, cx, cy, rx, ry, a0, a1):
        t = torch.linspace(a0, a1, n)
        return torch.stack([cx + rx * torch.cos(t), cy + ry * torch.sin(t)], 1)
    pi = math.pi
    tpl = torch.cat([
        arc(17, 0.5, 0.45, 0.45, 0.5, pi, 0.0),                                       # jaw 0-16
        arc(5, 0.30, 0.30, 0.12, 0.05, pi, 2 * pi), arc(5, 0.70, 0.30, 0.12, 0.05, pi, 2 * pi),  # brows
        torch.stack([torch.full((4,), 0.5), torch.linspace(0.38, 0.58, 4)], 1),      # nose bridge
        torch.stack([torch.linspace(0.42, 0.58, 5), torch.full((5,), 0.63)], 1),      # nostrils
        arc(6, 0.32, 0.40, 0.07, 0.03, pi, 3 * pi - pi / 3),                          # eyes 36-47
        arc(6, 0.68, 0.40, 0.07, 0.03, pi, 3 * pi - pi / 3),
        arc(12, 0.5, 0.78, 0.16, 0.07, pi, 3 * pi - pi / 6),                          # mouth outer
        arc(8, 0.5, 0.78, 0.10, 0.03, pi, 3 * pi - pi / 4),                           # mouth inner
    ])
    assert tpl.shape == (68, 2)
    torch.manual_seed(7)
    faces = []
    for _ in range(2):
        scale = 70 + 15 * torch.rand(1)
        ang = 0.2 * (torch.rand(1) - 0.5)
        rot = torch.tensor([[math.cos(ang), -math.sin(ang)], [math.sin(ang), math.cos(ang)]])
        pts = (tpl - 0.5) @ rot.T * scale + torch.tensor([48.0, 56.0]) + 6 * (torch.rand(2) - 0.5)
        faces.append(pts + 1.0 * torch.randn(68, 2))
    faces = torch.stack(faces)
    add("face68_112x96_to_14x12_sum", faces, None, 112, 96, 14, 12, 4.0, "Sum")
    vis = torch.rand(2, 68) > 0.2
    add("face68_112x96_to_7x6_max_partly_visible", faces, vis, 112, 96, 7, 6, 5.0, "Max")
    return cases


def pal_cases():
    torch.manual_seed(2024)
    b, c, h, w = 3, 5, 3, 4
    cases = []

    def add(name, att, hm, strategy, fraction, normalization, reduction):
        att = att.detach().clone().requires_grad_(True)
        loss = pal_loss(att, hm, strategy, fraction, normalization, reduction)
        grad = torch.autograd.grad(loss.sum(), att)[0]
        assert torch.isfinite(loss).all() and torch.isfinite(grad).all(), name
        cases.append({"name": name, "attribution": T(att), "heatmap": T(hm), "strategy": strategy,
                      "fraction": fraction, "normalization": normalization, "reduction": reduction,
                      "eps": EPS, "loss": T(loss), "grad_attribution": T(grad)})
        return loss, grad

    att = torch.randn(b, c, h, w)
    hm = torch.rand(b, 1, h, w)
    reductions = iter(["Mean", "Sum", "None"] * 4)
    for strategy, fraction in [("Mean", None), ("AllChannels", None), ("FirstFraction", 0.5),
                               ("FirstFraction", 0.3)]:
        for norm in ("Pearson", "CrossCorrelation"):
            red = next(reductions)
            tag = strategy if fraction is None else f"{strategy}{fraction}"
            add(f"{tag}_{norm}_{red}", att, hm, strategy, fraction, norm, red)

    # Sample 1 constant everywhere: every map constant -> loss 0, gradient exactly 0.
    att_c = torch.randn(b, c, h, w)
    att_c[1] = 0.3
    # Sample 2: only the first ceil(0.5*5)=3 channels constant; free channels vary.
    att_c[2, :3] = -1.25
    for strategy, fraction, norm in [("Mean", None, "Pearson"), ("Mean", None, "CrossCorrelation"),
                                     ("AllChannels", None, "Pearson"), ("FirstFraction", 0.5, "Pearson"),
                                     ("FirstFraction", 0.5, "CrossCorrelation")]:
        loss, grad = add(f"constant_attribution_{strategy}_{norm}_None", att_c, hm,
                         strategy, fraction, norm, "None")
        assert loss[1] == 0 and (grad[1] == 0).all()
        if strategy == "FirstFraction":
            assert loss[2] == 0 and (grad[2] == 0).all()

    # Sample 0 heatmap constant (non-zero), sample 2 all-zero (no visible landmark).
    hm_c = hm.clone()
    hm_c[0] = 0.5
    hm_c[2] = 0.0
    for norm in ("Pearson", "CrossCorrelation"):
        loss, grad = add(f"constant_heatmap_Mean_{norm}_None", att, hm_c, "Mean", None, norm, "None")
        assert loss[0] == 0 and loss[2] == 0 and (grad[0] == 0).all() and (grad[2] == 0).all()

    # ~1e-5 attributions: variance ~1e-11..1e-10 > eps, so they are standardised, not zeroed,
    # and the loss equals that of the same maps at unit scale (standardisation is scale-free).
    tiny = 1e-5 * torch.randn(b, c, h, w)
    for strategy, norm, red in [("Mean", "Pearson", "None"), ("AllChannels", "CrossCorrelation", "None")]:
        loss, grad = add(f"tiny_scale_{strategy}_{norm}_{red}", tiny, hm, strategy, None, norm, red)
        unit = pal_loss(tiny * 1e5, hm, strategy, None, norm, red)
        assert (loss != 0).all() and torch.allclose(loss, unit, rtol=1e-9, atol=0)
    return cases


def model_cases():
    m, x, target, lms = make_model()
    heat = landmark_heatmap(lms, 6, 6, 6, 6, 1.5, None, "Sum")
    lam = 0.7
    combos = [(meth, "TrueClass", "Mean", None, "Pearson")
              for meth in ("GradientXActivation", "Gradient", "AbsGradientXActivation")]
    combos += [("GradientXActivation", kind, "Mean", None, "Pearson")
               for kind in ("TrueClass", "PredictedClass", "SumOfLogits", "SumOfLogProbabilities")]
    combos += [("GradientXActivation", "TrueClass", s, f, n)
               for s, f in (("Mean", None), ("AllChannels", None), ("FirstFraction", 0.5))
               for n in ("Pearson", "CrossCorrelation")]
    combos = list(dict.fromkeys(combos))            # drop duplicates, keep order
    names = [n for n, _ in m.named_parameters()]
    # PredictedClass must be a distinct case: the prediction differs from the label for some sample,
    # with a clear margin so that float noise cannot flip the argmax on the C# side.
    top2 = m(x)[0].topk(2, 1).values
    assert (m(x)[0].argmax(1) != target).any() and (top2[:, 0] - top2[:, 1] > 0.1).all()
    cases = []
    for meth, kind, strategy, fraction, norm in combos:
        args = (meth, kind, strategy, fraction, norm, lam)
        ce, pal, total, att = model_total(m, x, target, heat, *args)
        grads = torch.autograd.grad(total, list(m.parameters()))
        total_fo = model_total(m, x, target, heat, *args, first_order_only=True)[2]
        assert torch.allclose(total_fo, total, rtol=1e-14, atol=0)  # same value, different gradient
        grads_fo = torch.autograd.grad(total_fo, list(m.parameters()))
        for n, g, gf in zip(names, grads, grads_fo):
            if n.startswith("conv") and n.endswith("weight"):
                assert (g - gf).abs().max() > 1e-4 * g.abs().max(), (meth, kind, n)
        cases.append({
            "name": f"{meth}_{kind}_{strategy}{'' if fraction is None else fraction}_{norm}",
            "method": meth, "target_kind": kind, "strategy": strategy, "fraction": fraction,
            "normalization": norm, "reduction": "Mean", "lambda": lam,
            "attribution": T(att), "heatmap": T(heat), "cross_entropy": T(ce), "pal": T(pal),
            "total": T(total),
            "grads": {n: T(g) for n, g in zip(names, grads)},
            "grads_first_order_only": {n: T(g) for n, g in zip(names, grads_fo)}})
    model = {"weights": {n: T(p) for n, p in m.named_parameters()},
             "bn1_running_mean": T(m.bn1.running_mean), "bn1_running_var": T(m.bn1.running_var),
             "x": T(x), "target": T(target), "landmarks": T(lms)}
    return model, cases


def dump(doc, path):
    """Strict JSON, one case per line."""
    enc = lambda v: json.dumps(v, allow_nan=False, separators=(",", ":"))
    parts = []
    for key, val in doc.items():
        if isinstance(val, list):
            body = "[\n" + ",\n".join("  " + enc(c) for c in val) + "\n ]"
        else:
            body = enc(val)
        parts.append(f" {json.dumps(key)}: {body}")
    with open(path, "w") as fh:
        fh.write("{\n" + ",\n".join(parts) + "\n}\n")


def main():
    self_check()
    model, mcases = model_cases()
    doc = {"torch_version": torch.__version__, "heatmap_cases": heatmap_cases(),
           "pal_cases": pal_cases(), "model": model, "model_cases": mcases}
    path = os.path.join(HERE, "reference.json")
    dump(doc, path)
    json.load(open(path))                            # must round-trip as strict JSON
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
