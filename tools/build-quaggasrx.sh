#!/bin/sh
# Builds NIST BGP-SRx (srx-crypto-api, srx_server, quagga-srx bgpd and
# BGPsec-IO) into build-srx/prefix for sut/profiles/quaggasrx and
# tests/it_bgpsecio.sh. Nothing of BGP-SRx is part of this repository.
#
#   tools/build-quaggasrx.sh               clone the pinned public release
#   tools/build-quaggasrx.sh SOURCE-DIR    build from a copy of a source tree
#                                          (machines without network)
#
# SRX_BUILD=DIR overrides the output folder (default: build-srx/ in the
# repository, ignored by git). Each component is configured and built on
# its own with autotools; the upstream buildBGP-SRx.sh is not used because
# it prompts, and stops on none of its sub-steps' failures by default.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${SRX_BUILD:-$ROOT/build-srx}
PREFIX=$OUT/prefix
# The pinned release: tag 6.3.3 of the public repository.
SRX_REPO=https://github.com/usnistgov/NIST-BGP-SRx.git
SRX_COMMIT=e978750b7be3b51a2042517dd6c0568f56e4e03c
JOBS=${JOBS:-2}

PKGS="build-essential libssl-dev libconfig-dev libreadline-dev uthash-dev
autoconf automake libtool gawk texinfo patch git"

say() { echo "build-quaggasrx: $*"; }
die() { echo "build-quaggasrx: $*" >&2; exit 1; }

# The packages only this build needs; installed here, not by tools/deps.sh,
# because CI never builds BGP-SRx.
deps() {
	missing=""
	for p in $PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing packages:$missing (run as root to install them)"
	say "installing$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing ||
		die "apt-get install failed:$missing"
}

# Copies the sources into $OUT/src so a given tree is never written to.
get_source() {
	rm -rf "$OUT/src"
	mkdir -p "$OUT"
	if [ $# -ge 1 ]; then
		[ -d "$1/srx-crypto-api" ] && [ -d "$1/quagga-srx" ] ||
			die "$1: not a BGP-SRx source tree (no srx-crypto-api/ or quagga-srx/)"
		say "source: copy of $1"
		cp -a "$1" "$OUT/src"
		origin="$(cd "$1" && pwd)"
		commit=$(git -C "$1" rev-parse HEAD 2>/dev/null || echo "unknown (not a git tree)")
	else
		say "source: $SRX_REPO at $SRX_COMMIT"
		git clone -q "$SRX_REPO" "$OUT/src" ||
			die "cannot clone $SRX_REPO; pass a source tree: $0 SOURCE-DIR"
		git -C "$OUT/src" -c advice.detachedHead=false checkout -q "$SRX_COMMIT" ||
			die "commit $SRX_COMMIT not in $SRX_REPO"
		origin=$SRX_REPO
		commit=$SRX_COMMIT
	fi
}

# $1 component folder, rest: configure arguments. Logs go to $OUT/log/.
component() {
	dir=$1
	shift
	log=$OUT/log/$dir.log
	say "building $dir (log: $log)"
	(
		cd "$OUT/src/$dir"
		# Generated files in the tree are older than the sources after a
		# copy; rebuild them so make does not try with other autotools.
		autoreconf -fi >"$log" 2>&1
		./configure --prefix="$PREFIX" "$@" >>"$log" 2>&1
		make -j"$JOBS" >>"$log" 2>&1
		make install >>"$log" 2>&1
	) || { tail -n 30 "$log" >&2; die "$dir failed; see $log"; }
}

deps
get_source "$@"
rm -rf "$PREFIX" "$OUT/log"
mkdir -p "$PREFIX" "$OUT/log"
# gcc 12 defaults to -fno-common; Quagga's sources define globals in
# headers, so -fcommon keeps them linking. -O0 as upstream builds it.
CF="-O0 -g -fcommon"
component srx-crypto-api CFLAGS="$CF"
component srx-server sca_dir="$PREFIX" CFLAGS="$CF"
component quagga-srx --disable-doc --disable-snmp --enable-user=root \
	--enable-group=root --enable-srx --enable-srxcryptoapi \
	sca_dir="$PREFIX" srx_dir="$PREFIX" CFLAGS="$CF"
# BGPsec-IO includes <bits/signum.h> unless OS_ROCKY; glibc 2.36 forbids
# that header outside <signal.h>.
component bgpsec-io sca_dir="$PREFIX" CFLAGS="$CF -DOS_ROCKY"

for b in sbin/bgpd bin/srx_server bin/bgpsecio; do
	[ -x "$PREFIX/$b" ] || die "$PREFIX/$b missing after the build"
done
printf 'origin %s\ncommit %s\n' "$origin" "$commit" >"$OUT/SOURCE"
say "done: $PREFIX (source: $origin $commit)"
