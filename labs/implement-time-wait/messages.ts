// What the implement-time-wait checker says, in every language the grader
// speaks (src/grading/messages.ts). Verdicts, states, flags, sequence numbers,
// timestamps, kernel names and RFC sections stay as they are.
import type { LabMessages } from '../../src/grading/messages.ts';
import { count } from '../../src/grading/trace-queries.ts';

export type VariantKey = 'linux' | 'no-ts' | 'per-tuple' | 'both' | 'wrap-forward' | 'wrap-backward';

const en = {
  variant: {
    linux: "with Linux's defaults: ISN from a clock, timestamps on",
    'no-ts': 'with timestamps off: only the sequence number tells a new SYN from an old one',
    'per-tuple': "with isn: 'per-tuple': every incarnation starts at the same sequence number, only the timestamp tells a new SYN from an old one",
    both: "with isn: 'per-tuple' and timestamps off: nothing tells a new SYN from an old duplicate",
    'wrap-forward': 'with sequence numbers and timestamps just below 2^32, so that the new SYN wraps past 0',
    'wrap-backward': 'with rcvNxt and tsRecent just past 0, so that earlier segments carry numbers just below 2^32',
  } as Record<VariantKey, string>,
  durationThrew: (v: { error: string }) => `durationMs() threw ${v.error}`,
  durationBad: (v: { value: string }) => `durationMs() returned ${v.value}: it must return a number of milliseconds (0 or more)`,
  loop: (v: { local: string; remote: string; host: string; n: number; at: string; last: { flags: string; verdict: string }[] }) =>
    `the TIME_WAIT socket ${v.local} (peer ${v.remote}) on ${v.host} had ${v.n} segments to decide by ${v.at}: ` +
    `a loop between your answers and the peer's (last: ${v.last.map((d) => `${d.flags} → '${d.verdict}'`).join(', ')})`,
  segmentThrew: (v: { error: string; flags: string }) => `onSegment() threw ${v.error} for a ${v.flags} segment`,
  segmentBad: (v: { value: string; flags: string; verdicts: string }) => `onSegment() returned ${v.value} for a ${v.flags} segment: return one of ${v.verdicts}`,
  broke: (v: { problem: string }) => `your TIME_WAIT handler broke the run: ${v.problem}.`,
  who: (v: { host: string; label: string }) => `client '${v.host}' (${v.label})`,
  aClient: 'a client',
  server: 'server',
  connectionOf: (v: { who: string }) => `(connection of ${v.who}) `,
  neverEntered: (v: { holder: string; conn: string; what: string }) => `the ${v.holder} ${v.conn}never entered TIME_WAIT, so ${v.what} could not be judged.`,
  unknownCause: 'unknown cause',
  tooLate: (v: { what: string; holder: string; at: string; leftAt: string; because: string; length: string; returned?: number }) =>
    `${v.what} reached the ${v.holder} at ${v.at}, after its TIME_WAIT had ended at ${v.leftAt} (${v.because} after ` +
    `${v.length}${v.returned !== undefined ? `: durationMs() returned ${v.returned}` : ''}): no TIME_WAIT was left to answer it.`,
  neverReached: (v: { what: string; holder: string }) =>
    `${v.what} never reached the ${v.holder}'s TIME_WAIT socket in this run; the checker cannot judge your handler here (please report this).`,
  failure: (v: { failure: string }) => `${v.failure}.`,
  seqNote: ' (numbers as your handler saw them)',
  failedWith: (v: { error: string }) => `failed with ${v.error}`,
  didNotFinish: 'did not finish',
  nothing: 'nothing',
  // TIME_WAIT lasts 60 s
  noTimeWait: (v: { who: string; how: string }) => `${v.who} closed first but never entered TIME_WAIT (its connection ${v.how}).`,
  endless: (v: { who: string; entered: string; now: string }) =>
    `the TIME_WAIT of ${v.who}, begun at ${v.entered}, had not ended by ${v.now}: durationMs() must return the length in milliseconds.`,
  tooShort: (v: { length: string }) =>
    `TIME_WAIT lasted ${v.length}. Linux holds it for 60 s (TCP_TIMEWAIT_LEN), RFC 9293 for 2×MSL: long enough for a lost last ACK to be sent again ` +
    `and for old duplicates of this connection to die before the same ports can carry a new one. Shorter is not an optimisation, it removes the protection.`,
  notSixty: (v: { who: string; length: string; because: string; last?: { verdict: string; flags: string; at: string } }) =>
    `the TIME_WAIT of ${v.who} lasted ${v.length} (ended by ${v.because}${v.last ? `, after your handler returned '${v.last.verdict}' for a ${v.last.flags} segment at ${v.last.at}` : ''}); ` +
    `with no segment to restart it, it must last Linux's fixed 60 s (60000 ms).`,
  // a lost last ACK is sent again
  retransmittedFin: "the server's retransmitted FIN",
  finUnanswered: (v: { verdict: string; seq: number; rcvNxt: number; note: string; at: string; who: string; end?: { at: string; cause: string } }) =>
    `your handler returned '${v.verdict}' for the server's retransmitted FIN (seq ${v.seq}, rcvNxt ${v.rcvNxt}${v.note}) at ${v.at}, ${v.who}. ` +
    `Its first ACK was lost: the server is still in LAST_ACK and retransmits its FIN until someone ACKs it. Answering it is the first reason TIME_WAIT exists (RFC 9293 §3.6.1). ` +
    `${v.end ? `The server left LAST_ACK only at ${v.end.at} (${v.end.cause}).` : 'The server never left LAST_ACK in this run.'}`,
  reset: 'reset',
  finRst: (v: { who: string; cause: string }) => `your handler answered the retransmitted FIN with RST (${v.who}): the server's close ends in an error (${v.cause}) instead of a clean ACK.`,
  finAcceptSyn: (v: { who: string }) =>
    `your handler returned 'accept-syn' for a FIN (${v.who}): that verdict is for a SYN; for anything else the kernel sends an ACK, so the FIN was answered, but say what you mean: 'ack-restart'.`,
  finNotClean: (v: { verdict: string; who: string; cause: string }) =>
    `after your handler returned '${v.verdict}' for the retransmitted FIN (${v.who}), the server left LAST_ACK by ${v.cause} instead of the ACK of its FIN.`,
  // a retransmitted FIN restarts the timer
  finNotAnswered: (v: { verdict: string; who: string }) =>
    `your handler returned '${v.verdict}' for the retransmitted FIN (${v.who}): it was not answered, so there is no restart to judge (see "a lost last ACK is sent again").`,
  neverWentAway: (v: { who: string; at: string }) => `the TIME_WAIT of ${v.who} never went away (still there at ${v.at}).`,
  notRestarted: (v: { fromFin: string; at: string; who: string; length: string; because: string; verdict: string }) =>
    `TIME_WAIT ended ${v.fromFin} after the retransmitted FIN arrived (${v.at}, ${v.who}) instead of a full ${v.length} ` +
    `(${v.because}): your handler returned '${v.verdict}'. ` +
    `Linux restarts the timer when it ACKs a retransmitted FIN (inet_twsk_reschedule in tcp_timewait_state_process), so that if this ACK is lost too the next retransmission still finds a TIME_WAIT to answer it.`,
  // an old duplicate is ACKed and restarts the timer
  delayedReply: 'the delayed duplicate of the reply',
  oldData: (v: { seq: number; len: number; rcvNxt: number; note: string; at: string; who: string }) =>
    `an old duplicate data segment (seq ${v.seq}, ${v.len} bytes, before rcvNxt ${v.rcvNxt}${v.note}) at ${v.at}, ${v.who}`,
  dupDestroyed: (v: { verdict: string; what: string }) =>
    `your handler returned '${v.verdict}' for ${v.what}: that destroys TIME_WAIT, the very state that must absorb old duplicates so they cannot reach a new connection on the same ports.`,
  dupRst: (v: { what: string }) => `your handler answered ${v.what} with RST. RFC 9293 §3.10.7.4: a segment that is not acceptable is answered with an ACK (and dropped), never a reset.`,
  dupIgnored: (v: { what: string }) =>
    `your handler ignored ${v.what}. RFC 9293 §3.10.7.4 (and Linux): a segment outside the window is answered with an ACK of rcvNxt, which tells a confused peer where the connection stands.`,
  dupNoRestart: (v: { verdict: string; what: string }) =>
    `your handler returned '${v.verdict}' for ${v.what}: the ACK is right, but Linux also restarts the timer for it. tcp_timewait_state_process() calls inet_twsk_reschedule() for every ` +
    `segment outside the window that carries an ACK (or that PAWS rejects): a peer still sending old segments is not done, and TIME_WAIT must outlast them. Return 'ack-restart'.`,
  dupLength: (v: { what: string; at: string; due: string }) =>
    `after your handler restarted the timer for ${v.what}, TIME_WAIT ended at ${v.at} instead of ${v.due}: durationMs() must return the same length every time.`,
  // an RST does not assassinate TIME_WAIT
  serverRst: "the server's RST",
  rstAnswered: (v: { verdict: string; seq: number; rcvNxt: number; note: string; at: string; who: string }) =>
    `your handler returned '${v.verdict}' for an RST (seq ${v.seq}, rcvNxt ${v.rcvNxt}${v.note}) at ${v.at}, ${v.who}. ` +
    (v.verdict === 'kill'
      ? `That is TIME-WAIT assassination (RFC 1337): an old duplicate made the peer send a reset, and the reset ended TIME_WAIT early, leaving the ports open to old segments. `
      : `An RST is never answered (RFC 9293 §3.10.7.4): an ACK or RST in reply to the peer's RST can only make it send another. `) +
    `Ignore RSTs in TIME_WAIT, as Linux does with net.ipv4.tcp_rfc1337 = 1.`,
  // a new SYN opens a new connection at once
  noSecond: (v: { who: string; how: string }) => `${v.who} never got to its second connect(): its first connection ${v.how}.`,
  newSynOf: (v: { who: string }) => `the new SYN of ${v.who}`,
  evidencePerTuple: (v: { seq: number; rcvNxt: number; tsval?: number; tsRecent?: number }) =>
    `its sequence number ${v.seq} is not beyond rcvNxt ${v.rcvNxt} (this host reuses the ISN), but its timestamp ${v.tsval} is newer than tsRecent ${v.tsRecent}`,
  evidenceNoTs: (v: { seq: number; rcvNxt: number }) => `it carries no timestamp, but its sequence number ${v.seq} is beyond rcvNxt ${v.rcvNxt}`,
  evidenceBoth: (v: { seq: number; rcvNxt: number; tsval?: number; tsRecent?: number; note: string }) =>
    `its sequence number ${v.seq} is beyond rcvNxt ${v.rcvNxt} and its timestamp ${v.tsval} is newer than tsRecent ${v.tsRecent}${v.note}, comparing modulo 2^32`,
  secondFailedWith: (v: { error: string }) => `the second connect() failed with ${v.error}`,
  secondSlow: (v: { took: string }) => `the second connect() took ${v.took}: the client had to retry until TIME_WAIT ran out`,
  secondNever: 'the second connect() never completed',
  synRefused: (v: { who: string; outcome: string; verdict: string; at: string; evidence: string }) =>
    `${v.who}: ${v.outcome}. Your handler returned '${v.verdict}' for its new SYN at ${v.at}, although ${v.evidence}. Linux takes such a SYN as a new incarnation (TCP_TW_SYN, RFC 6191): return 'accept-syn'.`,
  acceptedButFailed: (v: { who: string; error: string }) => `after your handler accepted the new SYN of ${v.who}, the second connection failed with ${v.error}.`,
  acceptedButNever: (v: { who: string }) => `after your handler accepted the new SYN of ${v.who}, the second connect() never completed.`,
  wrongExchange: (v: { who: string; got: string; want: string }) => `the new connection of ${v.who} did not carry the exchange: it received ${v.got} instead of ${v.want}.`,
  // an old duplicate SYN is not accepted
  reconnectingSynOf: (v: { who: string }) => `the reconnecting SYN of ${v.who}`,
  oldSynOf: (v: { who: string }) => `the old duplicate SYN of ${v.who}`,
  ambiguousSyn: (v: { label: string; seq: number; rcvNxt: number }) =>
    `a SYN of a client reconnecting ${v.label}: seq ${v.seq} is not beyond rcvNxt ${v.rcvNxt} and there is no timestamp`,
  oldSyn: (v: { seq: number; rcvNxt: number; tsval?: number; tsRecent?: number; note: string; who: string }) =>
    `an old duplicate SYN (seq ${v.seq}, not beyond rcvNxt ${v.rcvNxt}${v.tsval !== undefined ? `; timestamp ${v.tsval}, not newer than tsRecent ${v.tsRecent}` : ', no timestamp'}${v.note}), ${v.who}`,
  synDestroyed: (v: { verdict: string; at: string; what: string }) =>
    `your handler returned '${v.verdict}' at ${v.at} for ${v.what}: it destroyed TIME_WAIT and ` +
    `${v.verdict === 'accept-syn' ? 'let a SYN that may be an old duplicate open a connection' : 'left the ports unprotected'}. Accept a SYN only when its sequence number is beyond rcvNxt or its timestamp is newer than tsRecent (compared modulo 2^32).`,
  synRst: (v: { what: string; at: string; error?: string }) =>
    `your handler answered ${v.what} with RST at ${v.at}. ` +
    `A reset tells the sender that nothing listens: a client really reconnecting gets ECONNREFUSED instead of retrying${v.error ? ` (here connect() failed with ${v.error})` : ''}. ` +
    `Linux answers a SYN it does not take as new with an ACK of rcvNxt (TCP_TW_ACK): the sender resets its half-open attempt and tries again later.`,
  synIgnored: (v: { what: string; at: string }) =>
    `your handler ignored ${v.what} at ${v.at}. Linux answers it with an ACK of rcvNxt (TCP_TW_ACK, the challenge ACK of RFC 9293 §3.10.7.4): a sender whose state is gone learns from it that this connection still exists.`,
  neverReconnected: (v: { who: string; error?: string; restarts: number }) =>
    `${v.who} could never reconnect: its connect() ${v.error ? `failed with ${v.error}` : 'never completed'}` +
    (v.restarts
      ? `. Your handler restarted the timer for ${count(v.restarts, 'SYN')} ('ack-restart'), so every retry kept TIME_WAIT alive until the client gave up. Answer a SYN with 'ack' and leave the timer alone.`
      : '.'),
  // hundreds of TIME_WAIT sockets
  noEof: (v: { got: string }) => `received ${v.got} and no EOF`,
  unfinished: (v: { bad: number; total: number; who: string; detail: string }) =>
    `${count(v.bad, 'client')} of ${v.total} did not finish their exchange (first: ${v.who}: ${v.detail}).`,
  tooFewSpans: (v: { spans: number; pairs: number }) => `the server entered TIME_WAIT for only ${v.spans} of ${v.pairs} connections it closed first.`,
  lengths: (v: { list: string; first?: number; at: string; already: number; other?: number }) =>
    `durationMs() did not return one length: ${v.list}. The first TIME_WAIT sockets got ${v.first} ms; ` +
    `the one that began at ${v.at}, with ${v.already} others already in TIME_WAIT, got ${v.other} ms. ` +
    `TIME_WAIT must not shrink under load: the old duplicates it guards against do not get faster when there are many connections.`,
  noFin: "no retransmitted FIN reached the server's TIME_WAIT sockets in this run; the checker cannot judge your handler here (please report this).",
  finPart: (v: { verdict: string; count: number; peer: string; at: string }) => `'${v.verdict}' for ${v.count} (first ${v.peer} at ${v.at})`,
  mixed: (v: { peak: number; fins: number; parts: string[] }) =>
    `with ${v.peak} TIME_WAIT sockets at once, your handler answered the ${count(v.fins, 'retransmitted FIN')} differently: ${v.parts.join(', ')}. ` +
    `Each TIME_WAIT socket is judged on its own segment and its own tw: state shared between connections (a counter, the last number seen) mixes them up.`,
  offItem: (v: { peer: string; at: string; due: string }) => `${v.peer} ended at ${v.at}, due at ${v.due}`,
  neverItem: (v: { peer: string; at: string }) => `${v.peer} had not ended by ${v.at}`,
  off: (v: { peak: number; count: number; list: string }) =>
    `with ${v.peak} TIME_WAIT sockets at once, ${count(v.count, 'socket')} did not last exactly durationMs() from entry or from its own last restart (${v.list}).`,
};

type Messages = typeof en;

const zhCN: Messages = {
  variant: {
    linux: 'Linux 默认设置：ISN 由时钟生成，开启时间戳',
    'no-ts': '关闭时间戳：只有序列号能区分新 SYN 和旧 SYN',
    'per-tuple': "isn: 'per-tuple'：每一代连接都从同一个序列号开始，只有时间戳能区分新 SYN 和旧 SYN",
    both: "isn: 'per-tuple' 且关闭时间戳：没有任何东西能区分新 SYN 和旧的重复 SYN",
    'wrap-forward': '序列号和时间戳都略低于 2^32，新 SYN 会回绕过 0',
    'wrap-backward': 'rcvNxt 和 tsRecent 刚过 0，更早的报文段带着略低于 2^32 的数字',
  },
  durationThrew: (v) => `durationMs() 抛出了 ${v.error}`,
  durationBad: (v) => `durationMs() 返回了 ${v.value}：它必须返回一个毫秒数（0 或更大）`,
  loop: (v) =>
    `${v.host} 上的 TIME_WAIT 套接字 ${v.local}（对端 ${v.remote}）到 ${v.at} 为止要裁决 ${v.n} 个报文段：` +
    `你的应答和对端的应答陷入了循环（最后几个：${v.last.map((d) => `${d.flags} → '${d.verdict}'`).join('，')}）`,
  segmentThrew: (v) => `onSegment() 在处理一个 ${v.flags} 报文段时抛出了 ${v.error}`,
  segmentBad: (v) => `onSegment() 对一个 ${v.flags} 报文段返回了 ${v.value}：必须返回 ${v.verdicts} 之一`,
  broke: (v) => `你的 TIME_WAIT 处理函数破坏了这次运行：${v.problem}。`,
  who: (v) => `客户端 '${v.host}'（${v.label}）`,
  aClient: '某个客户端',
  server: '服务端',
  connectionOf: (v) => `（${v.who}的连接）`,
  neverEntered: (v) => `${v.holder}${v.conn}从未进入 TIME_WAIT，因此无法评判${v.what}。`,
  unknownCause: '原因不明',
  tooLate: (v) =>
    `${v.what}在 ${v.at} 才到达${v.holder}，而它的 TIME_WAIT 已在 ${v.leftAt} 结束（${v.because}，持续了 ` +
    `${v.length}${v.returned !== undefined ? `：durationMs() 返回的是 ${v.returned}` : ''}）：已经没有 TIME_WAIT 来应答它了。`,
  neverReached: (v) => `这次运行中，${v.what}始终没有到达${v.holder}的 TIME_WAIT 套接字；判题器在这里无法评判你的处理函数（请报告这个问题）。`,
  failure: (v) => `${v.failure}。`,
  // Inside the parentheses that give the numbers.
  seqNote: '；数值为你的处理函数看到的值',
  failedWith: (v) => `以 ${v.error} 失败`,
  didNotFinish: '没有完成',
  nothing: '无',
  noTimeWait: (v) => `${v.who}先关闭了连接，却从未进入 TIME_WAIT（它的连接${v.how}）。`,
  endless: (v) => `${v.who}的 TIME_WAIT 从 ${v.entered} 开始，到 ${v.now} 仍未结束：durationMs() 必须以毫秒为单位返回它的时长。`,
  tooShort: (v) =>
    `TIME_WAIT 只持续了 ${v.length}。Linux 让它保持 60 秒（TCP_TIMEWAIT_LEN），RFC 9293 规定为 2×MSL：这段时间要足够让丢失的最后一个 ACK 被重发，` +
    `也要足够让这条连接的旧重复报文段在同一对端口承载新连接之前消亡。缩短它不是优化，而是拆掉了保护。`,
  notSixty: (v) =>
    `${v.who}的 TIME_WAIT 持续了 ${v.length}（结束原因：${v.because}${v.last ? `，此前你的处理函数在 ${v.last.at} 对一个 ${v.last.flags} 报文段返回了 '${v.last.verdict}'` : ''}）；` +
    `没有报文段让它重启时，它必须持续 Linux 固定的 60 秒（60000 ms）。`,
  retransmittedFin: '服务端重传的 FIN 报文段',
  finUnanswered: (v) =>
    `你的处理函数在 ${v.at} 对服务端重传的 FIN（seq ${v.seq}，rcvNxt ${v.rcvNxt}${v.note}）返回了 '${v.verdict}'，${v.who}。` +
    `它的第一个 ACK 丢了：服务端仍处于 LAST_ACK，会一直重传 FIN，直到有人确认它。应答这个 FIN 正是 TIME_WAIT 存在的首要原因（RFC 9293 §3.6.1）。` +
    `${v.end ? `服务端直到 ${v.end.at} 才离开 LAST_ACK（${v.end.cause}）。` : '这次运行中服务端始终没有离开 LAST_ACK。'}`,
  reset: '复位',
  finRst: (v) => `你的处理函数用 RST 应答了重传的 FIN（${v.who}）：服务端的关闭以错误告终（${v.cause}），而不是干净地收到 ACK。`,
  finAcceptSyn: (v) =>
    `你的处理函数对一个 FIN 返回了 'accept-syn'（${v.who}）：这个判决是给 SYN 用的；对其他报文段内核会发出 ACK，所以这个 FIN 得到了应答，但请写出你的本意：'ack-restart'。`,
  finNotClean: (v) => `你的处理函数对重传的 FIN 返回 '${v.verdict}' 之后（${v.who}），服务端离开 LAST_ACK 的原因是 ${v.cause}，而不是收到对其 FIN 的 ACK。`,
  finNotAnswered: (v) => `你的处理函数对重传的 FIN 返回了 '${v.verdict}'（${v.who}）：它没有得到应答，所以无从评判定时器是否重启（见检查项“丢失的最后一个 ACK 会被重发”）。`,
  neverWentAway: (v) => `${v.who}的 TIME_WAIT 始终没有结束（到 ${v.at} 仍然存在）。`,
  notRestarted: (v) =>
    `TIME_WAIT 在重传的 FIN 到达（${v.at}，${v.who}）之后 ${v.fromFin} 就结束了，而不是完整的 ${v.length}` +
    `（${v.because}）：你的处理函数返回的是 '${v.verdict}'。` +
    `Linux 在确认重传的 FIN 时会重启定时器（tcp_timewait_state_process 中的 inet_twsk_reschedule），这样即使这个 ACK 也丢了，下一次重传仍能找到 TIME_WAIT 来应答。`,
  delayedReply: '延迟到达的回复副本',
  oldData: (v) => `${v.who}在 ${v.at} 收到的一个旧的重复数据报文段（seq ${v.seq}，${v.len} 字节，在 rcvNxt ${v.rcvNxt} 之前${v.note}）`,
  dupDestroyed: (v) => `你的处理函数对${v.what}返回了 '${v.verdict}'：这会销毁 TIME_WAIT，而吸收旧的重复报文段、不让它们混进同一对端口上的新连接，恰恰是 TIME_WAIT 的职责。`,
  dupRst: (v) => `你的处理函数用 RST 应答了${v.what}。RFC 9293 §3.10.7.4：不可接受的报文段要回一个 ACK（并丢弃），绝不能回复位。`,
  dupIgnored: (v) => `你的处理函数忽略了${v.what}。RFC 9293 §3.10.7.4（以及 Linux）：窗口外的报文段要回一个确认 rcvNxt 的 ACK，让困惑的对端知道这条连接进行到了哪里。`,
  dupNoRestart: (v) =>
    `你的处理函数对${v.what}返回了 '${v.verdict}'：回 ACK 是对的，但 Linux 还会为它重启定时器。对每个带 ACK 的窗口外报文段（或被 PAWS 拒绝的报文段），` +
    `tcp_timewait_state_process() 都会调用 inet_twsk_reschedule()：对端还在发送旧报文段，说明它还没结束，TIME_WAIT 必须比它们活得更久。请返回 'ack-restart'。`,
  dupLength: (v) => `你的处理函数为${v.what}重启定时器之后，TIME_WAIT 在 ${v.at} 结束，而不是在 ${v.due}：durationMs() 每次都必须返回同样的时长。`,
  serverRst: '服务端回的 RST 报文段',
  rstAnswered: (v) =>
    `你的处理函数在 ${v.at} 对一个 RST（seq ${v.seq}，rcvNxt ${v.rcvNxt}${v.note}）返回了 '${v.verdict}'，${v.who}。` +
    (v.verdict === 'kill'
      ? `这就是 TIME-WAIT 暗杀（RFC 1337）：一个旧的重复报文段让对端发出了复位，而这个复位提前结束了 TIME_WAIT，让这对端口暴露在旧报文段面前。`
      : `RST 永远不被应答（RFC 9293 §3.10.7.4）：用 ACK 或 RST 回应对端的 RST，只会让它再发一个。`) +
    `在 TIME_WAIT 中忽略 RST，就像 Linux 在 net.ipv4.tcp_rfc1337 = 1 时那样。`,
  noSecond: (v) => `${v.who}始终没能发起第二次 connect()：它的第一条连接${v.how}。`,
  newSynOf: (v) => `${v.who}的新 SYN 报文段`,
  evidencePerTuple: (v) => `它的序列号 ${v.seq} 没有超过 rcvNxt ${v.rcvNxt}（这台主机复用 ISN），但它的时间戳 ${v.tsval} 比 tsRecent ${v.tsRecent} 新`,
  evidenceNoTs: (v) => `它不带时间戳，但序列号 ${v.seq} 超过了 rcvNxt ${v.rcvNxt}`,
  evidenceBoth: (v) => `它的序列号 ${v.seq} 超过了 rcvNxt ${v.rcvNxt}，时间戳 ${v.tsval} 也比 tsRecent ${v.tsRecent} 新（按模 2^32 比较${v.note}）`,
  secondFailedWith: (v) => `第二次 connect() 以 ${v.error} 失败`,
  secondSlow: (v) => `第二次 connect() 花了 ${v.took}：客户端只能不断重试，直到 TIME_WAIT 结束`,
  secondNever: '第二次 connect() 始终没有完成',
  synRefused: (v) =>
    `${v.who}：${v.outcome}。你的处理函数在 ${v.at} 对它的新 SYN 返回了 '${v.verdict}'，然而${v.evidence}。Linux 会把这样的 SYN 当作新一代连接（TCP_TW_SYN，RFC 6191）：请返回 'accept-syn'。`,
  acceptedButFailed: (v) => `你的处理函数接受了${v.who}的新 SYN 之后，第二条连接以 ${v.error} 失败。`,
  acceptedButNever: (v) => `你的处理函数接受了${v.who}的新 SYN 之后，第二次 connect() 始终没有完成。`,
  wrongExchange: (v) => `${v.who}的新连接没有完成这次交换：它收到的是 ${v.got}，而不是 ${v.want}。`,
  reconnectingSynOf: (v) => `${v.who}重新连接时发出的 SYN 报文段`,
  oldSynOf: (v) => `${v.who}的旧重复 SYN 报文段`,
  ambiguousSyn: (v) => `一个重新连接的客户端（${v.label}）发出的 SYN：seq ${v.seq} 没有超过 rcvNxt ${v.rcvNxt}，也没有时间戳`,
  oldSyn: (v) =>
    `${v.who}的一个旧重复 SYN（seq ${v.seq}，没有超过 rcvNxt ${v.rcvNxt}${v.tsval !== undefined ? `；时间戳 ${v.tsval}，不比 tsRecent ${v.tsRecent} 新` : '，没有时间戳'}${v.note}）`,
  synDestroyed: (v) =>
    `你的处理函数在 ${v.at} 对${v.what}返回了 '${v.verdict}'：它销毁了 TIME_WAIT，` +
    `${v.verdict === 'accept-syn' ? '让一个可能是旧重复报文段的 SYN 建立了连接' : '让这对端口失去了保护'}。只有当 SYN 的序列号超过 rcvNxt，或者时间戳比 tsRecent 新（按模 2^32 比较）时，才接受它。`,
  synRst: (v) =>
    `你的处理函数在 ${v.at} 用 RST 应答了${v.what}。` +
    `复位告诉发送方这里没有人在监听：真正在重新连接的客户端会得到 ECONNREFUSED，而不是继续重试${v.error ? `（这里 connect() 以 ${v.error} 失败）` : ''}。` +
    `对于不认为是新连接的 SYN，Linux 回一个确认 rcvNxt 的 ACK（TCP_TW_ACK）：发送方会复位它的半开连接尝试，稍后再试。`,
  synIgnored: (v) =>
    `你的处理函数在 ${v.at} 忽略了${v.what}。Linux 会回一个确认 rcvNxt 的 ACK（TCP_TW_ACK，即 RFC 9293 §3.10.7.4 的挑战 ACK）：状态已经丢失的发送方由此得知这条连接仍然存在。`,
  neverReconnected: (v) =>
    `${v.who}始终没能重新连接：它的 connect() ${v.error ? `以 ${v.error} 失败` : '始终没有完成'}` +
    (v.restarts
      ? `。你的处理函数为 ${v.restarts} 个 SYN 重启了定时器（'ack-restart'），于是每次重试都让 TIME_WAIT 续命，直到客户端放弃。对 SYN 回 'ack'，不要动定时器。`
      : '。'),
  noEof: (v) => `收到了 ${v.got}，但没有收到 EOF`,
  unfinished: (v) => `${v.total} 个客户端中有 ${v.bad} 个没有完成交换（第一个：${v.who}：${v.detail}）。`,
  tooFewSpans: (v) => `服务端先关闭了 ${v.pairs} 条连接，却只为其中 ${v.spans} 条进入了 TIME_WAIT。`,
  lengths: (v) =>
    `durationMs() 返回的时长不止一种：${v.list}。最早的那些 TIME_WAIT 套接字得到的是 ${v.first} ms；` +
    `在 ${v.at} 开始、当时已有 ${v.already} 个套接字处于 TIME_WAIT 的那一个，得到的是 ${v.other} ms。` +
    `TIME_WAIT 不能因负载高而缩短：它所防范的旧重复报文段，并不会因为连接多了就消失得更快。`,
  noFin: '这次运行中没有重传的 FIN 到达服务端的 TIME_WAIT 套接字；判题器在这里无法评判你的处理函数（请报告这个问题）。',
  finPart: (v) => `${v.count} 个返回 '${v.verdict}'（第一个是 ${v.peer}，在 ${v.at}）`,
  mixed: (v) =>
    `同时有 ${v.peak} 个 TIME_WAIT 套接字时，你的处理函数对 ${v.fins} 个重传的 FIN 给出了不同的应答：${v.parts.join('；')}。` +
    `每个 TIME_WAIT 套接字都要只根据它自己的报文段和它自己的 tw 来裁决：在连接之间共享的状态（计数器、最后看到的数字）会把它们搞混。`,
  offItem: (v) => `${v.peer} 在 ${v.at} 结束，应在 ${v.due}`,
  neverItem: (v) => `${v.peer} 到 ${v.at} 仍未结束`,
  off: (v) => `同时有 ${v.peak} 个 TIME_WAIT 套接字时，有 ${v.count} 个套接字没有从进入时或它自己最后一次重启时起恰好持续 durationMs()（${v.list}）。`,
};

export const implementTimeWaitMessages: LabMessages<Messages> = {
  messages: { en, 'zh-CN': zhCN },
  // The lab page's Run checklist (scenario.ts `expect`), by its English label.
  expectLabels: {
    'zh-CN': {
      "the client closes first, so the client holds TIME_WAIT": "客户端先关闭，所以 TIME_WAIT 在客户端上",
      "the server sends its FIN, and again when the ACK of it is lost": "服务器发出它的 FIN，对它的 ACK 丢失后再发一次",
      "the lost last ACK is sent again": "丢失的最后一个 ACK 被重新发出",
      "a stray copy of the last ACK makes the closed server send RST": "最后一个 ACK 的一份迷途副本让已关闭的服务器发出 RST",
      "the RST does not end TIME_WAIT (RFC 1337)": "RST 不会结束 TIME_WAIT（RFC 1337）",
      "the TIME_WAIT timer": "TIME_WAIT 定时器",
      "on the second connection the server closes first": "第二条连接上由服务器先关闭",
      "a new SYN from the same port opens a new connection at once": "来自同一端口的新 SYN 立即打开一条新连接",
    },
  },
  checks: {
    'zh-CN': {
      'TIME_WAIT lasts 60 s, as on Linux': {
        title: 'TIME_WAIT 持续 60 秒，与 Linux 一致',
        description: '客户端先关闭（分别开启和关闭时间戳）；每段 TIME_WAIT 都必须恰好持续 60 秒。',
      },
      'a lost last ACK is sent again': {
        title: '丢失的最后一个 ACK 会被重发',
        description:
          '每个客户端的最后一个 ACK 都被丢弃；服务端重传的 FIN 到达 TIME_WAIT，必须得到 ACK，服务端才能干净地离开 LAST_ACK（分别测试开启和关闭时间戳、per-tuple ISN、会回绕的数值）。',
      },
      'a retransmitted FIN restarts the timer': {
        title: '重传的 FIN 重启定时器',
        description: '重传的 FIN 再次得到 ACK 之后，TIME_WAIT 必须从那一刻起再持续完整的 durationMs()。',
      },
      'an old duplicate is ACKed and restarts the timer': {
        title: '旧的重复报文段得到 ACK 并重启定时器',
        description:
          '服务端回复的一份副本被延迟 5 秒，到达每个客户端的 TIME_WAIT；和 Linux 一样，客户端必须回一个 ACK、保留 TIME_WAIT 并重启定时器，使它从这份副本到达起再持续完整的 durationMs()（分别测试开启和关闭时间戳、会回绕的数值）。',
      },
      'an RST does not assassinate TIME_WAIT': {
        title: 'RST 暗杀不了 TIME_WAIT',
        description: '每个客户端最后一个 ACK 的一份副本被延迟 2 秒，让（已关闭的）服务端回了 RST；TIME_WAIT 套接字必须忽略它（RFC 1337），并持续完整的时长。',
      },
      'a new SYN opens a new connection at once': {
        title: '新的 SYN 立即建立新连接',
        description:
          '服务端先关闭并停在 TIME_WAIT；约 1 秒后，每个客户端从同一个端口再次连接。Linux 认为是新连接的 SYN（时间戳更新，或者序列号超过 rcvNxt）必须被接受：1 秒内连上。',
      },
      'an old duplicate SYN is not accepted': {
        title: '旧的重复 SYN 不被接受',
        description:
          '每个客户端第一个 SYN 的一份副本被延迟 3 秒，到达服务端的 TIME_WAIT；另有一个使用 per-tuple ISN、关闭时间戳的客户端重新连接：Linux 不认为是新连接的 SYN 必须回一个 ACK，既不接受，也不复位。',
      },
      'hundreds of TIME_WAIT sockets are each kept and answered': {
        title: '几百个 TIME_WAIT 套接字各自保留、各自应答',
        description:
          '服务端先关闭来自四台客户端主机的 200 条连接（开启和关闭时间戳、per-tuple ISN），于是同时持有 200 个 TIME_WAIT 套接字；其中一些最后的 ACK 丢失。每个套接字都必须从进入时或它自己的重启时起持续完整的 60 秒，每个重传的 FIN 都必须得到 ACK。',
      },
    },
  },
};
