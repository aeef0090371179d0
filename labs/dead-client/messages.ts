// What the dead-client checker says, in every language the grader speaks
// (src/grading/messages.ts). Socket options, sysctls, states, errno names and
// the causes the trace gives (keepalive timeout, TCP_USER_TIMEOUT) stay as they are.
import type { LabMessages } from '../../src/grading/messages.ts';

/** A dead client's connection must be gone this long after it went silent. */
export const DEADLINE_MS = 60_000;
/** A live client may be unreachable or silent this long. */
export const OUTAGE_MS = 15_000;

/** How a client of the checker's server behaves. */
export type ClientKind =
  | 'vanishes-idle' // a request, its reply, then gone
  | 'vanishes-waiting' // a slow request, gone before the reply
  | 'idle' // a request, minutes of silence, another request
  | 'slow-reader' // a large reply it reads only after a pause
  | 'outage-idle' // a request, then OUTAGE_MS unreachable, then another request
  | 'outage-waiting'; // a slow request, OUTAGE_MS unreachable while the reply is sent

export interface OptionsText {
  keepalive: boolean;
  idle: number;
  intvl: number;
  cnt: number;
  userTimeout: number;
}

const deadline = DEADLINE_MS / 1000;
const outage = OUTAGE_MS / 1000;
const isDefault = (o: OptionsText) => o.idle === 7200 && o.intvl === 75 && o.cnt === 9;

const en = {
  options: (o: OptionsText) => {
    const ka = o.keepalive ? `SO_KEEPALIVE on with TCP_KEEPIDLE ${o.idle} s, TCP_KEEPINTVL ${o.intvl} s, TCP_KEEPCNT ${o.cnt}` : 'SO_KEEPALIVE off';
    return `${ka}, TCP_USER_TIMEOUT ${o.userTimeout ? `${o.userTimeout} ms` : 'off'}`;
  },
  kind: {
    'vanishes-idle': 'a client that made a request, got its reply and then vanished',
    'vanishes-waiting': 'a client that vanished while the server was preparing its reply',
    idle: 'a live client that stayed connected and idle',
    'slow-reader': `a live client that paused ${outage} s before reading a large reply`,
    'outage-idle': `a live client whose network was down for ${outage} s while it was idle`,
    'outage-waiting': `a live client whose network was down for ${outage} s while its reply was being sent`,
  } as Record<ClientKind, string>,
  who: (v: { kind: string; name: string; addr?: string }) => `${v.kind} (${v.name}, ${v.addr ?? 'never connected'})`,
  serverFailed: (v: { failure: string }) =>
    `the server failed before it could serve anyone: ${v.failure}. configure() receives the listening socket before bind() and listen(); set options on it and return.`,
  noKeepalive:
    'Nothing ended it: a peer that vanishes sends nothing, and an idle connection sends nothing either, so TCP never finds out ' +
    `(TCP_USER_TIMEOUT only counts while data is unacknowledged or keepalive probes are out). Turn on SO_KEEPALIVE on the listener; accepted sockets inherit it.`,
  keepaliveTooSlow: (o: OptionsText) =>
    `Keepalive is on, but it gives up TCP_KEEPIDLE + TCP_KEEPCNT x TCP_KEEPINTVL = ${o.idle} + ${o.cnt} x ${o.intvl} = ${o.idle + o.cnt * o.intvl} s after the last segment` +
    `${isDefault(o) ? ' (the defaults: net.ipv4.tcp_keepalive_time 7200 s, _intvl 75 s, _probes 9, that is 2 h 11 min 15 s)' : ''}. Set the three options so that this is within ${deadline} s.`,
  userTimeoutTooLong: (v: { userTimeout: number }) =>
    `TCP_USER_TIMEOUT is ${v.userTimeout} ms: it counts from the first retransmission, about 2 s after the client vanished here. Make it shorter.`,
  noUserTimeout:
    'Keepalive sends nothing while data is unacknowledged (the retransmission timer is in charge then), and retransmissions go on for about 15 minutes (tcp_retries2 = 15). TCP_USER_TIMEOUT bounds how long data may stay unacknowledged.',
  gotError: (v: { error: string; at: string }) => `it got ${v.error} at ${v.at}`,
  stillWaiting: 'it was still waiting for the server',
  neverVanished: (v: { who: string; why: string }) => `${v.who} never got as far as vanishing: ${v.why}.`,
  stillHeld: (v: { who: string; silentAt: string; endAt: string; options: string; advice: string }) =>
    `${v.who} went silent at ${v.silentAt}, but the server still held its connection at the end of the run, ${v.endAt} (${v.options}). ${v.advice}`,
  tooLate: (v: { who: string; silentAt: string; endAt: string; cause: string; tookMs: number; options: string; advice: string }) =>
    `${v.who} went silent at ${v.silentAt}; the server's socket for it ended only at ${v.endAt} (${v.cause}), ${(v.tookMs / 1000).toFixed(1)} s later: more than ${deadline} s (${v.options}). ${v.advice}`,
  closedBy: (v: { from: string; cause: string; at: string }) => ` (${v.from} -> CLOSED by ${v.cause} at ${v.at})`,
  keepaliveGaveUp: (v: { options: string }) =>
    `Keepalive gave up on it: with ${v.options} a client that cannot answer for ${outage} s is declared dead. Allow more time before keepalive gives up: TCP_KEEPIDLE + TCP_KEEPCNT x TCP_KEEPINTVL, or TCP_USER_TIMEOUT, which replaces TCP_KEEPCNT once probes are out.`,
  userTimeoutRanOut: (v: { userTimeout: number }) =>
    `TCP_USER_TIMEOUT (${v.userTimeout} ms) ran out: it counts from the first retransmission or zero-window probe, and after an outage the next retransmission comes only when the doubling timeout says so. Allow for ${outage} s of silence plus that back-off.`,
  lookAtOptions: (v: { options: string }) => `Look at what the server's options do to a client that is slow or briefly unreachable (${v.options}).`,
  handlerGot: (v: { errno: string; at: string }) => `its handler got ${v.errno} at ${v.at}`,
  clientGot: (v: { error?: string; at?: string }) => `the client got ${v.error ?? 'no reply'}${v.at ? ` at ${v.at}` : ''}`,
  dropped: (v: { who: string; what: string; cause: string; replies: number; wanted: number; why: string }) =>
    `the server dropped ${v.who}: ${v.what}${v.cause}, after ${v.replies} of ${v.wanted} replies. ${v.why}`,
  fewReplies: (v: { who: string; replies: number; wanted: number; endAt: string }) => `${v.who} got ${v.replies} of ${v.wanted} replies by the end of the run (${v.endAt}).`,
};

type Messages = typeof en;

const zhCN: Messages = {
  options: (o) => {
    const ka = o.keepalive ? `SO_KEEPALIVE 已开启，TCP_KEEPIDLE ${o.idle} 秒，TCP_KEEPINTVL ${o.intvl} 秒，TCP_KEEPCNT ${o.cnt}` : 'SO_KEEPALIVE 未开启';
    return `${ka}，TCP_USER_TIMEOUT ${o.userTimeout ? `${o.userTimeout} ms` : '未设置'}`;
  },
  kind: {
    'vanishes-idle': '一个发完请求、收到回复后就失联的客户端',
    'vanishes-waiting': '一个在服务器准备回复期间失联的客户端',
    idle: '一个保持连接、一直空闲的在线客户端',
    'slow-reader': `一个停顿 ${outage} 秒才去读取一份大回复的在线客户端`,
    'outage-idle': `一个在空闲时断网 ${outage} 秒的在线客户端`,
    'outage-waiting': `一个在回复发送期间断网 ${outage} 秒的在线客户端`,
  },
  who: (v) => `${v.kind}（${v.name}，${v.addr ?? '从未连上'}）`,
  serverFailed: (v) => `服务器还没来得及服务任何客户端就出错了：${v.failure}。configure() 会在 bind() 和 listen() 之前拿到监听套接字；在它上面设置选项，然后返回即可。`,
  noKeepalive:
    '没有任何机制结束它：失联的对端什么也不会发，空闲的连接也什么都不发，所以 TCP 永远不会察觉' +
    '（TCP_USER_TIMEOUT 只在有数据未被确认、或者保活探测已经发出时才计时）。在监听套接字上开启 SO_KEEPALIVE；accept() 得到的套接字会继承它。',
  keepaliveTooSlow: (o) =>
    `保活（keepalive）已开启，但它要在最后一个报文段之后 TCP_KEEPIDLE + TCP_KEEPCNT x TCP_KEEPINTVL = ${o.idle} + ${o.cnt} x ${o.intvl} = ${o.idle + o.cnt * o.intvl} 秒才放弃` +
    `${isDefault(o) ? '（这是默认值：net.ipv4.tcp_keepalive_time 7200 秒、_intvl 75 秒、_probes 9，合计 2 小时 11 分 15 秒）' : ''}。设置这三个选项，让这个时间不超过 ${deadline} 秒。`,
  userTimeoutTooLong: (v) => `TCP_USER_TIMEOUT 是 ${v.userTimeout} ms：它从第一次重传开始计时，在这里大约是客户端失联后 2 秒。把它设得短一些。`,
  noUserTimeout:
    '有数据未被确认时，保活不发送任何探测（这时由重传定时器负责），而重传会持续大约 15 分钟（tcp_retries2 = 15）。TCP_USER_TIMEOUT 限定的正是数据可以多久得不到确认。',
  gotError: (v) => `它在 ${v.at} 遇到了 ${v.error}`,
  stillWaiting: '它仍在等待服务器',
  neverVanished: (v) => `${v.who}还没走到失联那一步：${v.why}。`,
  stillHeld: (v) => `${v.who}自 ${v.silentAt} 起再无音讯，但到运行结束（${v.endAt}）时服务器仍持有它的连接（${v.options}）。${v.advice}`,
  tooLate: (v) =>
    `${v.who}自 ${v.silentAt} 起再无音讯；服务器上对应的套接字直到 ${v.endAt} 才结束（${v.cause}），晚了 ${(v.tookMs / 1000).toFixed(1)} 秒：超过了 ${deadline} 秒（${v.options}）。${v.advice}`,
  closedBy: (v) => `（${v.at} 因 ${v.cause} 从 ${v.from} 变为 CLOSED）`,
  keepaliveGaveUp: (v) =>
    `保活放弃了它：按这组设置（${v.options}），${outage} 秒无法应答的客户端就会被判定为失联。要让保活在放弃之前多等一会儿：调整 TCP_KEEPIDLE + TCP_KEEPCNT x TCP_KEEPINTVL，或者 TCP_USER_TIMEOUT（探测发出后，它会取代 TCP_KEEPCNT）。`,
  userTimeoutRanOut: (v) =>
    `TCP_USER_TIMEOUT（${v.userTimeout} ms）到期了：它从第一次重传或零窗口探测开始计时，而断网结束后，下一次重传要等到按指数退避翻倍的超时到期才会发出。要为 ${outage} 秒的静默再加上这段退避时间留出余量。`,
  lookAtOptions: (v) => `看看服务器的这些选项（${v.options}）对一个慢速或短暂不可达的客户端会产生什么影响。`,
  handlerGot: (v) => `它的处理函数在 ${v.at} 遇到了 ${v.errno}`,
  clientGot: (v) => `客户端${v.at ? `在 ${v.at} ` : ''}${v.error ? `遇到了 ${v.error}` : '没有收到回复'}`,
  dropped: (v) => `服务器丢掉了${v.who}：${v.what}${v.cause}，${v.wanted} 份回复只收到了 ${v.replies} 份。${v.why}`,
  fewReplies: (v) => `到运行结束（${v.endAt}）时，${v.who}只收到了 ${v.wanted} 份回复中的 ${v.replies} 份。`,
};

export const deadClientMessages: LabMessages<Messages> = {
  messages: { en, 'zh-CN': zhCN },
  // The lab page's Run checklist (scenario.ts `expect`), by its English label.
  expectLabels: {
    'zh-CN': {
      "keepalive gives up on the vanished idle client: RST": "保活放弃了消失的空闲客户端：RST",
      "the idle client that vanished is reclaimed": "消失的空闲客户端被回收",
      "the client that vanished with a reply in flight is reclaimed": "回复还在途中就消失的客户端被回收",
      "the live, idle client is still served": "在线的空闲客户端仍然得到服务",
    },
  },
  checks: {
    'zh-CN': {
      'reclaims a client that vanished while idle': {
        title: '回收空闲时失联的客户端',
        description: `一个客户端发出请求、收到回复后失联（没有 FIN，也没有 RST）；另一个在线客户端一直保持连接。服务器上对应失联客户端的套接字必须在 ${deadline} 秒内结束。`,
      },
      'reclaims a client that vanished with a reply in flight': {
        title: '回收回复在途时失联的客户端',
        description: `一个客户端请求一份很慢的回复，在回复到达前就失联了：回复被一遍遍重传，石沉大海。服务器上对应的套接字必须在 ${deadline} 秒内结束。`,
      },
      'keeps live clients that are idle or read slowly': {
        title: '保住空闲或读得慢的在线客户端',
        description: `一个客户端保持连接、空闲 10 分钟后再次请求；另一个停顿 ${outage} 秒才读取一份 40–60 KB 的回复（其间它的接收窗口已经关闭）。两者都必须得到服务，不得被复位，也不得超时。`,
      },
      [`keeps clients through a ${outage}-second outage`]: {
        title: `客户端断网 ${outage} 秒也不丢连接`,
        description: `两个客户端断网 ${outage} 秒：一个在空闲时，一个在回复发送期间。之后两者都必须收到各自的回复。`,
      },
    },
  },
};
