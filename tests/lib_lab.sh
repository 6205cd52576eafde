# Emulated lab routers for the device tests (sourced; needs $K, $out and
# $H, a namespace the test made to play the host). A lab N is a box
# namespace ${H%h}bN holding the reference speaker's addresses of the
# standard topology (the SUT's end of each link, netns/rollover.topo: link
# i is 198.18.0.(4i)/30 and 2001:db8:0:(i+1)::/64) on box0, whose veth
# peer lab_if N, in $H, is the lab interface: up, with an address of its
# own that must come back. Profiles: $out/emuN.profile (a command for
# every action) and $out/emuN-op.profile (manual start and rekey).
lab_if() { echo "${H%h}x$1" | sed 's/^kdev/kdl/'; }
lab_box() { echo "${H%h}b$1"; }
mklab() {
	b=$(lab_box $1) l=$(lab_if $1)
	ip netns add $b && ip -n $H link add $l type veth peer name box0 netns $b &&
		ip -n $H addr add 198.18.222.$1/24 dev $l && ip -n $H addr add 2001:db8:222::$1/64 nodad dev $l &&
		ip -n $H link set $l up && ip -n $b link set box0 up && ip -n $b link set lo up || return 1
	for i in 0 1 2 3 4 5; do
		ip -n $b addr add 198.18.0.$((4 * i + 2))/30 dev box0 &&
			ip -n $b addr add 2001:db8:0:$((i + 1))::2/64 nodad dev box0 || return 1
	done
	sed -e "s|@BOX@|$b|g; s|@HOST@|$H|g; s|@IF@|$l|g; s|@CONF@|$PWD/sut/profiles/refspeaker.conf.in|" \
		tests/emu-device.profile.in >"$out/emu$1.profile"
	sed -e 's|^start = .*|start = manual: start the box: config {config} log {log} options {options}|' \
	    -e 's|^rekey = .*|rekey = manual: rekey {role} {key} stagger {stagger_ms} ctl {workdir}/ctl.sock (SKI {ski})|' \
	    -e '/^ready = /d' "$out/emu$1.profile" >"$out/emu$1-op.profile"
	lab_state $l >"$out/state.$l"
}
# What must come back: name, admin up/down, MTU, addresses (not the
# kernel's link-local one).
lab_state() {
	ip -n $H -o link show dev "$1" 2>/dev/null |
		awk '{ up = ($3 ~ /[<,]UP[,>]/) ? "up" : "down"; for (i = 1; i < NF; i++) if ($i == "mtu") m = $(i + 1);
		       sub(/@.*/, "", $2); print $2, up, "mtu", m }'
	ip -n $H -o addr show dev "$1" 2>/dev/null | awk '$4 !~ /^fe80/ {print $3, $4}' | sort
}
# lab_same LABEL N: the lab interface is as it was before the runs (0).
lab_same() {
	l=$(lab_if $2)
	now=$(lab_state $l)
	[ "$now" = "$(cat "$out/state.$l")" ] && return 0
	echo "FAIL: $1: lab interface $l not as it was: '$(tr '\n' ' ' <"$out/state.$l")' -> '$(echo "$now" | tr '\n' ' ')'"
	return 1
}
# The test's namespaces (host and boxes) go.
lab_cleanup() {
	for n in $(ip netns list | awk '{print $1}' | grep "^${H%h}[hb]"); do ip netns del "$n"; done
}
