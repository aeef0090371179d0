// What the many-short-connections checker says, in every language the grader
// speaks (src/grading/messages.ts). Calls, states, errno names, sysctls, the
// protocol's lines and the simulator's causes stay as they are; numbers are
// formatted for the reader.
import type { LabMessages } from '../../src/grading/messages.ts';
import { count } from '../../src/grading/trace-queries.ts';

const n = (x: number) => x.toLocaleString('en');

/** Who sent an RST, in which state, and why (the simulator's cause, or null). */
export interface ResetText {
  byClient: boolean;
  from: string;
  flags: string;
  state?: string;
  at: string;
  port: number;
  cause?: string;
}

/** A sysctl the load generator changed. */
export interface ChangeText {
  key: string;
  value: string;
  was: string;
  at: string;
  /** Its value at the end, when it was set back. */
  restored?: string;
}

const en = {
  exhausted: (v: { at: string; answered: number; timeWait: number; ports: number }) =>
    `connect() failed with EADDRNOTAVAIL at ${v.at} after ${n(v.answered)} requests, with ${n(v.timeWait)} client sockets in TIME_WAIT. ` +
    `Each connection your client closes first keeps its local port in TIME_WAIT for 60 s, and this client has ${n(v.ports)} ephemeral ports to one server address ` +
    `(Linux's default is 28,232: about 470 new connections a second, still far from the ~1,700 a second this load needs). Reuse connections (keep-alive: many requests per connection), or ask the server to close first ("ping close").`,
  storyPieces: (v: { pieces: number }) => `it sent ${count(v.pieces, 'answer')} in two pieces cut inside a line`,
  storyThink: (v: { ms: number }) => `it waited up to ${v.ms} ms before each answer`,
  storyGap: (v: { seconds: string; at: string }) => `it paused ${v.seconds} s at ${v.at}`,
  story: (v: { parts: string[] }) => (v.parts.length ? ` (this server answers like a real one: ${v.parts.join(', ')})` : ''),
  errors: (v: { count: number; at: string; line: string }) =>
    ` The server answered ${count(v.count, 'line')} with "error" (the first, at ${v.at}, was ${v.line}): send exactly "ping\\n".`,
  threwAfter: (v: { failure: string; answered: number; total: number; story: string }) =>
    `${v.failure} after the server had answered ${n(v.answered)} of ${n(v.total)} pings${v.story}.`,
  hintDeadlock:
    `Your client was blocked in send() while the server was blocked sending its pongs: nobody was reading, and both directions' buffers were full (a deadlock). ` +
    `Read the answers while you write, e.g. in batches of a few dozen pings, or with a reader process beside the writer.`,
  hintRoundTrip: `One request at a time on one connection takes a round trip (2 ms) each: use several connections at once, or send several requests before reading the answers.`,
  afterDeadline: (v: { answered: number; total: number }) =>
    `after 60 virtual seconds the server had answered ${n(v.answered)} of ${n(v.total)} requests and loadgen had not returned`,
  ranDry: (v: { at: string; answered: number; total: number }) =>
    `the run ended at ${v.at} with nothing left to happen: the server had answered ${n(v.answered)} of ${n(v.total)} requests and loadgen had not returned`,
  waitingIn: (v: { process: string; call: string }) => `${v.process} in ${v.call}`,
  stillWaiting: (v: { list: string }) => ` (still waiting: ${v.list})`,
  notReturned: (v: { head: string; waiting: string; hint: string }) => `${v.head}${v.waiting}. ${v.hint}`,
  late: (v: { at: string }) => `loadgen returned at ${v.at}, after the 60 s budget.`,
  tooFewAnswered: (v: { at: string; answered: number; total: number; errors: string }) =>
    `loadgen returned at ${v.at} after the server had answered only ${n(v.answered)} of ${n(v.total)} pings: send all of them and wait for every "pong" before returning.${v.errors}`,
  countHint:
    'Count "pong\\n" lines as you read them, not recv() calls or pings sent: one recv() may return part of an answer or several answers, and an answer may take more than a second to come.',
  tooFewPinged: (v: { returned: string; at: string; answered: number; total: number; story: string; errors: string }) =>
    `loadgen returned ${v.returned} at ${v.at}, when the server had answered only ${n(v.answered)} of ${n(v.total)} pings${v.story}: send every ping and wait for its pong.${v.errors}`,
  notPings: (v: { errors: string }) => `loadgen sent lines that are not pings.${v.errors}`,
  wrongCount: (v: { returned: string; got: number; answered: number; story: string; hint: string }) =>
    `loadgen returned ${v.returned}, but it read ${n(v.got)} pongs from its sockets (the server sent ${n(v.answered)})${v.story}. ` +
    (v.got < v.answered ? `${n(v.answered - v.got)} pongs were never read: loadgen stopped reading or closed before they arrived. ` : '') +
    v.hint,
  readTooFew: (v: { got: number; at: string; total: number; answered: number; story: string; hint: string }) =>
    `loadgen returned ${n(v.got)} at ${v.at} and read only ${n(v.got)} of the ${n(v.total)} pongs (the server sent ${n(v.answered)})${v.story}: ${n(v.answered - v.got)} arrived after it stopped reading. ${v.hint}`,
  change: (c: ChangeText) => `${c.key}=${c.value} (was ${c.was}; seen at ${c.at}${c.restored !== undefined ? `, set back to ${c.restored} by the end` : ''})`,
  changed: (v: { list: string[] }) =>
    `your load generator changed ${v.list.join(', ')}. Those settings hide the pattern instead of fixing it, and they are host-wide: every program on the host runs with them while yours does: a wider port range only raises the ceiling, ` +
    `tcp_tw_reuse reuses TIME_WAIT ports at the cost of TIME_WAIT's protection, and tcp_fin_timeout does not shorten TIME_WAIT at all. Fix the connection pattern instead.`,
  reset: (x: ResetText) => {
    const who = x.byClient ? 'your client' : `the server ${x.from}`;
    const state = x.state ? ` from ${x.state}` : '';
    const cause = x.byClient ? x.cause : undefined;
    let why = '';
    if (cause?.includes('SO_LINGER 0')) why = `: ${cause} aborts the connection instead of closing it; SO_LINGER 0 trades TIME_WAIT for RSTs and lost data`;
    else if (cause?.includes('unread data')) why = `: ${cause} (pongs had arrived that loadgen never read) sends RST instead of FIN (RFC 2525): read every answer before close()`;
    else if (cause?.includes('after close()')) why = `: pongs arrived after the socket was closed (they were still on their way), and Linux answers data for a closed socket with RST: read every answer before close()`;
    else if (cause) why = ` (${cause})`;
    else if (!x.byClient) why = ': the server resets a connection when data arrives after it closed (for example a ping sent after "ping close"), or after your client reset it';
    return `${who} sent ${x.flags}${state} at ${x.at} (client port ${x.port})${why}`;
  },
  peerFrom: (v: { ip: string; port: number }) => `on the connection from ${v.ip}:${v.port}`,
  peerGone: 'on a connection the client had already reset',
  resets: (v: { count: number; byClient: number; first: string }) =>
    `${count(v.count, 'RST was', 'RSTs were')} sent during the run (${v.byClient} by your client, ${v.count - v.byClient} by the server). The first: ${v.first}.`,
  resetsServerFailed: (v: { call: string; peer: string; errno: string; at: string }) => ` The server's ${v.call}() ${v.peer} failed with ${v.errno} at ${v.at}.`,
  serverFailed: (v: { call: string; peer: string; errno: string; at: string; count: number }) =>
    `the server's ${v.call}() ${v.peer} failed with ${v.errno} at ${v.at} (${count(v.count, 'server call')} failed in all).`,
  whenReturned: (v: { at: string }) => `when loadgen returned at ${v.at}`,
  whenThrew: (v: { error: string }) => `after loadgen threw ${v.error}`,
  whenEnded: 'when the run ended',
  unclosed: (v: { count: number; list: string; when: string }) =>
    `${count(v.count, 'socket')} your client opened ${v.count === 1 ? 'was' : 'were'} never closed ${v.when}: ${v.list}; close() was never called on ${v.count === 1 ? 'it' : 'them'}. ` +
    `shutdown() ends a direction of the connection but does not release the descriptor, and ss cannot show such a socket once its connection has ended: every socket() needs its close().`,
};

type Messages = typeof en;

const zhCN: Messages = {
  exhausted: (v) =>
    `${v.at} 时 connect() 以 EADDRNOTAVAIL 失败，此前完成了 ${n(v.answered)} 个请求，客户端有 ${n(v.timeWait)} 个套接字处于 TIME_WAIT。` +
    `你的客户端每主动关闭一条连接，它的本地端口就要在 TIME_WAIT 里停留 60 秒，而这个客户端连向同一个服务端地址只有 ${n(v.ports)} 个临时端口` +
    `（Linux 默认是 28,232 个：每秒约 470 条新连接，仍远低于这个负载需要的每秒约 1,700 条）。请复用连接（长连接 keep-alive：一条连接承载多个请求），或者让服务端先关闭（"ping close"）。`,
  storyPieces: (v) => `它把 ${v.pieces} 个回答各分两块发出，在一行中间切开`,
  storyThink: (v) => `每次作答前最多等待 ${v.ms} ms`,
  storyGap: (v) => `在 ${v.at} 停顿了 ${v.seconds} 秒`,
  story: (v) => (v.parts.length ? `（这台服务端的行为和真实服务器一样：${v.parts.join('，')}）` : ''),
  errors: (v) => `服务端对 ${v.count} 行回答了 "error"（第一行在 ${v.at}，内容是 ${v.line}）：请严格发送 "ping\\n"。`,
  threwAfter: (v) => `${v.failure}，此时服务端已答复 ${n(v.total)} 个 ping 中的 ${n(v.answered)} 个${v.story}。`,
  hintDeadlock:
    `你的客户端阻塞在 send() 里，而服务端也阻塞在发送 pong 上：没有一方在读，两个方向的缓冲区都满了（死锁）。` +
    `要一边写一边读回答，比如每批发几十个 ping 就读一次，或者在写进程旁边另起一个读进程。`,
  hintRoundTrip: `在一条连接上一次只发一个请求，每个请求都要付出一个往返时间（2 毫秒）：同时使用几条连接，或者先连发几个请求再读回答。`,
  afterDeadline: (v) => `60 秒虚拟时间过去后，服务端只答复了 ${n(v.total)} 个请求中的 ${n(v.answered)} 个，loadgen 仍未返回`,
  ranDry: (v) => `运行在 ${v.at} 结束，已经没有任何事情会再发生：服务端答复了 ${n(v.total)} 个请求中的 ${n(v.answered)} 个，loadgen 仍未返回`,
  waitingIn: (v) => `${v.process} 阻塞在 ${v.call}`,
  stillWaiting: (v) => `（仍在等待：${v.list}）`,
  notReturned: (v) => `${v.head}${v.waiting}。${v.hint}`,
  late: (v) => `loadgen 在 ${v.at} 才返回，超出了 60 秒的时限。`,
  tooFewAnswered: (v) =>
    `loadgen 在 ${v.at} 返回，而服务端只答复了 ${n(v.total)} 个 ping 中的 ${n(v.answered)} 个：请把它们全部发出，并等到每个 "pong" 都到了再返回。${v.errors}`,
  countHint: '要按读到的 "pong\\n" 行数计数，而不是按 recv() 调用次数或发出的 ping 数：一次 recv() 可能只返回半个回答，也可能返回好几个，而一个回答可能要等一秒以上才到。',
  tooFewPinged: (v) => `loadgen 在 ${v.at} 返回了 ${v.returned}，而服务端只答复了 ${n(v.total)} 个 ping 中的 ${n(v.answered)} 个${v.story}：请发出每一个 ping，并等到它的 pong。${v.errors}`,
  notPings: (v) => `loadgen 发出了不是 ping 的行。${v.errors}`,
  wrongCount: (v) =>
    `loadgen 返回了 ${v.returned}，但它从套接字里读到的是 ${n(v.got)} 个 pong（服务端发出了 ${n(v.answered)} 个）${v.story}。` +
    (v.got < v.answered ? `有 ${n(v.answered - v.got)} 个 pong 从未被读取：loadgen 在它们到达之前就停止读取或关闭了连接。` : '') +
    v.hint,
  readTooFew: (v) =>
    `loadgen 在 ${v.at} 返回了 ${n(v.got)}，${n(v.total)} 个 pong 中只读到 ${n(v.got)} 个（服务端发出了 ${n(v.answered)} 个）${v.story}：有 ${n(v.answered - v.got)} 个是在它停止读取之后才到的。${v.hint}`,
  change: (c) => `${c.key}=${c.value}（原为 ${c.was}；${c.at} 时发现${c.restored !== undefined ? `，结束前又改回了 ${c.restored}` : ''}）`,
  changed: (v) =>
    `你的压测客户端改动了 ${v.list.join('、')}。这些设置只是掩盖了连接模式的问题，并没有修好它，而且它们作用于整台主机：你的程序运行期间，主机上的每个程序都受其影响。扩大端口范围只是抬高了天花板，` +
    `tcp_tw_reuse 以牺牲 TIME_WAIT 的保护为代价复用 TIME_WAIT 中的端口，而 tcp_fin_timeout 根本不会缩短 TIME_WAIT。请改正连接的使用方式。`,
  reset: (x) => {
    const who = x.byClient ? '你的客户端' : `服务端 ${x.from}`;
    const state = x.state ? `（处于 ${x.state}）` : '';
    const cause = x.byClient ? x.cause : undefined;
    let why = '';
    if (cause?.includes('SO_LINGER 0')) why = `：${cause} 会中止连接，而不是正常关闭它；SO_LINGER 0 是用 RST 和丢失的数据换掉 TIME_WAIT`;
    else if (cause?.includes('unread data')) why = `：${cause}（有 loadgen 从未读取的 pong 已经到达），这样发出的是 RST 而不是 FIN（RFC 2525）：close() 之前要读完所有回答`;
    else if (cause?.includes('after close()')) why = `：套接字关闭之后又有 pong 到达（它们当时还在路上），而 Linux 对发往已关闭套接字的数据回以 RST：close() 之前要读完所有回答`;
    else if (cause) why = `（${cause}）`;
    else if (!x.byClient) why = `：连接关闭后又有数据到达（例如在 "ping close" 之后还发了 ping），或者你的客户端已经复位了连接，服务端就会复位它`;
    return `${who}${state}在 ${x.at} 发出了 ${x.flags}（客户端端口 ${x.port}）${why}`;
  },
  peerFrom: (v) => `（在来自 ${v.ip}:${v.port} 的连接上）`,
  peerGone: '（在一条客户端已经复位的连接上）',
  resets: (v) => `运行期间共发出了 ${v.count} 个 RST（你的客户端 ${v.byClient} 个，服务端 ${v.count - v.byClient} 个）。第一个：${v.first}。`,
  resetsServerFailed: (v) => `服务端的 ${v.call}()${v.peer} 在 ${v.at} 以 ${v.errno} 失败。`,
  serverFailed: (v) => `服务端的 ${v.call}()${v.peer} 在 ${v.at} 以 ${v.errno} 失败（总共有 ${v.count} 次服务端调用失败）。`,
  whenReturned: (v) => `loadgen 在 ${v.at} 返回时`,
  whenThrew: (v) => `loadgen 抛出 ${v.error} 之后`,
  whenEnded: '运行结束时',
  unclosed: (v) =>
    `${v.when}，你的客户端打开的 ${v.count} 个套接字从未关闭：${v.list}；从未对${v.count === 1 ? '它' : '它们'}调用 close()。` +
    `shutdown() 只结束连接的一个方向，并不释放文件描述符；连接结束后，ss 也看不到这样的套接字：每个 socket() 都需要对应的 close()。`,
};

export const manyShortMessages: LabMessages<Messages> = {
  messages: { en, 'zh-CN': zhCN },
  // The lab page's Run checklist (scenario.ts `expect`), by its English label.
  expectLabels: {
    'zh-CN': {
      "every ping got its pong": "每个 ping 都得到了 pong",
      "the client ends its connections with FIN": "客户端以 FIN 结束它的连接",
      "a few client sockets end in TIME_WAIT (one per connection, not per request)": "少数几个客户端套接字最后进入 TIME_WAIT（每条连接一个，而不是每个请求一个）",
      "TIME_WAIT holds each port for 60 s": "TIME_WAIT 让每个端口被占用 60 秒",
    },
  },
  checks: {
    'zh-CN': {
      'completes 100,000 requests in 60 s without EADDRNOTAVAIL': {
        title: '60 秒内完成 100,000 个请求，没有 EADDRNOTAVAIL',
        description:
          '对一台单向时延 1 毫秒的 ping/pong 服务端调用 loadgen(os, server, 100000)：必须在 60 秒虚拟时间内完成，connect() 一次也不能以 EADDRNOTAVAIL 失败，服务端必须答复了全部 100,000 个 ping。',
      },
      'returns the number of pongs it received': {
        title: '返回收到的 pong 个数',
        description:
          '调用 loadgen(os, server, N)，N 在 601 到 899 之间；服务端分块作答、在一行中间切断，每次作答前思考几毫秒，还会停顿一次超过一秒：必须收到全部 N 个 pong，并返回收到的个数。',
      },
      "leaves the host's TCP settings alone": {
        title: '不改动主机的 TCP 参数',
        description:
          'loadgen(os, server, N)（N 在 601 到 899 之间）运行期间，客户端每次调用套接字 API、每次定时器触发时都会读取 net.ipv4.tcp_tw_reuse、ip_local_port_range、tcp_max_tw_buckets、tcp_timestamps 和 tcp_fin_timeout：它们一次也不能变。',
      },
      'ends its connections with FIN, not RST': {
        title: '以 FIN 而不是 RST 结束连接',
        description: 'loadgen(os, server, N) 对着那台分块作答、会停顿的服务端运行期间，任何一方都不能发出带 RST 的报文段，服务端的调用也不能失败。',
      },
      'closes every socket it opens': {
        title: '关闭打开的每个套接字',
        description: 'loadgen(os, server, N) 对着那台分块作答、会停顿的服务端运行之后，客户端上 socket() 返回的每个文件描述符都必须已经用 close() 关闭。',
      },
    },
  },
};
