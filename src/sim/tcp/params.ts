import type { Profile, SysctlName, Sysctls } from '../../../types/closing-time.d.ts';

// Linux constants (include/net/tcp.h) used by the linux profile.
export const TCP_TIMEWAIT_LEN = 60_000; // TIME_WAIT length, fixed in Linux, no sysctl
export const TCP_TIMEOUT_INIT = 1_000; // initial RTO (RFC 6298 §2.1)
export const TCP_RTO_MIN = 200;
export const TCP_RTO_MAX = 120_000;
export const MSS = 1460; // a 1500-byte link less the IPv4 and TCP headers (tp->advmss)
export const TCPOLEN_TSTAMP_ALIGNED = 12; // the timestamps option with its two NOPs (include/net/tcp.h)
export const OOW_RATELIMIT_MS = 500; // net.ipv4.tcp_invalid_ratelimit
export const TCP_TW_REUSE_DELAY_MS = 1_000; // net.ipv4.tcp_tw_reuse_delay's default (Linux 6.13 on)
export const DEFAULT_BUF = 65_535;
/**
 * Socket buffers as Linux sizes them (include/net/sock.h; 64-bit): the least
 * setsockopt leaves (SOCK_MIN_RCVBUF = TCP_SKB_MIN_TRUESIZE, 2048 bytes and an
 * sk_buff; SOCK_MIN_SNDBUF twice that), and what getsockopt reports for a
 * socket that never set them (net.ipv4.tcp_rmem[1], tcp_wmem[1]).
 */
export const SOCK_MIN_RCVBUF = 2_304;
export const SOCK_MIN_SNDBUF = 4_608;
export const TCP_RMEM_DEFAULT = 131_072;
export const TCP_WMEM_DEFAULT = 16_384;

/**
 * sock_setsockopt(SO_RCVBUF / SO_SNDBUF, v): the kernel keeps
 * max(2 * min(v, net.core.rmem_max / wmem_max), SOCK_MIN_*), doubled "to allow
 * space for bookkeeping overhead" (socket(7)), and getsockopt reports that.
 */
export function doubledBuf(value: number, max: number, min: number): number {
  return Math.max(2 * Math.min(value, max, 2 ** 30 - 1), min);
}
export const MAX_WINDOW = 65_535; // no window scaling in the simulator
export const MAX_TCP_KEEPIDLE = 32_767; // seconds
export const MAX_TCP_KEEPINTVL = 32_767; // seconds
export const MAX_TCP_KEEPCNT = 127;
// Delayed ACKs (include/net/tcp.h; in ms, the same at any HZ).
export const TCP_DELACK_MIN = 40; // HZ/25: the shortest delayed-ACK timeout
export const TCP_DELACK_MAX = 200; // HZ/5: the longest (icsk_delack_max)
export const TCP_ATO_MIN = 40; // HZ/25: the ACK timeout's floor
export const TCP_MAX_QUICKACKS = 16; // ACKs sent at once at the start of a connection (tcp_incr_quickack)
export const TCP_MSS_DEFAULT = 536; // the receiver's first guess at the peer's MSS (tcp_initialize_rcv_mss)
export const TCP_MIN_MSS = 88;
/** One jiffy of the reference kernel (CONFIG_HZ=250): a timer set for "now" (an ACK timeout of 0) fires at the next tick. */
export const JIFFY_MS = 4;

export const SYSCTL_DEFAULTS: Sysctls = {
  'net.ipv4.tcp_fin_timeout': 60,
  'net.ipv4.tcp_tw_reuse': 2,
  'net.ipv4.ip_local_port_range': '32768 60999',
  'net.ipv4.tcp_max_tw_buckets': 262_144,
  'net.ipv4.tcp_rfc1337': 0,
  'net.ipv4.tcp_timestamps': 1,
  'net.ipv4.tcp_syn_retries': 6,
  'net.ipv4.tcp_synack_retries': 5,
  'net.ipv4.tcp_retries2': 15,
  'net.ipv4.tcp_orphan_retries': 0,
  'net.ipv4.tcp_max_orphans': 262_144,
  'net.ipv4.tcp_keepalive_time': 7200,
  'net.ipv4.tcp_keepalive_intvl': 75,
  'net.ipv4.tcp_keepalive_probes': 9,
  'net.core.somaxconn': 4096,
  'net.ipv4.tcp_abort_on_overflow': 0,
  'net.ipv4.tcp_syncookies': 1,
  // 4 MB since Linux 6.x (before, 212992).
  'net.core.rmem_max': 4_194_304,
  'net.core.wmem_max': 4_194_304,
};

/** Validates a sysctl value as Linux's proc handlers would; returns an error text or null. */
export function checkSysctl(name: string, value: unknown): string | null {
  if (!(name in SYSCTL_DEFAULTS)) {
    return `unknown sysctl '${name}'; supported: ${Object.keys(SYSCTL_DEFAULTS).join(', ')}`;
  }
  const n = name as SysctlName;
  if (n === 'net.ipv4.ip_local_port_range') {
    const r = parsePortRange(value);
    if (!r) return `${n} takes 'low high' with 1 <= low <= high <= 65535, got ${JSON.stringify(value)}`;
    return null;
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) return `${n} takes an integer, got ${JSON.stringify(value)}`;
  const ranges: Partial<Record<SysctlName, [number, number]>> = {
    'net.ipv4.tcp_tw_reuse': [0, 2],
    'net.ipv4.tcp_rfc1337': [0, 1],
    'net.ipv4.tcp_timestamps': [0, 1],
    'net.ipv4.tcp_fin_timeout': [0, 2_147_483],
    'net.ipv4.tcp_max_tw_buckets': [0, 2 ** 31 - 1],
    'net.ipv4.tcp_syn_retries': [1, 127],
    'net.ipv4.tcp_synack_retries': [0, 255],
    'net.ipv4.tcp_retries2': [0, 255],
    'net.ipv4.tcp_orphan_retries': [0, 255],
    'net.ipv4.tcp_max_orphans': [0, 2 ** 31 - 1],
    // proc_dointvec_jiffies (seconds that fit an int of jiffies) and a u8 for the probes.
    'net.ipv4.tcp_keepalive_time': [0, 2_147_483],
    'net.ipv4.tcp_keepalive_intvl': [0, 2_147_483],
    'net.ipv4.tcp_keepalive_probes': [0, 255],
    'net.core.somaxconn': [0, 2 ** 31 - 1],
    'net.ipv4.tcp_abort_on_overflow': [0, 1],
    'net.ipv4.tcp_syncookies': [0, 2],
    // net/core/sysctl_net_core.c: no less than one minimal buffer.
    'net.core.rmem_max': [SOCK_MIN_RCVBUF, 2 ** 31 - 1],
    'net.core.wmem_max': [SOCK_MIN_SNDBUF, 2 ** 31 - 1],
  };
  const r = ranges[n];
  if (r && (value < r[0] || value > r[1])) return `${n} must be between ${r[0]} and ${r[1]}, got ${value}`;
  return null;
}

export function parsePortRange(v: unknown): [number, number] | null {
  let parts: unknown[];
  if (typeof v === 'string') parts = v.trim().split(/\s+/).map(Number);
  else if (Array.isArray(v)) parts = v;
  else return null;
  if (parts.length !== 2) return null;
  const [lo, hi] = parts as number[];
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo! < 1 || hi! > 65535 || lo! > hi!) return null;
  return [lo!, hi!];
}

export interface ProfileParams {
  profile: Profile;
  /** TIME_WAIT length, ms. */
  timeWaitMs: number;
  /** Linux only: orphaned FIN_WAIT_2 sockets die after tcp_fin_timeout. RFC 9293 has no such timer. */
  finWait2Timeout: boolean;
}

export function profileParams(profile: Profile, mslMs: number): ProfileParams {
  if (profile === 'rfc9293') return { profile, timeWaitMs: 2 * mslMs, finWait2Timeout: false };
  return { profile, timeWaitMs: TCP_TIMEWAIT_LEN, finWait2Timeout: true };
}
