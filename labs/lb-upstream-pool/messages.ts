// What the lb-upstream-pool checker says, in every language the grader speaks
// (src/grading/messages.ts). Requests, answers, calls, errno names, states and
// option names stay as they are.
import type { LabMessages } from '../../src/grading/messages.ts';
import { count } from '../../src/grading/trace-queries.ts';

const s1 = (ms: number) => (ms / 1000).toFixed(1);
const sec = (ms: number) => `${ms / 1000}`;

const en = {
  firstRequest: 'the first request',
  afterPrevious: (v: { idleMs: number }) => `${s1(v.idleMs)} s after the previous one was answered`,
  call: (v: { line: string; at: string; before: string }) => `request ${v.line} at ${v.at} (${v.before})`,
  balancerFailed: (v: { failure: string }) => `the balancer failed: ${v.failure}.`,
  neverResolved: (v: { call: string; at: string }) =>
    `forward() for ${v.call} never settled (still waiting at ${v.at}). A connection the backend closed gives EOF ('' from recv()) or an error, never an answer: stop waiting then.`,
  answered502: (v: { call: string; error: string; keepAliveMs: number; reloadAt?: string }) =>
    `the balancer answered 502 for ${v.call}: forward() failed with ${v.error}, though the backend was up and answers every request. ` +
    `The backend closes connections idle for ${sec(v.keepAliveMs)} s${v.reloadAt !== undefined ? ` and closed every idle connection at ${v.reloadAt} (a deploy)` : ''}: ` +
    `keep upstream connections for less than that, and send a GET that fails on a reused connection once more on a new one.`,
  madeUp: (v: { call: string; got: string }) => `forward() for ${v.call} returned ${v.got}, but the backend never received that request: forward each request and return the backend's answer line.`,
  wrongAnswer: (v: { call: string; got: string; want: string }) =>
    `forward() for ${v.call} returned ${v.got} instead of the backend's answer ${v.want}: return the answer line (without its '\\n') that the backend sent for this request.`,
  slow: (v: { call: string; tookMs: number; limitMs: number }) =>
    `${v.call} took ${v.tookMs} ms to answer, more than the ${v.limitMs} ms a new connection and one retry need: a balancer must not wait (sleep) before forwarding.`,
  processedTwice: (v: { call: string; n: number }) => `the backend acted on ${v.call} ${v.n} times: send a request again only when it is a GET and its connection failed before any answer came back.`,
  stoppedEarly: (v: { made: number; total: number }) => `only ${v.made} of ${v.total} requests were forwarded: the balancer stopped early.`,
  stale: (v: { n: number; at: string; call?: string; keepAliveMs: number }) =>
    `the backend answered ${count(v.n, 'request')} with RST, the first at ${v.at}${v.call ? ` (${v.call})` : ''}: the balancer sent it on a connection the backend had already closed after ${sec(v.keepAliveMs)} s of idleness. ` +
    `Drop idle upstream connections before the backend does: keep them for less than backendKeepAliveMs (with a margin for the round trip), or notice the backend's FIN (recv() returns '') before reusing one.`,
  cannotJudgeReuse: (v: { problem: string }) => `cannot judge reuse: ${v.problem}`,
  cannotJudge: (v: { problem: string }) => `cannot judge: ${v.problem}`,
  noReuse: (v: { accepted: number; requests: number; longestMs: number; keepAliveMs: number }) =>
    `the backend accepted ${v.accepted} connections for ${v.requests} requests, though no pause was longer than ${s1(v.longestMs)} s and the backend keeps idle connections for ${sec(v.keepAliveMs)} s. ` +
    `Keep upstream connections alive: a new connection per request costs a handshake each time and leaves a TIME_WAIT on the balancer, whose ports run out under load.`,
  notMade: 'the request was never made',
  beforeReload: (v: { problem: string }) => `cannot judge: before any deploy, ${v.problem}`,
  postTwice: (v: { call: string; n: number }) =>
    `the backend acted on ${v.call} ${v.n} times: its connection was reset after the backend had received it, so the backend may have acted on it. A POST is not idempotent: never send it again; answer 502 (let forward() reject).`,
  postSwallowed: (v: { call: string; answered: string }) =>
    `the backend never answered ${v.call} (it reset the connection), yet forward() resolved with ${v.answered}: let the error through, so that the client sees a 502 and knows the outcome is unknown.`,
  afterCrash: (v: { call: string; got: string }) => `after the reset, ${v.call} got ${v.got} instead of the backend's answer: drop the reset connection and forward the next request on a working one.`,
};

type Messages = typeof en;

const zhCN: Messages = {
  firstRequest: '第一个请求',
  afterPrevious: (v) => `上一个请求得到回答 ${s1(v.idleMs)} 秒后`,
  call: (v) => `${v.at} 到达的请求 ${v.line}（${v.before}）`,
  balancerFailed: (v) => `负载均衡器出错了：${v.failure}。`,
  neverResolved: (v) =>
    `${v.call}的 forward() 始终没有结束（到 ${v.at} 仍在等待）。后端已经关闭的连接只会给出 EOF（recv() 返回 ''）或错误，绝不会给出回答：遇到这种情况就不要再等了。`,
  answered502: (v) =>
    `负载均衡器对 ${v.call}回了 502：forward() 以 ${v.error} 失败，而后端一直在线，每个请求都会回答。` +
    `后端会关闭空闲 ${sec(v.keepAliveMs)} 秒的连接${v.reloadAt !== undefined ? `，并在 ${v.reloadAt} 关闭了所有空闲连接（一次发布）` : ''}：` +
    `上游连接的保留时间要短于它；在复用的连接上失败的 GET，要在一条新连接上再发一次。`,
  madeUp: (v) => `${v.call}的 forward() 返回了 ${v.got}，但后端根本没收到这个请求：要转发每个请求，并返回后端的回答行。`,
  wrongAnswer: (v) => `${v.call}的 forward() 返回了 ${v.got}，而不是后端的回答 ${v.want}：请返回后端为这个请求发回的回答行（去掉末尾的 '\\n'）。`,
  slow: (v) => `${v.call}用了 ${v.tookMs} ms 才得到回答，超过了新建连接加一次重试所需的 ${v.limitMs} ms：负载均衡器不能在转发之前等待（sleep）。`,
  processedTwice: (v) => `后端把 ${v.call}处理了 ${v.n} 次：只有 GET，而且它的连接在任何回答到达之前就失败时，才能重发。`,
  stoppedEarly: (v) => `${v.total} 个请求中只转发了 ${v.made} 个：负载均衡器提前停止了。`,
  stale: (v) =>
    `后端用 RST 回应了 ${v.n} 个请求，第一个在 ${v.at}${v.call ? `（${v.call}）` : ''}：负载均衡器把请求发到了一条后端在空闲 ${sec(v.keepAliveMs)} 秒后已经关闭的连接上。` +
    `要赶在后端之前丢弃空闲的上游连接：保留时间短于 backendKeepAliveMs（为往返时间留出余量），或者在复用之前先察觉后端的 FIN（recv() 返回 ''）。`,
  cannotJudgeReuse: (v) => `无法判断连接复用：${v.problem}`,
  cannotJudge: (v) => `无法判断：${v.problem}`,
  noReuse: (v) =>
    `${v.requests} 个请求让后端接受了 ${v.accepted} 条连接，而其间没有一次停顿超过 ${s1(v.longestMs)} 秒，后端会把空闲连接保留 ${sec(v.keepAliveMs)} 秒。` +
    `要让上游连接保持存活：每个请求都新建连接，每次都要多一次握手，还会在负载均衡器上留下一个 TIME_WAIT，负载一高端口就会耗尽。`,
  notMade: '这个请求始终没有发出',
  beforeReload: (v) => `无法判断：还没有任何发布时，${v.problem}`,
  postTwice: (v) =>
    `后端把 ${v.call}处理了 ${v.n} 次：它的连接是在后端收到请求之后才被重置的，后端可能已经执行了它。POST 不是幂等的：绝不能重发；应当回 502（让 forward() 以失败告终）。`,
  postSwallowed: (v) =>
    `后端从未回答 ${v.call}（它重置了连接），forward() 却以 ${v.answered} 完成了：要让错误传出去，客户端看到 502，才知道结果未知。`,
  afterCrash: (v) => `重置之后，${v.call}得到的是 ${v.got}，而不是后端的回答：丢掉被重置的连接，在一条可用的连接上转发下一个请求。`,
};

export const lbUpstreamPoolMessages: LabMessages<Messages> = {
  messages: { en, 'zh-CN': zhCN },
  // The lab page's Run checklist (scenario.ts `expect`), by its English label.
  expectLabels: {
    'zh-CN': {
      "requests after short pauses share one upstream connection": "短暂停顿后的请求共用一条上游连接",
      "the request after a long pause is answered: the pool had dropped the idle connection before the backend did": "长时间停顿后的请求得到应答：连接池已先于后端丢弃了那条空闲连接",
      "the GET that met the deploy is answered too: retried once on a new connection": "撞上部署的 GET 也得到应答：在新连接上重试了一次",
      "the balancer never answers 502": "负载均衡器从不返回 502",
    },
  },
  checks: {
    'zh-CN': {
      'never answers 502 while the backend is up': {
        title: '后端在线时绝不回 502',
        description:
          '后端会关闭空闲 3–8 秒的连接；依次到来 14–18 个 GET 和 POST 请求，有的只停顿片刻，有的停顿超过它的 keep-alive 超时。每个请求都必须被转发，并及时以后端的回答完成，不得出错（502），也不得被处理两次。',
      },
      'keeps upstream connections alive': {
        title: '让上游连接保持存活',
        description: '15 个请求之间的停顿都不到后端 keep-alive 超时的三分之一：后端最多只能看到 2 条连接。',
      },
      'never sends on a connection the backend closed': {
        title: '绝不在后端已关闭的连接上发送',
        description: '两个后端，一个在空闲 3–5 秒后关闭连接，一个在 6–8 秒后（以 backendKeepAliveMs 传入）；停顿有短于也有长于这个超时的：任何请求都不得发到后端已经关闭的连接上（后端会用 RST 回应它）。',
      },
      'retries a GET once when a reused connection fails': {
        title: '复用的连接失败时把 GET 重试一次',
        description: '后端在下一个 GET 发出前 1–4 ms 一次关闭所有空闲连接（一次发布），它的 FIN 还在路上：这个 GET 撞上已关闭的连接，必须在一条新连接上重发一次，且只重发一次。',
      },
      'never sends a POST twice': {
        title: '绝不把 POST 发两次',
        description: '后端执行了一个 POST，在回答之前崩溃（连接被重置）：负载均衡器不得再发这个 POST，因为后端可能已经扣过款了；它回一次 502（forward() 以失败告终），之后的请求照常得到回答。',
      },
    },
  },
};
