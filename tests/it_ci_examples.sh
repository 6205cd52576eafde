#!/bin/sh
# The CI examples in docs/ci/ (GitLab CI, GitHub Actions, Jenkins): YAML
# that parses, a Jenkinsfile that compiles as Groovy, every shard 1..N of
# one N and a merge job after them, keyroll commands and options that
# exist (tools/check-ci-examples.py). Each check is shown to fail on a
# broken copy.
set -u
out=$(mktemp -d /tmp/kr-it-ci-XXXXXX)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
PY=/usr/bin/python3
# Debian's groovy finds Java through JAVA_HOME.
[ -n "${JAVA_HOME:-}" ] || JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
export JAVA_HOME
groovy_ok() { # file: compiles (parse only, nothing runs)
	groovy -e 'new GroovyShell().parse(new File(args[0]))' "$1" >"$out/groovy.log" 2>&1
}

$PY tools/check-ci-examples.py || fail "docs/ci examples"
groovy_ok docs/ci/Jenkinsfile || { cat "$out/groovy.log"; fail "docs/ci/Jenkinsfile does not compile"; }

# Broken copies must be caught, each by the check meant for it.
broken() { # name sed-expr file wanted-text
	rm -rf "$out/ci" && cp -r docs/ci "$out/ci"
	sed -i "$2" "$out/ci/$3"
	cmp -s "docs/ci/$3" "$out/ci/$3" && fail "$1: the edit changed nothing"
	KR_CI_DIR="$out/ci" $PY tools/check-ci-examples.py >"$out/check.log" 2>&1 && fail "$1: not caught"
	grep -q "$4" "$out/check.log" || fail "$1: not named: $(cat "$out/check.log")"
}
broken "bad YAML" 's/^  parallel: 3/  parallel: [3/' gitlab-ci.yml "not valid YAML"
broken "merge not always" 's/^  when: always .*/  when: on_success/' gitlab-ci.yml "when: always"
broken "matrix short of a shard" 's/shard: \[1, 2, 3\]/shard: [1, 2]/' github-actions.yml "does not list shards"
broken "unknown option" 's/--shard \${{ matrix.shard }}\/3 --out/--shard ${{ matrix.shard }}\/3 --no-such-option --out/' \
	github-actions.yml "no-such-option"
broken "stage missing" "/stage('shard 3')/d" Jenkinsfile "do not run shards 1..N"
sed 's/^pipeline {/pipeline {{/' docs/ci/Jenkinsfile >"$out/Jenkinsfile"
groovy_ok "$out/Jenkinsfile" && fail "a Jenkinsfile with a stray brace compiled"
echo "ok: gitlab-ci.yml, github-actions.yml, Jenkinsfile"
