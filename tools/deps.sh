#!/bin/sh
# Installs every Debian 12 package keyroll builds, tests and runs with.
# Idempotent and non-interactive; needs root.
set -eu
PKGS="build-essential pkg-config clang libclang-rt-14-dev
libssl-dev openssl libpcap-dev libnl-3-dev libnl-route-3-dev libcunit1-dev
libjansson-dev librtr-dev rtr-tools exabgp stayrtr rpki-client tshark
libxml2-utils python3-junitparser iproute2 procps psmisc bird2 frr gobgpd openbgpd
chromium python3-yaml groovy"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing:$missing -- run 'sudo make deps'" >&2
	exit 2
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer once.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
# The daemons are started by tests inside namespaces, never as host services.
for s in frr bird openbgpd stayrtr; do
	systemctl disable --now "$s" >/dev/null 2>&1 || true
done
