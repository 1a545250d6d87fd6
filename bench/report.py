#!/usr/bin/env python3
"""Summarises a tenantlog_bench JSON file: a table of items/s per family and
implementation with the ratios against the suite's targets (Markdown), and a
plot of the same plus the cost per event against the tenant count.

Usage: report.py RESULTS.json SUMMARY.md PLOT.png
"""
import json
import sys

# (family, numerator, denominator, minimum ratio). "AppendScale" compares the
# largest tenant count with the smallest. Replay/tenantlog is the persisted
# view rebuild; Replay/tenantlog_fold the same fold in memory, like the peers.
TARGETS = [
    ("Append", "tenantlog", "lmdb_raw", 0.9),
    ("Append", "tenantlog", "sqlite", 1.3),
    ("AppendConcurrent", "tenantlog", "lmdb_raw", 8.0),
    ("AppendConcurrent", "tenantlog", "sqlite", 8.0),
    ("Replay", "tenantlog", "lmdb_raw", 0.8),
    ("Replay", "tenantlog", "sqlite", 1.5),
    ("Replay", "tenantlog_fold", "lmdb_raw", 0.8),
    ("Replay", "tenantlog_fold", "sqlite", 1.5),
    ("RestoreFromBackup", "tenantlog", "sqlite", 2.0),
    ("AppendScale", "largest", "smallest", 0.67),
]

TENANT_FAMILIES = {"UndoTombstone"}


def parse_name(name):
    """'AppendScale/tenantlog/1000/real_time' -> ('AppendScale', 'tenantlog', '1000')."""
    parts = [p for p in name.split("/") if p != "real_time" and not p.startswith("threads:")
             and not p.startswith("min_time:") and not p.startswith("repeats:")]
    family = parts[0]
    impl = parts[1] if len(parts) > 1 else ""
    arg = "/".join(parts[2:])
    return family, impl, arg


def load(path):
    with open(path) as f:
        data = json.load(f)
    runs = {}
    for b in data["benchmarks"]:
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        if "items_per_second" not in b:
            continue
        key = parse_name(b.get("run_name", b["name"]))
        # The median of repetitions wins over the single runs.
        if key in runs and b.get("run_type") != "aggregate":
            continue
        runs[key] = b["items_per_second"]
    return data.get("context", {}), runs


def human(rate):
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if rate >= scale:
            return f"{rate / scale:.3g}{unit}"
    return f"{rate:.3g}"


def scale_points(runs, impl):
    """[(tenants, events/s)] of AppendScale/impl, by tenant count."""
    return sorted((int(a), r) for (f, i, a), r in runs.items() if f == "AppendScale" and i == impl and a.isdigit())


def summary(context, runs):
    lines = [f"# tenantlog_bench, scale {context.get('tenantlog_bench_scale', '?')}", ""]
    lines += ["| benchmark | items/s | unit |", "|---|---:|---|"]
    for (family, impl, arg), rate in runs.items():
        name = "/".join(p for p in (family, impl, arg) if p)
        unit = "tenants/s" if family in TENANT_FAMILIES else "events/s"
        lines.append(f"| {name} | {human(rate)} | {unit} |")
    lines += ["", "| target | ratio | minimum | met |", "|---|---:|---:|---|"]
    for family, num, den, minimum in TARGETS:
        if family == "AppendScale":
            scale = scale_points(runs, "tenantlog")
            if len(scale) < 2:
                continue
            ratio = scale[-1][1] / scale[0][1]
            label = f"AppendScale tenantlog {scale[-1][0]} / {scale[0][0]} tenants"
        else:
            a = runs.get((family, num, ""))
            b = runs.get((family, den, ""))
            if a is None or b is None:
                lines.append(f"| {family} {num} / {den} | not run | {minimum} | – |")
                continue
            ratio = a / b
            label = f"{family} {num} / {den}"
        lines.append(f"| {label} | {ratio:.2f} | {minimum} | {'yes' if ratio >= minimum else 'NO'} |")
    return "\n".join(lines) + "\n"


def plot(runs, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    families = []
    for family, _, _ in runs:
        if family not in families and family != "AppendScale":
            families.append(family)
    impls = []
    for _, impl, _ in runs:
        if impl not in impls:
            impls.append(impl)

    fig, (bars, scale) = plt.subplots(1, 2, figsize=(15, 6), gridspec_kw={"width_ratios": [3, 1]})
    width = 0.8 / max(len(impls), 1)
    for i, impl in enumerate(impls):
        xs, ys = [], []
        for j, family in enumerate(families):
            rate = runs.get((family, impl, ""))
            if rate is not None:
                xs.append(j + (i - (len(impls) - 1) / 2) * width)
                ys.append(rate)
        if xs:
            bars.bar(xs, ys, width, label=impl)
    bars.set_xticks(range(len(families)))
    bars.set_xticklabels([f + ("\n(tenants/s)" if f in TENANT_FAMILIES else "") for f in families],
                         rotation=20)
    bars.set_yscale("log")
    bars.set_ylabel("events/s (log scale)")
    bars.set_title("Throughput per family and implementation")
    bars.legend()
    bars.grid(axis="y", which="both", alpha=0.3)

    top = 0
    for impl in impls:
        points = scale_points(runs, impl)
        if not points:
            continue
        xs = [p[0] for p in points]
        ys = [1e6 / p[1] for p in points]
        top = max(top, max(ys))
        scale.plot(xs, ys, marker="o", label=impl)
    if top:
        scale.set_xscale("log")
        scale.set_ylim(bottom=0, top=top * 1.3)
        scale.legend()
        scale.set_xlabel("tenants in the store")
        scale.set_ylabel("µs per event")
        scale.set_title("AppendScale: cost per event")
        scale.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    context, runs = load(sys.argv[1])
    with open(sys.argv[2], "w") as f:
        f.write(summary(context, runs))
    plot(runs, sys.argv[3])


if __name__ == "__main__":
    main()
