#!/usr/bin/env python3
"""Where oneDNN's time goes, from a run with ONEDNN_VERBOSE=1 (its lines on standard output).

Sums oneDNN's own execution times per primitive kind, implementation and propagation (e.g. convolution,
jit:avx2, backward_weights; reorder, jit:uni) and prints them as a Markdown table, largest first, with each
row's share of the total. Usage:

    ONEDNN_VERBOSE=1 dotnet run -c Release --project benchmarks/PrivilegedAttribution.Benchmarks -- \\
        profile --layer layer3 --config medium > onednn.log
    python3 benchmarks/PrivilegedAttribution.Benchmarks/Investigations/onednn_verbose_summary.py onednn.log
"""
import collections
import sys


def summarise(lines):
    """{(kind, implementation, propagation): [milliseconds, calls]} over the 'exec' lines of oneDNN's log."""
    totals = collections.defaultdict(lambda: [0.0, 0])
    for line in lines:
        fields = line.strip().split(",")
        # onednn_verbose,v1,primitive,exec,cpu,KIND,IMPLEMENTATION,PROPAGATION,...,TIME_MS
        if not fields[0] == "onednn_verbose" or "exec" not in fields or "cpu" not in fields:
            continue
        at = fields.index("cpu")
        try:
            milliseconds = float(fields[-1])
        except ValueError:
            continue
        row = totals[tuple(fields[at + 1:at + 4])]
        row[0] += milliseconds
        row[1] += 1
    return totals


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8", errors="replace") as log:
        totals = summarise(log)
    if not totals:
        sys.exit(f"{sys.argv[1]}: no oneDNN 'exec' lines (was ONEDNN_VERBOSE=1 set, and oneDNN on?)")
    grand = sum(ms for ms, _ in totals.values())
    print("| primitive | implementation | propagation | ms | share | calls |")
    print("|---|---|---|---|---|---|")
    for (kind, implementation, propagation), (ms, calls) in sorted(totals.items(), key=lambda item: -item[1][0]):
        print(f"| {kind} | {implementation} | {propagation} | {ms:.1f} | {100 * ms / grand:.1f} % | {calls} |")
    print(f"| total | | | {grand:.1f} | 100 % | {sum(c for _, c in totals.values())} |")


if __name__ == "__main__":
    main()
