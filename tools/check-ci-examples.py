#!/usr/bin/python3
"""Checks the CI examples in docs/ci/ (tests/it_ci_examples.sh): the YAML
files parse, every example runs shards 1..N of one N and a merge job after
all of them (also when they failed), and every `keyroll CMD --option` they
use is known to build/keyroll. The Jenkinsfile's Groovy syntax is checked
by the shell script (groovy). Exit 0, or 1 naming file and problem."""
import os
import re
import subprocess
import sys

import yaml

D = os.environ.get("KR_CI_DIR", "docs/ci").rstrip("/") + "/"
problems = []


def bad(f, msg):
    problems.append("%s%s: %s" % (D, f, msg))


def keyroll_lines(text):
    return [l for l in text.splitlines() if "build/keyroll " in l]


def check_commands(f, text):
    """Every subcommand and --option used exists in keyroll's help."""
    top = subprocess.run(["build/keyroll", "help"], capture_output=True, text=True).stdout
    for line in keyroll_lines(text):
        for m in re.finditer(r"build/keyroll (\w+)((?: +[^;|&>]*)?)", line):
            cmd, args = m.group(1), m.group(2)
            if not re.search(r"^  %s " % cmd, top, re.M):
                bad(f, "uses unknown command `keyroll %s`" % cmd)
                continue
            h = subprocess.run(["build/keyroll", cmd, "--help"], capture_output=True, text=True)
            helptext = h.stdout + h.stderr
            for opt in re.findall(r"(--[a-z][a-z-]*)", args):
                if opt not in helptext:
                    bad(f, "`keyroll %s %s`: no such option in its --help" % (cmd, opt))


def load(f):
    try:
        return yaml.safe_load(open(D + f))
    except yaml.YAMLError as e:
        bad(f, "not valid YAML: %s" % e)
        return None


def gitlab():
    f = "gitlab-ci.yml"
    y = load(f)
    if y is None:
        return
    shards = [k for k, j in y.items() if isinstance(j, dict) and "--shard" in " ".join(j.get("script", []))]
    merges = [k for k, j in y.items() if isinstance(j, dict) and "keyroll merge" in " ".join(j.get("script", []))]
    if len(shards) != 1 or len(merges) != 1:
        return bad(f, "wants one shard job and one merge job, has %s and %s" % (shards, merges))
    s, m = y[shards[0]], y[merges[0]]
    if not isinstance(s.get("parallel"), int) or s["parallel"] < 2:
        bad(f, "shard job has no `parallel: N` (N >= 2)")
    if "$CI_NODE_INDEX/$CI_NODE_TOTAL" not in " ".join(s["script"]):
        bad(f, "shard job does not run --shard $CI_NODE_INDEX/$CI_NODE_TOTAL")
    needs = [n["job"] if isinstance(n, dict) else n for n in m.get("needs", [])]
    if shards[0] not in needs:
        bad(f, "merge job does not need the shard job")
    if m.get("when") != "always":
        bad(f, "merge job does not run when shards failed (when: always)")
    stages = y.get("stages", [])
    if s.get("stage") not in stages or m.get("stage") not in stages or \
            stages.index(m["stage"]) <= stages.index(s["stage"]):
        bad(f, "merge job's stage does not come after the shard job's")
    check_commands(f, open(D + f).read())


def github():
    f = "github-actions.yml"
    y = load(f)
    if y is None:
        return
    jobs = y.get("jobs", {})
    shards = [k for k, j in jobs.items() if "--shard" in str(j)]
    merges = [k for k, j in jobs.items() if "keyroll merge" in str(j)]
    if len(shards) != 1 or len(merges) != 1:
        return bad(f, "wants one shard job and one merge job, has %s and %s" % (shards, merges))
    s, m = jobs[shards[0]], jobs[merges[0]]
    matrix = s.get("strategy", {}).get("matrix", {}).get("shard", [])
    runs = [st.get("run", "") for st in s.get("steps", []) if "--shard" in st.get("run", "")]
    n = re.search(r"--shard \$\{\{ matrix\.shard \}\}/(\d+)", runs[0] if runs else "")
    if not n or matrix != list(range(1, int(n.group(1)) + 1)):
        bad(f, "matrix %s does not list shards 1..N of `--shard K/N`" % matrix)
    if s.get("strategy", {}).get("fail-fast", True):
        bad(f, "shard matrix stops the other shards on a failure (fail-fast)")
    needs = m.get("needs")
    if (needs if isinstance(needs, list) else [needs]) != [shards[0]] or "always()" not in str(m.get("if")):
        bad(f, "merge job does not need the shards and run always()")
    check_commands(f, open(D + f).read())


def jenkins():
    f = "Jenkinsfile"
    text = open(D + f).read()
    calls = re.findall(r"shard\((\d+), (\d+)\)\.call", text)
    ks = sorted(int(k) for k, _ in calls)
    ns = set(n for _, n in calls)
    if len(ns) != 1 or ks != list(range(1, int(ns.pop()) + 1)):
        bad(f, "parallel stages do not run shards 1..N of one N: %s" % ks)
    if not re.search(r"parallel\s*\{", text):
        bad(f, "no parallel stages")
    if text.find("keyroll merge") < text.find("parallel"):
        bad(f, "no merge after the parallel stages")
    check_commands(f, text.replace("${k}/${n}", "1/3"))


gitlab()
github()
jenkins()
for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems else 0)
