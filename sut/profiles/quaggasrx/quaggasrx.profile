# NIST QuaggaSRx (BGP-SRx 6.3.3: quagga-srx bgpd, srx_server, srx-crypto-api)
# as the SUT. Build it first: tools/build-quaggasrx.sh [SOURCE-DIR]
# (into build-srx/prefix; another prefix: --sut-opt prefix=DIR).
# How it is driven: README.md here. Format: sut/README.md.
[sut]
name = quaggasrx
kind = daemon
config = bgpd.conf.in
config-file = {workdir}/bgpd.conf.in
start = {profile_dir}/qsrx {?opt.prefix}--prefix {opt.prefix} {/opt.prefix}start --workdir {workdir} --config {config} --asn {asn} --router-id {router_id} --rtr-host {rtr_host} --rtr-port {rtr_port}
ready = {profile_dir}/qsrx {?opt.prefix}--prefix {opt.prefix} {/opt.prefix}ready --workdir {workdir} --asn {asn}
rekey = {profile_dir}/qsrx {?opt.prefix}--prefix {opt.prefix} {/opt.prefix}rekey --workdir {workdir} --asn {asn} --role {role} --key {key}
version = {profile_dir}/qsrx {?opt.prefix}--prefix {opt.prefix} {/opt.prefix}version

[capabilities]
bgpsec = yes
sign = yes
originate = yes
ipv4 = yes
# IPv6 BGPsec does not work: bgpd negotiates it and signs its own IPv6
# prefixes, but srx_server cannot parse an IPv6 BGPsec UPDATE ("Malformed
# BGPsec update ... Error during parsing the BGPsec_PATH attribute" in
# sut.out; bgpd marks the route invalid and ignores it) and crashes on
# BGPsec-IO's. With ipv6 = yes every /v6 case is NOT-JUDGED: no IPv6 route
# from up1/up2 ever reaches dn1/dn2 (checked on the pcaps, e.g. sut-up1.pcap
# frame 21 of rollover/3.1-2/1 with 2001:db8:100::/48, never forwarded).
ipv6 = no
rtr = yes
can_rekey = yes
# `srx bgpsec active N` switches the one signing key for every peer at once.
can_stagger = no
# One active signing key (srx bgpsec active 0|1) for own prefixes and transit.
origin_transit_split = no
shared_key = yes
pcount0 = no
plain_peers = yes
# Every neighbor is passive: the harness connects.
active = no
passive = yes
policy = reject-notvalid
# advertisement-interval 0 on every neighbor; bgpd still sends on a 1 s
# tick: announcements, withdrawals and reactions to RTR changes reached
# the observers 0.05-1.05 s after their cause in runs of this profile. A
# key fetched over RTR validated UPDATEs only up to about 1 s later
# (srx_server registers it after End of Data): rtr_delay_ms covers that.
mrai_ms = 0
announce_delay_ms = 1000
withdraw_delay_ms = 1000
rtr_delay_ms = 1500
# bgpd keeps each neighbor Idle for about 5 s after start; the ready
# action waits for that (8-9 s from start in runs of this profile).
startup_ms = 20000
# After a session went down bgpd keeps the neighbor Idle for its start
# timer and closes every connection from it meanwhile (FIN right after
# the SYN/ACK, RST on the OPEN: sut-up1.pcap of stale/3.1-3/1 from the
# Cease on). The timer is 5 s, doubled when the session ended by a
# NOTIFICATION (bgp_stop_with_error), with a jitter of +-half: after the
# harness's Cease 5-15 s ("Next start timer due in 14 seconds" on the
# console right after one).
idle_hold_ms = 15000
# srx_server accepts any intervals the cache sends.
rtr_refresh_min_s = 1
rtr_retry_min_s = 1
rtr_expire_min_s = 2

[options]
# --sut-opt prefix=DIR: a BGP-SRx installed elsewhere than build-srx/prefix
prefix = {value}

[expected-failures]
# Each checked by hand on the case's pcaps (frame numbers from the run
# checked, 2026-12-03; they can shift by a frame or two between runs).
# tests/it_quaggasrx.sh requires every case that does not pass to be here.
replay/4/1 = forwards a replayed UPDATE whose origin key the cache had withdrawn: the Router Key withdrawal (sut-rtr.pcap frame 33) comes before the replay (sut-up1.pcap frame 26), and the SUT announces 198.51.100.0/24 over the withdrawn SKI to dn1 and dn2 (sut-dn1.pcap frame 27, sut-dn2.pcap frame 27) before the sentinel (sut-dn1.pcap frame 29); an UPDATE identical to one seen before gets its earlier Valid result back
replay/4/2 = a replayed route (sut-up1.pcap frame 25, forwarded in sut-dn1.pcap frame 25) is not withdrawn when the cache withdraws its origin key (sut-rtr.pcap frame 33): no withdrawal of 198.51.100.0/24 follows at dn1 or dn2, only the sentinel (sut-dn1.pcap frame 27); a route never withdrawn and re-announced is (rollover/3.1-5/1 passes)
rollover/3.1-3/sut-1 = no twilight re-advertisement: after `srx bgpsec active 1` (sut-rekey.log) bgpd sends no UPDATE at all; the last ones at dn1 and dn2 carry the old SKI (sut-dn1.pcap frames 17-25, before the switch). Re-advertising needs an operator's clear ip bgp soft out
rollover/3.1-3/sut-2 = fails on the twilight check it runs first, as rollover/3.1-3/sut-1 (no UPDATE after the switch in sut-dn1.pcap); whether later UPDATEs carry only the new key is not judged
rtr/8210-5.1/1 = srx_server sends a Serial Query for serial 3 after an End of Data with serial 4 (wire lint, sut-rtr.pcap frame 41); and (when judged on routes) on the new session id (sut-rtr.pcap frame 26) srx_server rightly sends Error Report Corrupt Data (frame 28) and resets (frames 35-37), but keeps the key the cache dropped: 198.51.100.0/24 signed with it stays announced (sut-dn1.pcap frame 19, never withdrawn); its RTR client then stops ("Unexpected protocol behavior, type=0" in sut.out, second Reset Query frame 41), and the route signed with the newly published key (sut-up2.pcap frame 22) never reaches dn1 or dn2
rtr/8210-5.3/1 = Cache Reset not implemented in srx_server ("Handle Reset not implemented yet" in sut.out): after Cache Reset and Reset Query (sut-rtr.pcap frames 28-30) the key the cache no longer has is kept, 198.51.100.0/24 signed with it stays announced at dn1 and dn2 (sut-dn1.pcap frame 19, no withdrawal)
rtr/8210-6/1 = srx_server ignores the Expire Interval: after the End of Data with Expire 2 s (sut-rtr.pcap frame 27) the cache goes silent, and 198.51.100.0/24 stays announced at dn1, dn2 and exa (sut-dn1.pcap frame 18, sut-exa.pcap frame 19, no withdrawal)
plain/8205-4.4/1 = to the plain peer exa bgpd sends UPDATEs with NLRI 192.0.2.128/32, ORIGIN and AS_PATH but no NEXT_HOP (mandatory, RFC 4271 §5.1.3): sut-exa.pcap frame 22 (wire lint)
rollover/3.1-5/3 = to the plain peer exa bgpd sends UPDATEs without NEXT_HOP (sut-exa.pcap frame 20: ORIGIN, AS_PATH, NLRI 192.0.2.128/32 only; wire lint), as in plain/8205-4.4/1
rtr/8210-6/2 = to the plain peer exa bgpd sends UPDATEs without NEXT_HOP (sut-exa.pcap frame 20: ORIGIN, AS_PATH, NLRI 192.0.2.128/32 only; wire lint), as in plain/8205-4.4/1
