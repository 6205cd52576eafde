#!/bin/sh
# Independent cross-check of the wire codec (issue 2 §5): `keyroll wiregen`
# encodes OPENs with BGPsec capabilities and signed IPv4/IPv6 UPDATEs (1 and
# 3 hops) into a pcap and lists what every frame is meant to contain; tshark
# must decode exactly that, field by field, and flag nothing as malformed.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kr-tshark.$$.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

command -v tshark >/dev/null || { echo "tshark not installed (make deps)"; exit 1; }
./build/keyroll wiregen "$tmp/w.pcap" "$tmp/expect.tsv"

fields=$(head -n 1 "$tmp/expect.tsv" | cut -f2-)
set --
for f in $fields; do set -- "$@" -e "$f"; done
tshark -n -r "$tmp/w.pcap" -T fields -E separator=/t -E occurrence=a -E aggregator=, "$@" \
	>"$tmp/got.tsv" 2>"$tmp/tshark.err" || { cat "$tmp/tshark.err"; exit 1; }

# compare: prints one line per differing field; exit 1 on any difference
compare() { # expect got
	awk -F '\t' -v names="$fields" '
		BEGIN { n = split(names, name, " ") }
		NR == FNR { if (FNR > 1) want[FNR - 1] = $0; ne = FNR - 1; next }
		{ got[FNR] = $0; ng = FNR }
		END {
			bad = 0
			if (ne != ng) { printf "frame count: expected %d, tshark %d\n", ne, ng; bad = 1 }
			for (i = 1; i <= ne; i++) {
				split(want[i], e, "\t"); split(got[i], g, "\t")
				for (j = 1; j <= n; j++)
					if (e[j] != g[j]) {
						printf "frame %d %s: expected \"%s\", tshark \"%s\"\n", i, name[j], e[j], g[j]
						bad = 1
					}
			}
			exit bad
		}' "$1" "$2"
}

compare "$tmp/expect.tsv" "$tmp/got.tsv"
frames=$(($(wc -l <"$tmp/expect.tsv") - 1))
[ "$frames" -ge 6 ] || { echo "only $frames frames generated"; exit 1; }

# nothing malformed or in error in tshark's eyes
flt='_ws.malformed || _ws.expert.severity >= "Warning"'
tshark -n -r "$tmp/w.pcap" -Y "$flt" >"$tmp/bad.txt" 2>"$tmp/tshark.err" || { cat "$tmp/tshark.err"; exit 1; }
[ ! -s "$tmp/bad.txt" ] || { echo "tshark flags frames:"; cat "$tmp/bad.txt"; exit 1; }

# the comparison itself must catch a changed value (one AS number)
sed '4s/\t64496\t/\t64497\t/' "$tmp/expect.tsv" >"$tmp/tampered.tsv"
if cmp -s "$tmp/expect.tsv" "$tmp/tampered.tsv" || compare "$tmp/tampered.tsv" "$tmp/got.tsv" >/dev/null; then
	echo "self-check: a tampered expectation was not detected"; exit 1
fi
echo "tshark agrees on $frames frames, $(echo $fields | wc -w) fields each"
