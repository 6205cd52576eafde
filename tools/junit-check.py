#!/usr/bin/python3
"""Reads a keyroll junit.xml with a real JUnit consumer (junitparser, the
library CI tooling uses) and checks that what a CI server would count agrees
with the run's results.json: tests, failures, errors and skipped, per suite
and in total, and every case's outcome. A schema can accept a file that a
consumer still misreads; this catches that.

usage: junit-check.py JUNIT.xml RESULTS.json
exit 0 when both agree, 1 on a disagreement (each one printed), 2 on bad
input.
"""
import json
import sys

from junitparser import Error, Failure, JUnitXml, Skipped

# How each keyroll outcome must look to a JUnit consumer (harness/report:
# WARN is a passing testcase, XFAIL a skipped one, XPASS a failure,
# NOT-JUDGED an error of type NOT-JUDGED: neither a pass nor a failure of
# the case's requirement).
EXPECT = {
    "PASS": "passed", "WARN": "passed",
    "FAIL": "failure", "XPASS": "failure",
    "ERROR": "error", "NOT-JUDGED": "error",
    "SKIP": "skipped", "XFAIL": "skipped",
}


def consumer_outcome(case):
    kinds = [type(r) for r in case.result]
    if Failure in kinds:
        return "failure"
    if Error in kinds:
        return "error"
    if Skipped in kinds:
        return "skipped"
    return "passed"


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-4], file=sys.stderr)
        return 2
    jpath, rpath = argv[1], argv[2]
    try:
        xml = JUnitXml.fromfile(jpath)
    except Exception as e:  # junitparser raises lxml/etree errors
        print(f"{jpath}: not readable as JUnit XML: {e}", file=sys.stderr)
        return 2
    try:
        with open(rpath, encoding="utf-8") as f:
            res = json.load(f)
        cases = res["cases"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"{rpath}: not a keyroll results.json: {e}", file=sys.stderr)
        return 2

    bad = []
    want = {c["id"]: EXPECT.get(c["outcome"], "?" + str(c["outcome"])) for c in cases}
    seen = {}
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in xml:
        counted = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for case in suite:
            cid = (case.name or "").split(" ", 1)[0]
            got = consumer_outcome(case)
            seen[cid] = got
            counted["tests"] += 1
            key = {"failure": "failures", "error": "errors", "skipped": "skipped"}.get(got)
            if key:
                counted[key] += 1
        for k, v in counted.items():
            attr = getattr(suite, k)
            if attr != v:
                bad.append(f"testsuite {suite.name}: {k}=\"{attr}\" but its testcases say {v}")
            totals[k] += v
    for k in ("tests", "failures", "errors"):
        if getattr(xml, k) != totals[k]:
            bad.append(f"testsuites: {k}=\"{getattr(xml, k)}\" but the testcases say {totals[k]}")
    root_skipped = xml._elem.get("skipped")
    if root_skipped is not None and int(root_skipped) != totals["skipped"]:
        bad.append(f"testsuites: skipped=\"{root_skipped}\" but the testcases say {totals['skipped']}")

    counts = res.get("counts", {})
    from_json = {"tests": len(cases),
                 "failures": counts.get("FAIL", 0) + counts.get("XPASS", 0),
                 "errors": counts.get("ERROR", 0) + counts.get("NOT-JUDGED", 0),
                 "skipped": counts.get("SKIP", 0) + counts.get("XFAIL", 0)}
    for k, v in from_json.items():
        if totals[k] != v:
            bad.append(f"{k}: junit.xml has {totals[k]}, results.json {v}")
    # The type a consumer shows tells the kinds of <error> and <failure>
    # apart: a requirement not judged is no harness error, a crash no
    # ordinary failure.
    types = {}
    for suite in xml:
        for case in suite:
            cid = (case.name or "").split(" ", 1)[0]
            types[cid] = [(r.type, r.message or "") for r in case.result]
    for c in cases:
        t = types.get(c["id"], [])
        if c.get("sut_crash") and not any(ty == "SUT-CRASH" and m.startswith("SUT crash:") for ty, m in t):
            bad.append(f"{c['id']}: the SUT crashed but no <failure type=\"SUT-CRASH\" message=\"SUT crash: ...\">")
        if c["outcome"] == "NOT-JUDGED" and not any(ty == "NOT-JUDGED" for ty, m in t):
            bad.append(f"{c['id']}: NOT-JUDGED but no <error type=\"NOT-JUDGED\">")
        if c["outcome"] == "ERROR" and any(ty == "NOT-JUDGED" for ty, m in t):
            bad.append(f"{c['id']}: a harness ERROR typed NOT-JUDGED")
    for cid, w in sorted(want.items()):
        if cid not in seen:
            bad.append(f"{cid}: in results.json, not in junit.xml")
        elif seen[cid] != w:
            bad.append(f"{cid}: a JUnit consumer reads {seen[cid]}, results.json says "
                       f"{next(c['outcome'] for c in cases if c['id'] == cid)} ({w})")
    for cid in sorted(set(seen) - set(want)):
        bad.append(f"{cid}: in junit.xml, not in results.json")

    for b in bad:
        print(f"{jpath}: {b}")
    if not bad:
        print(f"{jpath}: {totals['tests']} tests, {totals['failures']} failures, "
              f"{totals['errors']} errors, {totals['skipped']} skipped: agrees with {rpath}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
