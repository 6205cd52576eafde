# The reference BGPsec speaker (build/refspeaker), the default SUT.
# Format: sut/README.md.
[sut]
name = refspeaker
kind = daemon
config = refspeaker.conf.in
config-file = {workdir}/refspeaker.conf
start = {bin}/refspeaker -c {config} --log {log} {options}
ready = {bin}/refspeaker ctl {workdir}/ctl.sock ping
rekey = {bin}/refspeaker ctl {workdir}/ctl.sock rekey {role} {key} --stagger-ms {stagger_ms}
version = {bin}/refspeaker --version

[capabilities]
bgpsec = yes
sign = yes
originate = yes
ipv4 = yes
ipv6 = yes
rtr = yes
can_rekey = yes
can_stagger = yes
# stopped with SIGTERM and started again mid-case; rekeys are kept in
# {workdir}/key-state (sut/refspeaker/README.md)
restart = yes
origin_transit_split = yes
shared_key = yes
pcount0 = yes
plain_peers = yes
active = yes
passive = yes
policy = reject-notvalid
mrai_ms = 0
announce_delay_ms = 0
withdraw_delay_ms = 0
rtr_delay_ms = 0
startup_ms = 2000
# The speaker takes the intervals the cache sends as they are (RTRlib in
# accept-any mode) and checks Expire itself, in whole seconds.
rtr_refresh_min_s = 1
rtr_retry_min_s = 1
rtr_expire_min_s = 2
# Full tables (suites/scale.c): no size limit; rates it sustains on two
# cores with room to spare for loaded CI machines (measured: about 28 000
# verifications, 78 000
# signatures and over 100 000 UPDATEs a second); deadlines are three
# times the work at these rates.
max_routes = 0
verify_per_s = 5000
sign_per_s = 10000
updates_per_s = 25000

[options]
# --sut-opt fault=NAME runs one of the deliberately faulty variants
# (sut/refspeaker/FAULTS.md).
fault = --fault {value}
# --sut-opt policy=keep-lower-pref keeps Not Valid routes at lower preference
policy = --policy {value}

[expected-failures]
