// What the stale-pool checker says, in every language the grader speaks
// (src/grading/messages.ts). Requests, answers, calls, errno names, states and
// option names stay as they are.
import type { LabMessages } from '../../src/grading/messages.ts';
import { count } from '../../src/grading/trace-queries.ts';

const s1 = (ms: number) => (ms / 1000).toFixed(1);
const sec = (ms: number) => `${ms / 1000}`;

const en = {
  firstRequest: 'the first request',
  afterPrevious: (v: { idleMs: number }) => `${s1(v.idleMs)} s after the previous one resolved`,
  call: (v: { line: string; at: string; before: string }) => `request ${v.line} at ${v.at} (${v.before})`,
  callerFailed: (v: { failure: string }) => `the pool's caller failed: ${v.failure}.`,
  neverResolved: (v: { call: string; at: string }) =>
    `${v.call} never resolved (still waiting at ${v.at}). A stale connection gives EOF ('' from recv()) or an error, never a response: stop waiting then.`,
  failedWith: (v: { call: string; error: string; idleMs: number; reloadAt?: string }) =>
    `${v.call} failed with ${v.error}; the server was up and answers every request. ` +
    `The server closes connections idle for ${sec(v.idleMs)} s${v.reloadAt !== undefined ? ` and closed every idle connection at ${v.reloadAt} (a reload)` : ''}: ` +
    `a request that fails on a reused connection must be sent once more on a new connection, not reported to the caller.`,
  madeUp: (v: { call: string; got: string }) => `${v.call} returned ${v.got}, but the server never received that request: send each request to the server and return its answer line.`,
  wrongAnswer: (v: { call: string; got: string; want: string }) =>
    `${v.call} returned ${v.got} instead of the server's answer ${v.want}: return the answer line (without its '\\n') that the server sent for this request.`,
  processedTwice: (v: { call: string; n: number }) => `the server processed ${v.call} ${v.n} times: send a request again only when its connection failed before any answer came back.`,
  stoppedEarly: (v: { made: number; total: number }) => `only ${v.made} of ${v.total} requests were made: the pool's caller stopped early.`,
  stale: (v: { n: number; at: string; call?: string; idleMs: number }) =>
    `the server answered ${count(v.n, 'request')} with RST, the first at ${v.at}${v.call ? ` (${v.call})` : ''}: the pool sent it on a connection the server had already closed after ${sec(v.idleMs)} s of idleness. ` +
    `Drop idle connections before the server does: keep them for less than serverIdleMs (with a margin for the round trip), or notice the server's FIN (recv() returns '') before reusing one.`,
  cannotJudgeReuse: (v: { problem: string }) => `cannot judge reuse: ${v.problem}`,
  cannotJudge: (v: { problem: string }) => `cannot judge: ${v.problem}`,
  noReuse: (v: { accepted: number; requests: number; longestMs: number; idleMs: number }) =>
    `the server accepted ${v.accepted} connections for ${v.requests} requests, though no pause was longer than ${s1(v.longestMs)} s and the server keeps idle connections for ${sec(v.idleMs)} s. ` +
    `Keep the connection after a request and send the next one on it: a new connection per request costs a handshake each time and leaves a TIME_WAIT behind.`,
  notMade: 'the requests were not made',
  beforeReload: (v: { problem: string }) => `cannot judge: before any reload, ${v.problem}`,
  thirdNotMade: 'the third request was never made',
  retriedTooMuch: (v: { crashAt: string; call: string; done: boolean; syns: number; times: string }) =>
    `the server's host went down at ${v.crashAt} and stayed down; for ${v.call} the pool ${v.done ? '' : 'never returned and '}tried ${count(v.syns, 'new connection')} (${v.times}). ` +
    `Retry once on a new connection; when that fresh connection fails too, the error is real: let it reach the caller.`,
  resolvedWhileDown: (v: { crashAt: string; call: string; answered: string }) =>
    `the server's host went down at ${v.crashAt}, yet ${v.call} resolved with ${v.answered}: it must reject when no server answers.`,
};

type Messages = typeof en;

const zhCN: Messages = {
  firstRequest: '第一个请求',
  afterPrevious: (v) => `上一个请求完成 ${s1(v.idleMs)} 秒后`,
  call: (v) => `${v.at} 发出的请求 ${v.line}（${v.before}）`,
  callerFailed: (v) => `连接池的调用方出错了：${v.failure}。`,
  neverResolved: (v) =>
    `${v.call}始终没有完成（到 ${v.at} 仍在等待）。失效的连接只会给出 EOF（recv() 返回 ''）或错误，绝不会给出响应：遇到这种情况就不要再等了。`,
  failedWith: (v) =>
    `${v.call}以 ${v.error} 失败；而服务器一直在线，每个请求都会回答。` +
    `服务器会关闭空闲 ${sec(v.idleMs)} 秒的连接${v.reloadAt !== undefined ? `，并在 ${v.reloadAt} 关闭了所有空闲连接（一次重载）` : ''}：` +
    `在复用的连接上失败的请求，必须在一条新连接上再发一次，而不是把错误报告给调用方。`,
  madeUp: (v) => `${v.call}返回了 ${v.got}，但服务器根本没收到这个请求：要把每个请求都发给服务器，并返回它的回答行。`,
  wrongAnswer: (v) => `${v.call}返回了 ${v.got}，而不是服务器的回答 ${v.want}：请返回服务器为这个请求发回的回答行（去掉末尾的 '\\n'）。`,
  processedTwice: (v) => `服务器把 ${v.call}处理了 ${v.n} 次：只有当连接在任何回答到达之前就失败时，才能重发请求。`,
  stoppedEarly: (v) => `${v.total} 个请求中只发出了 ${v.made} 个：连接池的调用方提前停止了。`,
  stale: (v) =>
    `服务器用 RST 回应了 ${v.n} 个请求，第一个在 ${v.at}${v.call ? `（${v.call}）` : ''}：连接池把请求发到了一条服务器在空闲 ${sec(v.idleMs)} 秒后已经关闭的连接上。` +
    `要赶在服务器之前丢弃空闲连接：保留时间短于 serverIdleMs（为往返时间留出余量），或者在复用之前先察觉服务器的 FIN（recv() 返回 ''）。`,
  cannotJudgeReuse: (v) => `无法判断连接复用：${v.problem}`,
  cannotJudge: (v) => `无法判断：${v.problem}`,
  noReuse: (v) =>
    `${v.requests} 个请求让服务器接受了 ${v.accepted} 条连接，而其间没有一次停顿超过 ${s1(v.longestMs)} 秒，服务器会把空闲连接保留 ${sec(v.idleMs)} 秒。` +
    `一个请求完成后保留这条连接，把下一个请求发在它上面：每个请求都新建连接，每次都要多一次握手，还会留下一个 TIME_WAIT。`,
  notMade: '请求没有发出',
  beforeReload: (v) => `无法判断：还没有任何重载时，${v.problem}`,
  thirdNotMade: '第三个请求始终没有发出',
  retriedTooMuch: (v) =>
    `服务器主机在 ${v.crashAt} 宕机且没有恢复；对于 ${v.call}，连接池${v.done ? '' : '始终没有返回，并且'}尝试了 ${v.syns} 次新连接（${v.times}）。` +
    `在新连接上重试一次；如果这条新连接也失败了，那就是真正的错误：让它传到调用方。`,
  resolvedWhileDown: (v) => `服务器主机在 ${v.crashAt} 宕机，${v.call}却以 ${v.answered} 完成了：没有服务器回答时，它必须以失败（reject）告终。`,
};

export const stalePoolMessages: LabMessages<Messages> = {
  messages: { en, 'zh-CN': zhCN },
  // The lab page's Run checklist (scenario.ts `expect`), by its English label.
  expectLabels: {
    'zh-CN': {
      "requests after short pauses share one connection": "短暂停顿后的请求共用一条连接",
      "the request after a long pause is answered: the pool opened a new connection": "长时间停顿后的请求得到应答：连接池打开了一条新连接",
      "the request that met the reload is answered too: retried once on a new connection": "撞上重载的请求也得到应答：在新连接上重试了一次",
      "no error ever reaches the caller": "调用方从未收到任何错误",
      "the server closed the connection idle for 5 s: TIME_WAIT lands on the server": "服务器关闭了空闲 5 秒的连接：TIME_WAIT 落在服务器上",
    },
  },
  checks: {
    'zh-CN': {
      'answers every request': {
        title: '每个请求都得到回答',
        description:
          '服务器会关闭空闲 3–8 秒的连接；依次发出 14–18 个请求，有的只停顿片刻，有的停顿超过空闲超时。每个请求都必须以服务器的回答完成，不得出错，也不得被处理两次。',
      },
      'reuses connections': {
        title: '复用连接',
        description: '15 个请求之间的停顿都不到服务器空闲超时的三分之一：服务器最多只能看到 2 条连接。',
      },
      'drops idle connections before the server does': {
        title: '赶在服务器之前丢弃空闲连接',
        description: '停顿有短于也有长于服务器空闲超时（3–8 秒，以 serverIdleMs 传入）的：任何请求都不得发到服务器已经关闭的连接上（服务器会用 RST 回应它）。',
      },
      'retries once when a reused connection fails': {
        title: '复用的连接失败时重试一次',
        description: '服务器在下一个请求发出前 1–4 ms 一次关闭所有空闲连接（一次重载），它的 FIN 还在路上：请求撞上已关闭的连接，必须在一条新连接上重发一次，且只重发一次。',
      },
      'gives up when the server is down': {
        title: '服务器宕机时放弃',
        description: '连接池持有一条空闲连接时，服务器断电且没有恢复：下一个请求最多在新连接上重试一次，然后必须失败（reject），而不是无休止地重试。',
      },
    },
  },
};
