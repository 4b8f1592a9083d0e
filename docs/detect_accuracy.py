"""Regenerate the precision and recall table of docs/telemetry.md. Run:
`.venv/bin/python docs/detect_accuracy.py` (about a minute).

Ten seeds of the labelled traces (`leonet.control.detect.labelled`), each with 200 background
terminals; "planted" is the set the tests hold to, "with limits" adds the cases past the
detectors' documented reach. Pairs (terminal, kind) are counted over all seeds.
"""

from __future__ import annotations

from leonet.control.detect import KINDS, detect
from leonet.control.detect.labelled import labelled_traces, score

SEEDS = range(10)


def totals(limits: bool) -> dict[str, list[int]]:
    out = {k: [0, 0, 0] for k in KINDS}
    for seed in SEEDS:
        traces = labelled_traces(seed, 200, limits=limits)
        found = detect(traces.telemetry, traces.policy, terminals=traces.facts,
                       config=traces.config)
        for kind, s in score(found, traces.labels).items():
            out[kind][0] += s["tp"]
            out[kind][1] += s["fp"]
            out[kind][2] += s["fn"]
    return out


def main() -> None:
    planted, limits = totals(False), totals(True)
    print("| kind | planted: TP / FP / FN | precision | recall | with limits: TP / FP / FN "
          "| precision | recall |")
    print("|---|---|---|---|---|---|---|")
    for kind in KINDS:
        row = [f"`{kind}`"]
        for tp, fp, fn in (planted[kind], limits[kind]):
            p = tp / (tp + fp) if tp + fp else 1.0
            r = tp / (tp + fn) if tp + fn else 1.0
            row += [f"{tp} / {fp} / {fn}", f"{p:.2f}", f"{r:.2f}"]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
