// What the close-wait-detective checker says, in every language the grader speaks
// (src/grading/messages.ts). Host names, addresses, paths, calls, states, errno
// names and RFC sections stay as they are.
import type { LabMessages } from '../../src/grading/messages.ts';
import { count } from '../../src/grading/trace-queries.ts';

export type ClientKind = 'interactive' | 'pipelined' | 'split' | 'half-close' | 'probe' | 'reset';

export interface KindText {
  kind: ClientKind;
  requests: number;
  pauseMs: number;
  tail: boolean;
}

const s1 = (ms: number) => (ms / 1000).toFixed(1);

const en = {
  kind: (p: KindText): string => {
    switch (p.kind) {
      case 'interactive':
        return p.requests > 1 ? `sending its requests one at a time, each after the answer to the last${p.pauseMs ? ` and a ${s1(p.pauseMs)} s pause` : ''}` : `sending one request${p.pauseMs ? ` after a ${s1(p.pauseMs)} s pause` : ''}`;
      case 'pipelined':
        return 'sending all its requests at once, then reading the answers';
      case 'split':
        return `sending each request in two segments ${p.pauseMs} ms apart`;
      case 'half-close':
        return `sending all its requests${p.tail ? " and a last line without '\\n'" : ''}, then shutdown(SHUT_WR), then reading the answers to EOF`;
      case 'probe':
        return 'connecting and closing again without a request (a health probe)';
      case 'reset':
        return 'resetting the connection (SO_LINGER 0 close) right after sending its last request';
    }
  },
  meanwhile: (v: { failure: string }) => ` (meanwhile ${v.failure})`,
  who: (v: { host: string; ip: string; kind: string }) => `a ${v.host} client (${v.ip}) ${v.kind}`,
  whereOfMany: (v: { i: number; n: number; path: string }) => `request ${v.i} of ${v.n} on one connection (GET ${v.path})`,
  whereOne: (v: { path: string }) => `GET ${v.path}`,
  howError: (v: { error: string; at: string }) => `got ${v.error} at ${v.at}`,
  malformed: (v: { line: string; path: string }) => `a malformed status line ${v.line} for ${v.path}`,
  howEof: (v: { at: string }) => `saw the connection end (EOF) at ${v.at}`,
  howWaiting: (v: { at: string }) => `was still waiting at the end of the run (${v.at})`,
  receivedSome: (v: { partial: string }) => `with ${v.partial} of the answer received`,
  receivedNone: 'with nothing of the answer received',
  adviceEarly: 'The earlier requests on this connection were answered, so the connection ended too early: keep serving requests until the client closes (EOF).',
  adviceNoConnect: 'It could not even connect.',
  adviceSplit: "A request line may arrive in pieces: read up to '\\n' before acting on it.",
  adviceRoutes: 'Every route must keep answering.',
  noAnswer: (v: { who: string; where: string; how: string; received: string; meanwhile: string; advice: string }) =>
    `${v.who} got no answer to ${v.where}: it ${v.how}, ${v.received}${v.meanwhile}. ${v.advice}`,
  framingHint: " Here one recv() is not one request: a request line can arrive in pieces, or several together, so split what arrives at '\\n'.",
  wrongAnswer: (v: { who: string; where: string; got: string; want: string; hint: string }) => `${v.who} asked for ${v.where} and got ${v.got} instead of ${v.want}.${v.hint}`,
  fromHost: (v: { n: number; host: string; ip: string }) => `${v.n} from ${v.host} (${v.ip})`,
  closeWait: (v: { n: number; parts: string[]; meanwhile: string }) =>
    `server still has ${count(v.n, 'socket')} in CLOSE_WAIT after the clients left: ${v.parts.join(', ')}. ` +
    `The peer addresses say which clients they belong to; find the handler those clients' requests go through and the path where it returns without close()${v.meanwhile}.`,
  ofHost: (v: { n: number; host: string }) => `${v.n} of ${v.host}`,
  openDescriptors: (v: { n: number; parts: string[]; leak: string }) =>
    `no socket is left in CLOSE_WAIT, but the server still holds ${count(v.n, 'descriptor')} that handle() was given and nothing closed (${v.parts.join(', ')}): ` +
    `${v.leak}. ss cannot show a descriptor whose connection has ended, yet each one stays with the process until close().`,
  rstHead: (v: { n: number; at: string; peer: string; ip: string; state?: string }) =>
    `the server sent ${count(v.n, 'RST')}, the first at ${v.at} to ${v.peer} (${v.ip})${v.state ? ` from state ${v.state}` : ''}`,
  rstLinger: (v: { head: string }) => `${v.head}: close() with SO_LINGER 0 aborts the connection instead of closing it, and may throw away the response still in flight. close() normally once the response is sent.`,
  rstUnread: (v: { head: string }) =>
    `${v.head}: close() was called while the client's next request was already there, unread, and a close() with unread data sends RST (RFC 2525 §2.17). Keep reading requests until the client closes (EOF).`,
  rstAfterClose: (v: { head: string; peer: string }) =>
    `${v.head}: a request from ${v.peer} arrived after your handler had closed that connection, and data arriving at a closed socket is answered with RST. The client meant to go on (keep-alive): close only once it has closed (EOF).`,
  rstOrphan: (v: { head: string; peer: string; cause?: string }) =>
    `${v.head}: it answered a segment from ${v.peer} for a connection the server no longer had${v.cause ? ` (${v.cause})` : ''}. Close connections with close() once the client has closed (EOF).`,
  resetThen: (v: { host: string; at: string; failure?: string }) => `the ${v.host} client reset that connection at ${v.at}${v.failure ? `, then ${v.failure}` : ''}`,
  fromHostOnly: (v: { host: string }) => `its connection was from ${v.host}`,
  resetLeak: (v: { n: number; leak: string; what: string }) =>
    `the server still holds ${count(v.n, 'descriptor')} that handle() was given and nothing closed: ${v.leak}; ${v.what}. ` +
    `A reset connection is gone and ss shows nothing, but the descriptor stays until close(): close it on every path out of handle, also when recv() or send() throws (try/finally).`,
};

type Messages = typeof en;

const zhCN: Messages = {
  kind: (p) => {
    switch (p.kind) {
      case 'interactive':
        return p.requests > 1 ? `一次发一个请求，每次都等上一个请求的回答${p.pauseMs ? `并停顿 ${s1(p.pauseMs)} 秒` : ''}后再发` : `${p.pauseMs ? `停顿 ${s1(p.pauseMs)} 秒后` : ''}发送一个请求`;
      case 'pipelined':
        return '一次发出全部请求，然后读取回答';
      case 'split':
        return `把每个请求拆成两个报文段发送，间隔 ${p.pauseMs} ms`;
      case 'half-close':
        return `发出全部请求${p.tail ? "和最后一行不带 '\\n' 的内容" : ''}，然后 shutdown(SHUT_WR)，再一直读取回答直到 EOF`;
      case 'probe':
        return '连上之后不发请求就关闭（健康探测）';
      case 'reset':
        return '发出最后一个请求后立即复位连接（SO_LINGER 0 的 close）';
    }
  },
  meanwhile: (v) => `（与此同时，${v.failure}）`,
  who: (v) => `${v.host} 客户端（${v.ip}，${v.kind}）`,
  whereOfMany: (v) => `同一条连接上 ${v.n} 个请求中第 ${v.i} 个（GET ${v.path}）`,
  whereOne: (v) => ` GET ${v.path} `,
  howError: (v) => `在 ${v.at} 遇到了 ${v.error}`,
  malformed: (v) => `无法解析的状态行 ${v.line}（对 ${v.path} 的回答）`,
  howEof: (v) => `在 ${v.at} 看到连接结束（EOF）`,
  howWaiting: (v) => `到运行结束（${v.at}）时仍在等待`,
  receivedSome: (v) => `回答只收到了 ${v.partial}`,
  receivedNone: '回答一个字节也没收到',
  adviceEarly: '这条连接上前面的请求都得到了回答，可见连接结束得太早：要一直处理请求，直到客户端关闭连接（EOF）。',
  adviceNoConnect: '它连连接都没能建立。',
  adviceSplit: "请求行可能分几段到达：先读到 '\\n' 再处理。",
  adviceRoutes: '每个路由都必须照旧作答。',
  noAnswer: (v) => `${v.who}没有得到对${v.where}的回答：它${v.how}，${v.received}${v.meanwhile}。${v.advice}`,
  framingHint: "这里一次 recv() 并不等于一个请求：一个请求行可能分几段到达，也可能几行一起到达，所以要按 '\\n' 切分收到的数据。",
  wrongAnswer: (v) => `${v.who}请求了${v.where.trimEnd()}，得到的是 ${v.got}，而不是 ${v.want}。${v.hint}`,
  fromHost: (v) => `${v.n} 个来自 ${v.host}（${v.ip}）`,
  closeWait: (v) =>
    `客户端都已离开，服务器上仍有 ${v.n} 个套接字处于 CLOSE_WAIT：${v.parts.join('，')}。` +
    `对端地址说明了它们属于哪些客户端；找到这些客户端的请求所经过的处理函数，以及其中不调用 close() 就返回的那条路径${v.meanwhile}。`,
  ofHost: (v) => `${v.host} ${v.n} 个`,
  openDescriptors: (v) =>
    `没有套接字残留在 CLOSE_WAIT，但服务器仍持有 ${v.n} 个交给 handle() 之后没人关闭的文件描述符（${v.parts.join('，')}）：` +
    `${v.leak}。连接结束后 ss 就显示不出这个描述符，但它在 close() 之前一直留在进程里。`,
  rstHead: (v) => `服务器发出了 ${v.n} 个 RST，第一个在 ${v.at} 发往 ${v.peer}（${v.ip}）${v.state ? `，发出时处于 ${v.state} 状态` : ''}`,
  rstLinger: (v) => `${v.head}：设置 SO_LINGER 0 后的 close() 会中止连接而不是关闭它，还可能丢掉仍在途中的响应。响应发出后正常 close() 即可。`,
  rstUnread: (v) =>
    `${v.head}：调用 close() 时客户端的下一个请求已经到达、尚未读取，而带着未读数据的 close() 发出的是 RST（RFC 2525 §2.17）。要一直读取请求，直到客户端关闭连接（EOF）。`,
  rstAfterClose: (v) =>
    `${v.head}：来自 ${v.peer} 的一个请求在你的处理函数关闭那条连接之后才到达，而发往已关闭套接字的数据会被回以 RST。客户端本想继续使用这条连接（keep-alive）：等它关闭（EOF）之后再关闭。`,
  rstOrphan: (v) =>
    `${v.head}：它回应的是 ${v.peer} 发来的一个报文段，而服务器上已经没有那条连接了${v.cause ? `（${v.cause}）` : ''}。等客户端关闭（EOF）之后再用 close() 关闭连接。`,
  resetThen: (v) => `${v.host} 客户端在 ${v.at} 复位了那条连接${v.failure ? `，随后 ${v.failure}` : ''}`,
  fromHostOnly: (v) => `那条连接来自 ${v.host}`,
  resetLeak: (v) =>
    `服务器仍持有 ${v.n} 个交给 handle() 之后没人关闭的文件描述符：${v.leak}；${v.what}。` +
    `被复位的连接已经不存在，ss 什么也显示不出，但描述符在 close() 之前一直都在：在离开 handle 的每条路径上都关闭它，包括 recv() 或 send() 抛出异常时（try/finally）。`,
};

export const closeWaitDetectiveMessages: LabMessages<Messages> = {
  messages: { en, 'zh-CN': zhCN },
  // The lab page's Run checklist (scenario.ts `expect`), by its English label.
  expectLabels: {
    'zh-CN': {
      "keep-alive: two requests answered on one connection": "长连接：一条连接上应答了两个请求",
      "a web client closes: the server's socket enters CLOSE_WAIT": "一个 web 客户端关闭：服务器的套接字进入 CLOSE_WAIT",
      "handle() sees EOF and closes: the server sends its FIN": "handle() 读到 EOF 后关闭：服务器发出它的 FIN",
      "the reports client gets its report and closes": "reports 客户端拿到报表后关闭",
      "the server's FIN": "服务器的 FIN",
      "after the report handle() closes first, so that TIME_WAIT is on the server": "发完报表后 handle() 先关闭，所以 TIME_WAIT 落在服务器上",
      "ss on the server: nothing left in CLOSE_WAIT": "服务器上的 ss：没有残留的 CLOSE_WAIT",
    },
  },
  checks: {
    'zh-CN': {
      'every route still answers': {
        title: '每个路由照旧作答',
        description:
          'web、api、reports 和 monitor 上的客户端各发一个请求（已知路径和未知路径都有，每次不同）：立即发送、停顿一秒以上再发送，或者拆成两个报文段发送；每个回答都必须和服务器一直以来给出的相同。',
      },
      'no CLOSE_WAIT or open descriptor after the load': {
        title: '负载过后没有 CLOSE_WAIT，也没有未关闭的描述符',
        description:
          "各类客户端来了又走（长连接、一次全发、半关闭，其中一些最后发一行不带 '\\n' 的内容，还有什么都不发的健康探测）之后，服务器上不得有处于 CLOSE_WAIT 的套接字，accept() 返回的每个描述符都必须已经关闭。",
      },
      'connections end with FIN, not RST': {
        title: '连接以 FIN 而不是 RST 结束',
        description: '在长连接、一次全发和半关闭客户端（其中有 reports）组成的负载下，服务器不得发出任何 RST：复位可能丢掉仍在途中的响应。',
      },
      'keep-alive connections serve several requests': {
        title: '长连接能服务多个请求',
        description:
          'web 和 api 上的客户端在一条连接上发 3–5 个请求：一次一个并停顿一秒以上、一次全发、拆成多段，或者最后 shutdown(SHUT_WR)；每个请求都必须得到回答。',
      },
      "a client's reset costs no descriptor": {
        title: '客户端复位不丢描述符',
        description: 'web、api 和 monitor 上的客户端在发出请求后立即复位连接（SO_LINGER 0），有的在此之前已经收到过回答；accept() 返回的每个描述符仍然必须关闭。',
      },
    },
  },
};
