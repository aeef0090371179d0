// What the half-close checker says, in every language the grader speaks
// (src/grading/messages.ts). Calls, states, errno names, host names, the
// protocol's text and the simulator's causes stay as they are; numbers are
// formatted for the reader.
import type { LabMessages } from '../../src/grading/messages.ts';
import { count } from '../../src/grading/trace-queries.ts';

/** One state change of a socket, for "your side of the connection went ...". */
export interface StepText {
  from: string;
  to: string;
  cause: string;
  at: string;
}

const en = {
  /** A long text shown by its start. */
  showLong: (v: { head: string; bytes: number }) => `${v.head}... (${v.bytes} bytes)`,
  rstSent: (v: { byServer: boolean; host: string; at: string; state?: string; cause?: string }) =>
    ` ${v.byServer ? 'The server' : `Host ${v.host}`} sent RST at ${v.at}${v.state ? ` from ${v.state}` : ''}${v.cause ? ` (${v.cause})` : ''}.`,
  yourClient: 'your client',
  yourHandler: 'your handler',
  leakThrew: (v: { who: string; failure: string }) => `${v.who} threw (${v.failure}) before closing it`,
  leakShutdown: (v: { who: string; how: string; at: string }) => `${v.who} called shutdown(${v.how}) on it at ${v.at}, which sends FIN but keeps the descriptor`,
  leakWaiting: (v: { process: string; call: string }) => `process '${v.process}' was still waiting in ${v.call} on it at the end of the run`,
  leakReturned: (v: { who: string }) => `${v.who} returned without closing it`,
  leaked: (v: { count: number; via: string; host: string; list: string; what: string; threw: boolean }) =>
    `${count(v.count, 'descriptor')} from ${v.via}() never closed on ${v.host}: ${v.list}. For the first, ${v.what}; close() was never called.` +
    (v.threw ? ' Close the socket in a finally block, so that an error does not leak it.' : " ss stops showing a connection once it is over, but the descriptor stays held until close()."),
  serverReset: 'a server that sends the first part of the answer, then resets',
  serverPlain: 'a server that answers at once',
  serverSlow: (v: { think: string; pieces: number; gap: string }) => `a server that thinks ${v.think} s, then answers in ${v.pieces} pieces ${v.gap} s apart`,
  calledWith: (v: { server: string; bytes: number; kind: string }) => `called with server '${v.server}' and a ${v.bytes}-byte request (${v.kind})`,
  resetReturned: (v: { to: string; got: number | null; total: number; rstAt?: string }) =>
    `your client, ${v.to}, returned ${v.got === null ? 'nothing' : `${v.got} of the ${v.total} bytes of the answer`} as if it were complete, ` +
    `although the server reset the connection${v.rstAt ? ` (RST at ${v.rstAt})` : ''}: recv() threw ECONNRESET; let the error reach the caller instead of returning a truncated answer.`,
  clientThrew: (v: { to: string; failure: string; advice: string }) => `your client, ${v.to}: ${v.failure}. ${v.advice}`,
  adviceConnect: (v: { server: string; port: number }) => `Connect to the host the \`server\` argument names ('${v.server}' here), port ${v.port}.`,
  adviceClosed: "close() gives up both directions; shutdown('SHUT_WR') sends FIN but keeps the socket open for reading the reply.",
  adviceProtocol: 'Send the request, shutdown(SHUT_WR), then recv() until it returns the empty string.',
  aCall: 'a call',
  neverReturned: (v: { to: string; at: string; waiting: string; tail: string }) => `your client, ${v.to}, never returned: at ${v.at} it was waiting in ${v.waiting}${v.tail}`,
  tailNoConnection: (v: { server: string; port: number }) =>
    `, and the server '${v.server}' never got a connection from it: connect to the host the \`server\` argument names, port ${v.port}.`,
  tailServerReading: (v: { got: number; total: number; waiting: string }) =>
    ` and the server, having received ${v.got} of the ${v.total} bytes, was still reading the request (${v.waiting}) until EOF, so it waits for your FIN: call shutdown('SHUT_WR') after sending. close() would also send FIN, but then you could not read the reply.`,
  tailServerDone: `, although the server had sent the whole answer and its FIN. Return once recv() returns ''.`,
  truncatedReply: (v: { to: string; got: number; total: number }) =>
    `your client, ${v.to}, returned ${v.got} of the ${v.total} bytes of the reply: the answer arrives in several segments, so keep calling recv() until it returns ''.`,
  requestDiffers: (v: { to: string; bytes: number; at: number }) =>
    `your client, ${v.to}, sent ${v.bytes} bytes that differ from the request at byte ${v.at}: send the request exactly as given.`,
  replyDiffers: (v: { to: string; at: number }) => `your client, ${v.to}, returned a reply that differs from the server's at byte ${v.at}: return the bytes exactly as received.`,
  kind30k: 'sends 30,000 bytes in 3 pieces 300 ms apart',
  kindPaused: 'sends its request in 2 pieces with a pause of over a second between them',
  kindLate: 'waits over a second after connecting before it sends',
  kindBig: (v: { kb: number }) => `sends ${v.kb} KB`,
  kindOneLine: 'sends one short line without a final newline',
  kindShort: 'sends a short request',
  kindResetMidRequest: 'resets halfway through its request',
  kindResetMidReply: (v: { kb: number }) => `sends ${v.kb} KB, then resets after 2,000 bytes of the answer`,
  kindEmpty: 'connects and shuts down at once (an empty request)',
  referenceClient: (v: { host: string; addr?: string; kind: string }) => `a reference client on ${v.host}${v.addr ? ` (${v.addr})` : ''} that ${v.kind}`,
  history: (v: { steps: StepText[] }) => ` Your side of the connection went ${v.steps.map((e) => `${e.from} -> ${e.to} by ${e.cause} at ${e.at}`).join(', ')}.`,
  errorSending: (v: { who: string; errno: string; call: string; at: string; sent: number; total: number }) =>
    `${v.who} got ${v.errno} from ${v.call}() at ${v.at} while still sending its request (${v.sent} of ${v.total} bytes sent).`,
  errorReading: (v: { who: string; errno: string; call: string; at: string; got: string }) =>
    `${v.who} had sent its whole request and half-closed, then got ${v.errno} from ${v.call}() at ${v.at} with ${v.got} of the answer received.`,
  earlyUnread: ' (a close() with unread data sends RST)',
  earlyAfterClose: ', and the rest of the request that arrived after close() was answered with RST',
  early: (v: { detail: string }) => ` Your handler closed the connection before the request was complete${v.detail}. The request ends at EOF, when recv() returns '', not at the first recv().`,
  lingerLost: ' SO_LINGER 0 turns close() into a reset: the answer still in flight is lost.',
  stillReading: (v: { who: string; at: string; got: string }) =>
    `${v.who} had sent its whole request and half-closed, and was still waiting for the end of the reply at ${v.at} with ${v.got} received.`,
  stillIn: (v: { who: string; phase: 'connecting' | 'sending' | 'done'; at: string }) => `${v.who} was still ${v.phase} at ${v.at}.`,
  handlerThrewTail: (v: { failure: string }) => ` Your handler threw: ${v.failure}.`,
  closeAfterAnswer: " After sending the answer, close() the connection so the client's recv() returns ''.",
  answeredEarly: (v: { head: string; who: string; bytes: number }) =>
    `your handler answered "${v.head}" to ${v.who}, a ${v.bytes}-byte request: it replied before the whole request had arrived. The request ends at EOF (recv() returns ''), not at the first recv().`,
  wrongReply: (v: { who: string; got: string; bytes: number; at: number }) =>
    `your handler's reply to ${v.who} ${v.got} is not "LEN ${v.bytes}\\n" followed by the request in upper case (first difference at byte ${v.at}).`,
  handlerThrew: (v: { failure: string }) => `your handler threw: ${v.failure}.`,
  notJudgedClient: "not judged: your client did not finish every exchange (the check 'client: gets the reply from a server that reads to EOF' says why).",
  clientRst: (v: { at: string; state?: string; cause?: string; advice: string }) =>
    `your client sent RST at ${v.at}${v.state ? ` from state ${v.state}` : ''}${v.cause ? ` (${v.cause})` : ''}: ${v.advice}`,
  adviceNoLinger: "SO_LINGER 0 makes close() a reset: don't use it.",
  adviceReadFirst: 'read the reply to EOF before close(): closing with unread data sends RST.',
  clientCloseWait: (v: { count: number }) => `your client left ${count(v.count, 'socket')} in CLOSE_WAIT: close() it after recv() returned ''.`,
  notJudgedHandler: (v: { who: string }) => `not judged: ${v.who} did not get its answer (the check 'handler: reads the whole request before answering' says why).`,
  noEof: (v: { who: string; answered: boolean; at: string; story: string }) =>
    `${v.who} had ${v.answered ? 'its whole answer' : 'no answer yet'} and was still waiting for EOF at ${v.at}.${v.story} ` +
    "After sending the answer, close() the connection so the client's recv() returns ''.",
  serverCloseWait: (v: { count: number }) => `the server still has ${count(v.count, 'socket')} in CLOSE_WAIT: your handler must close() the connection after sending the answer.`,
  emptyClosed: `your handler closed without answering an empty request: recv() returning '' at once means the request is empty, and it still gets "LEN 0\\n".`,
  failure: (v: { failure: string }) => `${v.failure}.`,
  ownReply: (v: { got: number | null; total: number }) => `your client returned ${v.got === null ? 'nothing' : `${v.got} bytes`} where the answer has ${v.total}.`,
  ownRst: (v: { host: string; at: string; state?: string; cause?: string }) =>
    `an RST was sent by ${v.host} at ${v.at}${v.state ? ` from ${v.state}` : ''}${v.cause ? ` (${v.cause})` : ''}: the exchange must end with FINs on both sides.`,
};

type Messages = typeof en;

const PHASES = { connecting: '在连接', sending: '在发送请求', done: '没有结束' } as const;

const zhCN: Messages = {
  showLong: (v) => `${v.head}…（共 ${v.bytes} 字节）`,
  rstSent: (v) => `${v.byServer ? '服务端' : `主机 ${v.host}`}在 ${v.at} ${v.state ? `从 ${v.state} ` : ''}发出了 RST${v.cause ? `（${v.cause}）` : ''}。`,
  yourClient: '你的客户端',
  yourHandler: '你的处理函数',
  leakThrew: (v) => `${v.who}在关闭它之前抛出了异常（${v.failure}）`,
  leakShutdown: (v) => `${v.who}在 ${v.at} 对它调用了 shutdown(${v.how})，这会发出 FIN，但文件描述符仍然保留`,
  leakWaiting: (v) => `运行结束时，进程 '${v.process}' 仍阻塞在它上面的 ${v.call} 中`,
  leakReturned: (v) => `${v.who}没有关闭它就返回了`,
  leaked: (v) =>
    `${v.host} 上有 ${v.count} 个由 ${v.via}() 得到的文件描述符从未关闭：${v.list}。其中第一个：${v.what}；从未对它调用 close()。` +
    (v.threw ? '请在 finally 块中关闭套接字，这样出错时也不会泄漏。' : '连接结束后 ss 就不再显示它，但在 close() 之前，文件描述符一直被占用。'),
  serverReset: '服务端先发出回答的第一部分，然后复位连接',
  serverPlain: '服务端立即作答',
  serverSlow: (v) => `服务端先思考 ${v.think} 秒，再分 ${v.pieces} 块作答、每块间隔 ${v.gap} 秒`,
  calledWith: (v) => `（服务器为 '${v.server}'，请求 ${v.bytes} 字节，${v.kind}）`,
  resetReturned: (v) =>
    `你的客户端${v.to}${v.got === null ? '什么也没返回' : `返回了回答 ${v.total} 字节中的 ${v.got} 字节`}，把它当成了完整的回答，` +
    `然而服务端已经复位了连接${v.rstAt ? `（${v.rstAt} 时的 RST）` : ''}：recv() 抛出了 ECONNRESET；应当让这个错误传到调用方，而不是返回被截断的回答。`,
  clientThrew: (v) => `你的客户端${v.to}：${v.failure}。${v.advice}`,
  adviceConnect: (v) => `请连接 \`server\` 参数指定的主机（这里是 '${v.server}'）的 ${v.port} 端口。`,
  adviceClosed: "close() 会同时放弃两个方向；shutdown('SHUT_WR') 发出 FIN，但套接字仍然可以读取回答。",
  adviceProtocol: '先发送请求，再 shutdown(SHUT_WR)，然后反复 recv()，直到它返回空字符串。',
  aCall: '某个调用',
  neverReturned: (v) => `你的客户端${v.to}始终没有返回：${v.at} 时它仍阻塞在 ${v.waiting} 中${v.tail}`,
  tailNoConnection: (v) => `，而服务端 '${v.server}' 从未收到它的连接：请连接 \`server\` 参数指定的主机的 ${v.port} 端口。`,
  tailServerReading: (v) =>
    `，而服务端收到了 ${v.total} 字节中的 ${v.got} 字节，仍在读取请求（${v.waiting}），要一直读到 EOF，所以它在等你的 FIN：发送完之后调用 shutdown('SHUT_WR')。close() 也会发出 FIN，但那样你就没法再读取回答了。`,
  tailServerDone: `，尽管服务端已经发完了全部回答和它的 FIN。recv() 返回 '' 时就该返回。`,
  truncatedReply: (v) => `你的客户端${v.to}只返回了回答 ${v.total} 字节中的 ${v.got} 字节：回答会分成好几个报文段到达，要一直调用 recv()，直到它返回 ''。`,
  requestDiffers: (v) => `你的客户端${v.to}发出的 ${v.bytes} 字节从第 ${v.at} 个字节起与请求不同：请原样发送传给你的请求。`,
  replyDiffers: (v) => `你的客户端${v.to}返回的回答从第 ${v.at} 个字节起与服务端发出的不同：请原样返回收到的字节。`,
  kind30k: '分 3 块发送 30,000 字节、每块间隔 300 毫秒',
  kindPaused: '分 2 块发送请求、中间停顿一秒以上',
  kindLate: '连接后等一秒以上才开始发送',
  kindBig: (v) => `发送 ${v.kb} KB`,
  kindOneLine: '发送一行没有结尾换行符的短请求',
  kindShort: '发送一个短请求',
  kindResetMidRequest: '请求发到一半就复位连接',
  kindResetMidReply: (v) => `发送 ${v.kb} KB，收到回答的 2,000 字节后复位连接`,
  kindEmpty: '连接后立即 shutdown（空请求）',
  referenceClient: (v) => `参考客户端（${v.host}${v.addr ? ` ${v.addr}` : ''}，${v.kind}）`,
  history: (v) => `你这一端的连接经历了：${v.steps.map((e) => `${e.from} -> ${e.to}（${e.cause}，${e.at}）`).join('，')}。`,
  errorSending: (v) => `${v.who}还在发送请求时（已发送 ${v.total} 字节中的 ${v.sent} 字节），于 ${v.at} 从 ${v.call}() 得到 ${v.errno}。`,
  errorReading: (v) => `${v.who}已发完整个请求并半关闭，随后于 ${v.at} 从 ${v.call}() 得到 ${v.errno}，此时收到的回答是 ${v.got}。`,
  earlyUnread: '（带着未读数据的 close() 会发出 RST）',
  earlyAfterClose: '，close() 之后才到达的剩余请求被回以 RST',
  early: (v) => `你的处理函数在请求还没收完时就关闭了连接${v.detail}。请求在 EOF 处结束，也就是 recv() 返回 '' 的时候，而不是第一次 recv() 返回时。`,
  lingerLost: 'SO_LINGER 0 把 close() 变成了复位：还在路上的回答丢失了。',
  stillReading: (v) => `${v.who}已发完整个请求并半关闭，到 ${v.at} 仍在等待回答结束，已收到 ${v.got}。`,
  stillIn: (v) => `${v.who}到 ${v.at} 仍${PHASES[v.phase]}。`,
  handlerThrewTail: (v) => `你的处理函数抛出了异常：${v.failure}。`,
  closeAfterAnswer: '发完回答后要 close() 连接，客户端的 recv() 才会返回 \'\'。',
  answeredEarly: (v) => `你的处理函数对${v.who}回答了 "${v.head}"，而这个请求有 ${v.bytes} 字节：它在整个请求到达之前就作答了。请求在 EOF 处结束（recv() 返回 ''），而不是第一次 recv() 返回时。`,
  wrongReply: (v) => `你的处理函数给${v.who}的回答 ${v.got} 不是 "LEN ${v.bytes}\\n" 加上转为大写的请求（第一处不同在第 ${v.at} 个字节）。`,
  handlerThrew: (v) => `你的处理函数抛出了异常：${v.failure}。`,
  notJudgedClient: '未评判：你的客户端没有完成每一次交换（原因见检查项“客户端：从读到 EOF 才作答的服务端拿到回答”）。',
  clientRst: (v) => `你的客户端在 ${v.at} ${v.state ? `从 ${v.state} 状态` : ''}发出了 RST${v.cause ? `（${v.cause}）` : ''}：${v.advice}`,
  adviceNoLinger: 'SO_LINGER 0 会把 close() 变成复位：不要用它。',
  adviceReadFirst: 'close() 之前要把回答读到 EOF，带着未读数据关闭会发出 RST。',
  clientCloseWait: (v) => `你的客户端留下了 ${v.count} 个处于 CLOSE_WAIT 的套接字：recv() 返回 '' 之后要 close() 它。`,
  notJudgedHandler: (v) => `未评判：${v.who}没有拿到回答（原因见检查项“处理函数：读完整个请求才作答”）。`,
  noEof: (v) => `${v.who}${v.answered ? '已经拿到完整的回答' : '还没有收到回答'}，到 ${v.at} 仍在等待 EOF。${v.story}发完回答后要 close() 连接，客户端的 recv() 才会返回 ''。`,
  serverCloseWait: (v) => `服务端仍有 ${v.count} 个处于 CLOSE_WAIT 的套接字：你的处理函数发完回答后必须 close() 连接。`,
  emptyClosed: `你的处理函数没有回答空请求就关闭了连接：recv() 立即返回 '' 说明请求为空，它仍然应当得到 "LEN 0\\n"。`,
  failure: (v) => `${v.failure}。`,
  ownReply: (v) => `你的客户端${v.got === null ? '什么也没返回' : `返回了 ${v.got} 字节`}，而回答有 ${v.total} 字节。`,
  ownRst: (v) => `${v.host} 在 ${v.at} ${v.state ? `从 ${v.state} ` : ''}发出了 RST${v.cause ? `（${v.cause}）` : ''}：这次交换必须由双方各自的 FIN 结束。`,
};

export const halfCloseMessages: LabMessages<Messages> = {
  messages: { en, 'zh-CN': zhCN },
  // The lab page's Run checklist (scenario.ts `expect`), by its English label.
  expectLabels: {
    'zh-CN': {
      "your client's shutdown('SHUT_WR') sends its FIN": "你的客户端调用 shutdown('SHUT_WR')，发出它的 FIN",
      "the request ends: your handler's recv() returns ''": "请求结束：你的处理函数的 recv() 返回 ''",
      "the client waits, half-closed, for the answer": "客户端处于半关闭状态，等待应答",
      "your handler answers and closes": "你的处理函数作答并关闭",
      "the server's FIN ends the answer; the client ends in TIME_WAIT": "服务器的 FIN 结束应答；客户端最后进入 TIME_WAIT",
      "the server closed second: no TIME_WAIT on it": "服务器后关闭：它上面没有 TIME_WAIT",
      "the answer to \"hello, half-closed world!\\n...\"": "对 \"hello, half-closed world!\\n...\" 的应答",
      "an empty request still gets its answer": "空请求也能得到应答",
    },
  },
  checks: {
    'zh-CN': {
      'client: gets the reply from a server that reads to EOF': {
        title: '客户端：从读到 EOF 才作答的服务端拿到回答',
        description:
          '用几台参考服务端（主机名各不相同）调用你的客户端，它们都要读到 EOF 才作答：一个 8,000 字节的请求、一个空请求、一个 100–200 KB 的请求（大于接收缓冲区）、一个发给先思考一秒以上再分块作答（每块间隔一秒以上）的服务端的请求，以及一个发给只回答一部分就复位连接的服务端的请求；每次调用都必须返回完整的回答，遇到复位的那次必须抛出异常，而不是返回一部分回答。',
      },
      'client: closes its socket, without RST or CLOSE_WAIT': {
        title: '客户端：关闭套接字，不发 RST、不留 CLOSE_WAIT',
        description:
          '三次交换之后（其中一台服务端分块作答、每块间隔一秒以上，另一台会复位连接），客户端不得发出过 RST，不得持有处于 CLOSE_WAIT 的套接字，并且必须关闭了 socket() 返回的每个文件描述符，包括被复位的那一个。',
      },
      'handler: reads the whole request before answering': {
        title: '处理函数：读完整个请求才作答',
        description:
          '参考客户端分别发送：分 3 块、每块间隔 300 毫秒的 30,000 字节；分 2 块、间隔 1.2–2 秒的请求；连接后 1–2 秒才发送的请求；100–200 KB 的请求（大于接收缓冲区）；以及一行没有结尾换行符的请求。每个客户端随后都 shutdown (SHUT_WR)，并且必须拿到针对整个请求的回答。',
      },
      'handler: closes after answering': {
        title: '处理函数：作答之后关闭',
        description:
          '三个客户端发送短请求，必须在回答之后看到 EOF；另一个客户端在请求发到一半时复位连接，还有一个发送 100–200 KB 的请求、收到回答的 2,000 字节后复位连接（这时你的处理函数会得到 ECONNRESET 或 EPIPE）。之后服务端不得持有处于 CLOSE_WAIT 的套接字，accept() 返回的每个文件描述符都必须已关闭。',
      },
      'handler: answers an empty request': {
        title: '处理函数：回答空请求',
        description: '一个客户端连接后立即 shutdown；回答应为 "LEN 0\\n"。',
      },
      'your client with your handler': {
        title: '你的客户端配你的处理函数',
        description: '你的客户端和你的处理函数用一个几千字节的请求互相通信，服务端的主机名各不相同。',
      },
    },
  },
};
