/* The BGP FSM as data: one (next state, action) per (state, event), after
 * RFC 4271 §8.2.2. Pairs not listed fall back to the per-state default:
 * ignored in Idle, a plain drop in Connect/Active (no BGP message can
 * arrive there), an FSM error NOTIFICATION (RFC 6608) once OPEN was sent. */
#include "net/bgp_session.h"

#define T(st, ev, nx, ac) [st][ev] = { nx, ac, true }

struct ent {
	enum kr_bgp_state next;
	enum kr_bgp_action action;
	bool set;
};

static const struct ent fsm[KR_BGP_NSTATES][KR_BGP_NEVENTS] = {
	/* Idle: only a start does anything. */
	T(KR_BGP_IDLE, KR_BE_MANUAL_START, KR_BGP_CONNECT, KR_BA_CONNECT),
	T(KR_BGP_IDLE, KR_BE_MANUAL_START_PASSIVE, KR_BGP_ACTIVE, KR_BA_CONNECT),

	/* Connect: a TCP connection is being set up. A failed connect goes to
	 * Active and retries after ConnectRetry (the harness wants peers that
	 * start in any order to meet). */
	T(KR_BGP_CONNECT, KR_BE_MANUAL_STOP, KR_BGP_IDLE, KR_BA_STOP_QUIET),
	T(KR_BGP_CONNECT, KR_BE_CONNRETRY_EXPIRES, KR_BGP_CONNECT, KR_BA_CONNECT),
	T(KR_BGP_CONNECT, KR_BE_TCP_CONNECTED, KR_BGP_OPENSENT, KR_BA_SEND_OPEN),
	T(KR_BGP_CONNECT, KR_BE_TCP_FAILS, KR_BGP_ACTIVE, KR_BA_RETRY),

	/* Active: waiting for ConnectRetry or for an accepted connection. */
	T(KR_BGP_ACTIVE, KR_BE_MANUAL_STOP, KR_BGP_IDLE, KR_BA_STOP_QUIET),
	T(KR_BGP_ACTIVE, KR_BE_CONNRETRY_EXPIRES, KR_BGP_CONNECT, KR_BA_CONNECT),
	T(KR_BGP_ACTIVE, KR_BE_TCP_CONNECTED, KR_BGP_OPENSENT, KR_BA_SEND_OPEN),
	T(KR_BGP_ACTIVE, KR_BE_TCP_FAILS, KR_BGP_ACTIVE, KR_BA_RETRY),

	/* OpenSent: our OPEN is out, waiting for the peer's. */
	T(KR_BGP_OPENSENT, KR_BE_MANUAL_STOP, KR_BGP_IDLE, KR_BA_NOTIFY_CEASE),
	T(KR_BGP_OPENSENT, KR_BE_HOLD_EXPIRES, KR_BGP_IDLE, KR_BA_NOTIFY_HOLD),
	T(KR_BGP_OPENSENT, KR_BE_TCP_FAILS, KR_BGP_ACTIVE, KR_BA_RETRY),
	T(KR_BGP_OPENSENT, KR_BE_OPEN, KR_BGP_OPENCONFIRM, KR_BA_OPEN_OK),
	T(KR_BGP_OPENSENT, KR_BE_HEADER_ERR, KR_BGP_IDLE, KR_BA_NOTIFY_ERR),
	T(KR_BGP_OPENSENT, KR_BE_OPEN_ERR, KR_BGP_IDLE, KR_BA_NOTIFY_ERR),
	T(KR_BGP_OPENSENT, KR_BE_NOTIF_VER_ERR, KR_BGP_IDLE, KR_BA_PEER_NOTIF),
	T(KR_BGP_OPENSENT, KR_BE_NOTIF, KR_BGP_IDLE, KR_BA_PEER_NOTIF),

	/* OpenConfirm: OPENs exchanged, waiting for the first KEEPALIVE. */
	T(KR_BGP_OPENCONFIRM, KR_BE_MANUAL_STOP, KR_BGP_IDLE, KR_BA_NOTIFY_CEASE),
	T(KR_BGP_OPENCONFIRM, KR_BE_HOLD_EXPIRES, KR_BGP_IDLE, KR_BA_NOTIFY_HOLD),
	T(KR_BGP_OPENCONFIRM, KR_BE_KEEPALIVE_EXPIRES, KR_BGP_OPENCONFIRM, KR_BA_SEND_KEEPALIVE),
	T(KR_BGP_OPENCONFIRM, KR_BE_TCP_FAILS, KR_BGP_IDLE, KR_BA_DROP),
	T(KR_BGP_OPENCONFIRM, KR_BE_NOTIF_VER_ERR, KR_BGP_IDLE, KR_BA_PEER_NOTIF),
	T(KR_BGP_OPENCONFIRM, KR_BE_NOTIF, KR_BGP_IDLE, KR_BA_PEER_NOTIF),
	T(KR_BGP_OPENCONFIRM, KR_BE_HEADER_ERR, KR_BGP_IDLE, KR_BA_NOTIFY_ERR),
	T(KR_BGP_OPENCONFIRM, KR_BE_OPEN_ERR, KR_BGP_IDLE, KR_BA_NOTIFY_ERR),
	T(KR_BGP_OPENCONFIRM, KR_BE_KEEPALIVE, KR_BGP_ESTABLISHED, KR_BA_ESTABLISH),

	/* Established. */
	T(KR_BGP_ESTABLISHED, KR_BE_MANUAL_STOP, KR_BGP_IDLE, KR_BA_NOTIFY_CEASE),
	T(KR_BGP_ESTABLISHED, KR_BE_HOLD_EXPIRES, KR_BGP_IDLE, KR_BA_NOTIFY_HOLD),
	T(KR_BGP_ESTABLISHED, KR_BE_KEEPALIVE_EXPIRES, KR_BGP_ESTABLISHED, KR_BA_SEND_KEEPALIVE),
	T(KR_BGP_ESTABLISHED, KR_BE_TCP_FAILS, KR_BGP_IDLE, KR_BA_DROP),
	T(KR_BGP_ESTABLISHED, KR_BE_NOTIF_VER_ERR, KR_BGP_IDLE, KR_BA_PEER_NOTIF),
	T(KR_BGP_ESTABLISHED, KR_BE_NOTIF, KR_BGP_IDLE, KR_BA_PEER_NOTIF),
	T(KR_BGP_ESTABLISHED, KR_BE_HEADER_ERR, KR_BGP_IDLE, KR_BA_NOTIFY_ERR),
	T(KR_BGP_ESTABLISHED, KR_BE_KEEPALIVE, KR_BGP_ESTABLISHED, KR_BA_RESTART_HOLD),
	T(KR_BGP_ESTABLISHED, KR_BE_UPDATE, KR_BGP_ESTABLISHED, KR_BA_DELIVER),
	T(KR_BGP_ESTABLISHED, KR_BE_ROUTE_REFRESH, KR_BGP_ESTABLISHED, KR_BA_DELIVER),
	T(KR_BGP_ESTABLISHED, KR_BE_UPDATE_ERR, KR_BGP_IDLE, KR_BA_NOTIFY_ERR),
};

static const struct kr_bgp_transition ignore[KR_BGP_NSTATES] = {
	[KR_BGP_IDLE] = { KR_BGP_IDLE, KR_BA_NONE },
	[KR_BGP_CONNECT] = { KR_BGP_IDLE, KR_BA_DROP },
	[KR_BGP_ACTIVE] = { KR_BGP_IDLE, KR_BA_DROP },
	[KR_BGP_OPENSENT] = { KR_BGP_IDLE, KR_BA_NOTIFY_FSM },
	[KR_BGP_OPENCONFIRM] = { KR_BGP_IDLE, KR_BA_NOTIFY_FSM },
	[KR_BGP_ESTABLISHED] = { KR_BGP_IDLE, KR_BA_NOTIFY_FSM },
};

struct kr_bgp_transition kr_bgp_fsm_lookup(enum kr_bgp_state s, enum kr_bgp_event e)
{
	if ((unsigned)s >= KR_BGP_NSTATES || (unsigned)e >= KR_BGP_NEVENTS)
		return ignore[KR_BGP_IDLE];
	if (!fsm[s][e].set)
		return ignore[s];
	return (struct kr_bgp_transition){ fsm[s][e].next, fsm[s][e].action };
}

const char *kr_bgp_state_name(enum kr_bgp_state s)
{
	static const char *const n[] = { "Idle", "Connect", "Active", "OpenSent", "OpenConfirm",
					  "Established" };
	return (unsigned)s < KR_BGP_NSTATES ? n[s] : "?";
}

const char *kr_bgp_event_name(enum kr_bgp_event e)
{
	static const char *const n[] = {
		"ManualStart", "ManualStart_with_PassiveTcpEstablishment", "ManualStop",
		"ConnectRetryTimer_Expires", "HoldTimer_Expires", "KeepaliveTimer_Expires",
		"TcpConnectionConfirmed", "TcpConnectionFails", "BGPOpen", "BGPHeaderErr",
		"BGPOpenMsgErr", "NotifMsgVerErr", "NotifMsg", "KeepAliveMsg", "UpdateMsg",
		"UpdateMsgErr", "RouteRefreshMsg",
	};
	return (unsigned)e < KR_BGP_NEVENTS ? n[e] : "?";
}

const char *kr_bgp_down_reason_name(enum kr_bgp_down_reason r)
{
	static const char *const n[] = { "stopped", "notification sent", "notification received",
					  "hold timer expired", "tcp closed", "tcp connect failed" };
	return (unsigned)r <= KR_DOWN_TCP_FAILED ? n[r] : "?";
}
