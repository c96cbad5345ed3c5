#!/usr/bin/env python3
"""Summarise a PIT mutations.xml: mutants, covered, detected and test strength per package and per
top-level class.

PIT's definitions: a mutant is covered unless its status is NO_COVERAGE; it is detected when PIT
marks it so (KILLED, TIMED_OUT, MEMORY_ERROR, RUN_ERROR); test strength = detected / covered and
mutation score = detected / mutants.

  python3 .ci/pit-strength.py [mutations.xml] [--only PREFIX[,PREFIX...]] [--survivors]

The file defaults to target/pit-reports/mutations.xml, else sdk-core/target/pit-reports/mutations.xml.
--only keeps packages and classes whose name starts with one of the prefixes; --survivors also lists
the covered mutants that were not detected (class, line, mutator description).
"""
import argparse
import collections
import os
import sys
import xml.etree.ElementTree as ET


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?")
    ap.add_argument("--only", default="", help="comma-separated name prefixes to keep")
    ap.add_argument("--survivors", action="store_true", help="list covered mutants that were not detected")
    args = ap.parse_args()

    path = args.file
    if path is None:
        for candidate in ("target/pit-reports/mutations.xml", "sdk-core/target/pit-reports/mutations.xml"):
            if os.path.exists(candidate):
                path = candidate
                break
        else:
            sys.exit("no mutations.xml found; pass its path")
    prefixes = [p for p in args.only.split(",") if p]

    # name -> [mutants, covered, detected]
    packages = collections.defaultdict(lambda: [0, 0, 0])
    classes = collections.defaultdict(lambda: [0, 0, 0])
    total = [0, 0, 0]
    survivors = []
    for m in ET.parse(path).getroot().iter("mutation"):
        cls = m.findtext("mutatedClass")
        top = cls.split("$", 1)[0]
        pkg = top.rsplit(".", 1)[0] if "." in top else "(default)"
        if prefixes and not any(top.startswith(p) for p in prefixes):
            continue
        covered = m.get("status") != "NO_COVERAGE"
        detected = m.get("detected") == "true"
        for row in (packages[pkg], classes[top], total):
            row[0] += 1
            row[1] += covered
            row[2] += detected
        if covered and not detected:
            survivors.append((cls, int(m.findtext("lineNumber") or 0), m.get("status"),
                              m.findtext("mutatedMethod"), m.findtext("description")))

    def table(title, rows):
        width = max([len(title)] + [len(k) for k in rows])
        print(f"{title:<{width}}  {'mutants':>7}  {'covered':>7}  {'detected':>8}  {'strength':>8}  {'score':>6}")
        for name in sorted(rows):
            print(line(name, rows[name], width))
        print()

    def line(name, row, width):
        n, c, d = row
        strength = f"{d / c:.3f}" if c else "-"
        score = f"{d / n:.3f}" if n else "-"
        return f"{name:<{width}}  {n:>7}  {c:>7}  {d:>8}  {strength:>8}  {score:>6}"

    table("package", packages)
    table("class", classes)
    print(line("TOTAL", total, len("TOTAL")))
    if args.survivors:
        print("\nsurvivors (covered, not detected):")
        for cls, ln, status, method, desc in sorted(survivors):
            print(f"  {cls}:{ln} {method} [{status}] {desc}")


if __name__ == "__main__":
    main()
