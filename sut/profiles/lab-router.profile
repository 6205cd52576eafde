# A hardware BGPsec router in a lab, driven by an operator at its console:
# a commented example for a router with an IOS-style CLI (interfaces with
# dot1Q subinterfaces, `router bgp`, `bgp rpki server`). Copy it, set the
# interface, the VLANs and the addresses of your lab, and adapt
# lab-router.conf.in to your software's syntax (the BGPsec lines there are
# marked: vendors spell them differently). Format: sut/README.md.
#
#   sudo build/keyroll run --sut sut/profiles/lab-router.profile --interactive
#
# Without an operator (CI: stdin not a terminal, no --interactive) every
# case SKIPs with the instruction of its manual step as the reason.
[sut]
name = lab-router
kind = device
config = lab-router.conf.in
config-file = {workdir}/lab-router.conf
# One SUT for the whole run: the operator configures the router once; the
# harness brings it back to a known state between cases through the wire.
lifetime = run
confirm_timeout_s = 900
# Manual steps: shown to the operator with the rendered configuration and
# a deadline; Enter when done, `skip` when it cannot be done. The text is a
# template like any command.
start = manual: on the router cabled to {interface}, paste the configuration below (it sets up one dot1Q subinterface per harness role, the BGP sessions to AS {asn}'s peers and the RTR cache at {rtr_host} port {rtr_port}){?shared_key}; load the router key pair {shared_key} for signing{/shared_key}{?origin_key}; load the origin key pair {origin_key} and the transit key pair {transit_key}{/origin_key}; then clear the BGP sessions
rekey = manual: on the router, load the new {role} key pair {key} (SKI {ski}) and switch signing to it, re-advertising every route signed with the old key{?stagger_ms} one peer at a time, {stagger_ms} ms apart{/stagger_ms}
stop = manual: remove the keyroll configuration from the router
version = manual: not readable without the console
# With an API or ssh access, any of these can be a command instead, e.g.
#   rekey = {bin}/../tools/your-netconf-client --host 192.0.2.10 rekey {role} {key}
# (commands run on the harness's side, split on spaces, no shell).

[capabilities]
bgpsec = yes
sign = yes
originate = yes
ipv4 = yes
ipv6 = yes
rtr = yes
plain_peers = yes
active = yes
passive = yes
can_rekey = yes
can_stagger = yes
origin_transit_split = no
shared_key = yes
pcount0 = no
policy = reject-notvalid
# A hardware router holds announcements back (MRAI) and is slower to react
# to RTR changes than a daemon on the same machine; the cases' deadlines
# stretch by these.
mrai_ms = 5000
announce_delay_ms = 1000
withdraw_delay_ms = 1000
rtr_delay_ms = 5000
startup_ms = 60000
rtr_refresh_min_s = 60
rtr_retry_min_s = 30
rtr_expire_min_s = 600

[device]
# The lab NIC cabled to the router's GigabitEthernet0/0/1 (a trunk port).
interface = enp3s0f1
# One VLAN and one /30 per harness role; the second address is the
# router's. Roles not listed keep the standard topology's addresses.
rtr = vlan 100 198.18.100.1/30 198.18.100.2 2001:db8:100::1/64 2001:db8:100::2
up1 = vlan 101 198.18.101.1/30 198.18.101.2 2001:db8:101::1/64 2001:db8:101::2
up2 = vlan 102 198.18.102.1/30 198.18.102.2 2001:db8:102::1/64 2001:db8:102::2
dn1 = vlan 103 198.18.103.1/30 198.18.103.2 2001:db8:103::1/64 2001:db8:103::2
dn2 = vlan 104 198.18.104.1/30 198.18.104.2 2001:db8:104::1/64 2001:db8:104::2
exa = vlan 105 198.18.105.1/30 198.18.105.2 2001:db8:105::1/64 2001:db8:105::2

[expected-failures]
