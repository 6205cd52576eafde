#!/bin/sh
# The layers of harness/ (harness/README.md), lowest first. A file in one
# layer may include headers of its own layer and of the layers below it,
# never of a layer above; headers are named "layer/file.h". Prints every
# include that breaks the order and exits 1; 0 when there is none.
# usage: check-layers.sh [TREE]   (default: this repository)
set -u
cd "${1:-$(dirname "$0")/..}" || exit 2
order="wire net rpki vectors run report cli"
rank() { # layer -> position, or nothing when it is not a layer
	i=0
	for l in $order; do
		[ "$l" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
}
bad=0 n=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for l in $order; do
	[ -d "harness/$l" ] || { echo "harness/$l: layer folder missing"; bad=1; continue; }
done
for f in harness/*/*.c harness/*/*.h; do
	[ -f "$f" ] || continue
	layer=$(basename "$(dirname "$f")")
	mine=$(rank "$layer")
	[ -n "$mine" ] || { echo "$f: in no layer ($order)"; bad=1; continue; }
	# #include "x/y.h" lines with their line numbers
	grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
	sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1 \2/' >"$tmp"
	while read -r line inc; do
		n=$((n + 1))
		case "$inc" in
		*/*) dep=${inc%%/*} ;;
		*) [ -f "$(dirname "$f")/$inc" ] && continue
		   echo "$f:$line: \"$inc\" is not named by its layer (layer/file.h)"; bad=1; continue ;;
		esac
		theirs=$(rank "$dep")
		if [ -z "$theirs" ]; then
			echo "$f:$line: includes \"$inc\", outside harness/'s layers"
			bad=1
		elif [ "$theirs" -gt "$mine" ]; then
			echo "$f:$line: $layer includes \"$inc\" of the higher layer $dep ($order)"
			bad=1
		fi
	done <"$tmp"
done
[ $bad -eq 0 ] && echo "layers: $n includes in harness/, none upward ($order)"
exit $bad
