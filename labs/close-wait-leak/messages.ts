// What the close-wait-leak checker says, in every language the grader speaks
// (src/grading/messages.ts). States, calls, errno names, trace causes and the
// clients' own text stay as they are.
import type { LabMessages } from '../../src/grading/messages.ts';

const plural = (n: number, noun: string, many = `${noun}s`) => `${n} ${n === 1 ? noun : many}`;

const en = {
  kind: {
    batched: 'a client that sends its lines in two segments, line 2 split between them',
    interactive: 'an interactive client (it sends a line, reads the answer, then sends the next)',
    oneLine: 'a one-line client',
    late: 'a client that waits over a second after connecting before it sends',
    emptyClose: 'a client that connects and closes without sending anything',
    emptyHalfClose: 'a client that connects and half-closes at once (an empty request)',
    fragmentLast: "a client whose last line has no '\\n' before its shutdown(SHUT_WR)",
    bulk: (v: { kb: number }) => `a client that sends ${v.kb} KB of lines (more than the receive buffer)`,
    resetter: (v: { kb: number }) => `a client that sends ${v.kb} KB of lines, reads none of the answers and resets (SO_LINGER 0, close()) while your handler is still answering`,
  },
  cutShort: (v: { head: string; bytes: number }) => `${v.head}... (${v.bytes} bytes)`,
  who: (v: { kind: string; host: string; addr?: string }) => `${v.kind}, on ${v.host}${v.addr ? ` (${v.addr})` : ''}`,
  historyStep: (v: { from: string; to: string; cause: string; at: string }) => `${v.from} -> ${v.to} by ${v.cause} at ${v.at}`,
  historySep: ', ',
  serverSide: (v: { history: string }) => ` The server's socket for it went ${v.history}.`,
  resetText: (v: { at: string; from?: string; cause?: string }) => ` The server sent RST at ${v.at}${v.from ? ` from ${v.from}` : ''}${v.cause ? ` (${v.cause})` : ''}.`,
  handlerThrew: (v: { failure: string; more: number }) => `your handler threw: ${v.failure}${v.more ? ` (and ${v.more} more handlers)` : ''}.`,
  wrongAnswer: (v: { who: string; got: string; k: number; line: string; want: string; gotLine: string }) =>
    `${v.who}, received ${v.got}: the answer to its line ${v.k}, ${v.line}, should be ${v.want} but it got ${v.gotLine}. ` +
    `Answer every complete line with "OK <line>\\n": one recv() may hold part of a line or several lines.`,
  extraAnswer: (v: { who: string; got: string; lines: number; extra: string }) =>
    `${v.who}, received ${v.got}: after the answers to its ${v.lines} lines it got more: ${v.extra}. ` +
    `Answer every complete line with "OK <line>\\n": one recv() may hold part of a line or several lines.`,
  partialHead: (v: { who: string; have: number; total: number; got: string }) => `${v.who}, received ${v.have} of its ${v.total} answers (${v.got})`,
  partialError: (v: { head: string; errno: string; call: string; at: string; rest: string }) => `${v.head}, then got ${v.errno} from ${v.call}() at ${v.at}.${v.rest}`,
  sentNext: (v: { data: string; at: string }) => ` It had sent ${v.data} at ${v.at}.`,
  partialEof: (v: { head: string; at: string; next: string; rest: string }) =>
    `${v.head}, then EOF at ${v.at}: the server ended the connection with the answer to ${v.next} still owed.${v.rest}`,
  answerPromptly: 'Answer each complete line as soon as it has arrived: a client may wait for one answer before it sends the next line.',
  partialWaiting: (v: { head: string; next: string; at: string; rest: string }) =>
    `${v.head} and was still waiting for the answer to ${v.next} at the end of the run (${v.at}).${v.rest}`,
  errorNotEof: (v: { who: string; lines: number; errno: string; call: string; at: string; rest: string }) =>
    `${v.who}, had all its answers (${v.lines}), then got ${v.errno} from ${v.call}() at ${v.at} instead of EOF.${v.rest} After recv() returns '', close() the connection normally.`,
  noEof: (v: { who: string; lines: number; got?: string; at: string; closeWait: boolean; rest: string }) =>
    `${v.who}, had all its answers (${v.lines})${v.got ? ` (${v.got})` : ''} but no EOF by the end of the run (${v.at})` +
    (v.closeWait ? `: the server's socket for it is still in CLOSE_WAIT.` : '.') +
    `${v.rest} It reads until EOF, so your handler must close() once recv() has returned '' and every line is answered.`,
  endedEarly: (v: { cause: string }) =>
    `Your handler ended the connection (${v.cause}) before the client's FIN: a connection is over when recv() returns '', not when your buffer is empty or a reply is sent.`,
  lookAtEnding: 'Look at how your handler ends a connection.',
  whatShutdown: (v: { args: string; at: string }) => `your handler called shutdown(${v.args}) on it at ${v.at}, which sends FIN but keeps the descriptor`,
  whatThrew: (v: { failure: string }) => `the handler for it threw (${v.failure}) before closing it`,
  whatWaiting: (v: { process: string; call: string }) => `process '${v.process}' was still waiting in ${v.call} on it at the end of the run`,
  whatReturned: 'your handler returned without closing it',
  leaked: (v: { count: number; list: string; what: string }) =>
    `${plural(v.count, 'descriptor')} from accept() never closed: ${v.list}. For the first, ${v.what}; close() was never called.`,
  leakedOver: (v: { from: string; cause: string }) => ` Its connection is over (${v.from} -> CLOSED by ${v.cause}), so ss does not show it, but the fd stays held until close().`,
  leakedState: (v: { state: string }) => ` Its socket is in ${v.state}.`,
  useFinally: ' Close the connection in a finally block, so that an error from send() or recv() does not leak it.',
  closeWait: (v: { count: number; leavers: string; list: string }) =>
    `server still has ${plural(v.count, 'socket')} in CLOSE_WAIT after ${v.leavers} left (${v.list}): ` +
    `does your handler close() on EOF? recv() returning '' means the client sent FIN; CLOSE_WAIT lasts until you call close().`,
  leavers: (v: { n: number }) => `${v.n} clients`,
  stuckError: (v: { errno: string; call: string }) => `got ${v.errno} from ${v.call}()`,
  stuckWaiting: (v: { got: string }) => `had ${v.got} and was still waiting`,
  notJudged: (v: { stuck: number; total: number; who: string; what: string }) =>
    `not judged for ${plural(v.stuck, 'connection')}: ${v.stuck} of the ${v.total} clients never got to close their side ` +
    `(the first, ${v.who}, ${v.what}); the check 'answers every line' says why.`,
  whyLinger: 'close() with SO_LINGER 0 resets the connection and throws away answers not yet delivered.',
  whyUnread: 'close() while received data was still unread resets the connection (RFC 2525 §2.17).',
  whyAfterClose: "the client's data arrived after your handler had closed: close only after recv() returns '' (the client's FIN).",
  whyOrphan: 'a segment arrived for a connection your server no longer had.',
  sentRst: (v: { count: number; at: string; peer: string; from?: string; cause?: string; why: string }) =>
    `the server sent ${plural(v.count, 'RST')}; the first at ${v.at} to ${v.peer}${v.from ? ` from state ${v.from}` : ''}${v.cause ? ` (${v.cause})` : ''}: ${v.why} ` +
    `Read to EOF, then close() normally.`,
  noFin: (v: { total: number }) =>
    `not judged: the server ended none of its ${v.total} connections, with FIN or RST (the check 'no CLOSE_WAIT or open descriptor after the clients leave' says why).`,
  otherThrow: (v: { failure: string }) => `your handler threw something other than the reset: ${v.failure}.`,
};

type Messages = typeof en;

const zhCN: Messages = {
  kind: {
    batched: '一个分两个报文段发送各行、第 2 行被拆在两段之间的客户端',
    interactive: '一个交互式客户端（发一行，读到回答后再发下一行）',
    oneLine: '一个只发一行的客户端',
    late: '一个连接后等了一秒多才发送的客户端',
    emptyClose: '一个连接后什么都不发就关闭的客户端',
    emptyHalfClose: '一个连接后立即半关闭的客户端（空请求）',
    fragmentLast: "一个最后一行在 shutdown(SHUT_WR) 之前没有 '\\n' 的客户端",
    bulk: (v) => `一个发送 ${v.kb} KB 数据行（超过接收缓冲区）的客户端`,
    resetter: (v) => `一个发送 ${v.kb} KB 数据行、一个回答都不读、趁你的处理函数还在回答时复位连接（SO_LINGER 0，close()）的客户端`,
  },
  cutShort: (v) => `${v.head}……（共 ${v.bytes} 字节）`,
  who: (v) => `${v.host} 上${v.addr ? `（${v.addr}）` : ''}的${v.kind}`,
  historyStep: (v) => `${v.at} 时 ${v.from} -> ${v.to}（${v.cause}）`,
  historySep: '，',
  serverSide: (v) => `服务器上对应的套接字经历了：${v.history}。`,
  resetText: (v) => `服务器在 ${v.at} ${v.from ? `从 ${v.from} 状态` : ''}发出了 RST${v.cause ? `（${v.cause}）` : ''}。`,
  handlerThrew: (v) => `你的处理函数抛出了异常：${v.failure}${v.more ? `（另有 ${v.more} 个处理函数也是如此）` : ''}。`,
  wrongAnswer: (v) =>
    `${v.who}收到了 ${v.got}：它第 ${v.k} 行 ${v.line} 的回答应当是 ${v.want}，实际收到的却是 ${v.gotLine}。` +
    `每个完整的行都要回答 "OK <line>\\n"：一次 recv() 可能只拿到一行的一部分，也可能拿到好几行。`,
  extraAnswer: (v) =>
    `${v.who}收到了 ${v.got}：在它 ${v.lines} 行的回答之后还多出了 ${v.extra}。` +
    `每个完整的行都要回答 "OK <line>\\n"：一次 recv() 可能只拿到一行的一部分，也可能拿到好几行。`,
  partialHead: (v) => `${v.who}只收到了 ${v.total} 个回答中的 ${v.have} 个（${v.got}）`,
  partialError: (v) => `${v.head}，随后在 ${v.at} 从 ${v.call}() 得到 ${v.errno}。${v.rest}`,
  sentNext: (v) => `它在 ${v.at} 发出了 ${v.data}。`,
  partialEof: (v) => `${v.head}，随后在 ${v.at} 读到 EOF：服务器结束了连接，却还欠着 ${v.next} 的回答。${v.rest}`,
  answerPromptly: '每个完整的行一到就要回答：客户端可能要等到上一行的回答，才发送下一行。',
  partialWaiting: (v) => `${v.head}，到运行结束（${v.at}）时仍在等待 ${v.next} 的回答。${v.rest}`,
  errorNotEof: (v) => `${v.who}已收到全部 ${v.lines} 个回答，随后在 ${v.at} 从 ${v.call}() 得到的是 ${v.errno}，而不是 EOF。${v.rest}recv() 返回 '' 之后，正常地 close() 连接。`,
  noEof: (v) =>
    `${v.who}已收到全部 ${v.lines} 个回答${v.got ? `（${v.got}）` : ''}，但到运行结束（${v.at}）时仍没有读到 EOF` +
    (v.closeWait ? `：服务器上对应的套接字仍处于 CLOSE_WAIT。` : '。') +
    `${v.rest}它会一直读到 EOF，所以在 recv() 返回 ''、每一行都回答完之后，你的处理函数必须调用 close()。`,
  endedEarly: (v) => `你的处理函数在客户端的 FIN 到达之前就结束了连接（${v.cause}）：连接结束的标志是 recv() 返回 ''，而不是你的缓冲区空了或者回复发出去了。`,
  lookAtEnding: '检查一下你的处理函数是怎样结束连接的。',
  whatShutdown: (v) => `你的处理函数在 ${v.at} 对它调用了 shutdown(${v.args})，这会发出 FIN，但描述符仍然留着`,
  whatThrew: (v) => `负责它的处理函数在关闭它之前抛出了异常（${v.failure}）`,
  whatWaiting: (v) => `到运行结束时，进程 '${v.process}' 仍在它上面阻塞于 ${v.call}`,
  whatReturned: '你的处理函数没有关闭它就返回了',
  leaked: (v) => `有 ${v.count} 个由 accept() 得到的描述符从未关闭：${v.list}。第一个的情况是：${v.what}；从未调用 close()。`,
  leakedOver: (v) => `它的连接已经结束（${v.from} -> CLOSED，${v.cause}），所以 ss 看不到它，但在 close() 之前这个 fd 一直被占用。`,
  leakedState: (v) => `它的套接字处于 ${v.state}。`,
  useFinally: '在 finally 块里关闭连接，这样 send() 或 recv() 出错时也不会泄漏它。',
  closeWait: (v) =>
    `${v.leavers}离开之后，服务器仍有 ${v.count} 个套接字处于 CLOSE_WAIT（${v.list}）：` +
    `你的处理函数读到 EOF 时调用 close() 了吗？recv() 返回 '' 表示客户端发来了 FIN；CLOSE_WAIT 会一直持续到你调用 close()。`,
  leavers: (v) => `${v.n} 个客户端`,
  stuckError: (v) => `从 ${v.call}() 得到 ${v.errno}`,
  stuckWaiting: (v) => `收到 ${v.got} 后仍在等待`,
  notJudged: (v) =>
    `有 ${v.stuck} 个连接无法判断：${v.total} 个客户端中有 ${v.stuck} 个始终没能关闭自己这一端` +
    `（第一个是 ${v.who}，它${v.what}）；原因见检查项“每一行都有回答”。`,
  whyLinger: '设置 SO_LINGER 0 后的 close() 会复位连接，并丢弃还没送达的回答。',
  whyUnread: '在收到的数据还没读完时 close()，会复位连接（RFC 2525 §2.17）。',
  whyAfterClose: "客户端的数据在你的处理函数关闭之后才到达：要等 recv() 返回 ''（客户端的 FIN）之后再关闭。",
  whyOrphan: '有一个报文段到达时，服务器已经没有它所属的连接了。',
  sentRst: (v) =>
    `服务器发出了 ${v.count} 个 RST；第一个在 ${v.at} 发往 ${v.peer}${v.from ? `，发出时处于 ${v.from} 状态` : ''}${v.cause ? `（${v.cause}）` : ''}：${v.why}` +
    `一直读到 EOF，然后正常地 close()。`,
  noFin: (v) => `无法判断：服务器的 ${v.total} 个连接一个都没有结束，既没有 FIN 也没有 RST（原因见检查项“客户端离开后没有 CLOSE_WAIT，也没有未关闭的描述符”）。`,
  otherThrow: (v) => `你的处理函数抛出了复位以外的异常：${v.failure}。`,
};

export const closeWaitLeakMessages: LabMessages<Messages> = {
  messages: { en, 'zh-CN': zhCN },
  // The lab page's Run checklist (scenario.ts `expect`), by its English label.
  expectLabels: {
    'zh-CN': {
      "the client's FIN arrives: recv() returns ''": "客户端的 FIN 到达：recv() 返回 ''",
      "your handler calls close(): the server sends its FIN": "你的处理函数调用 close()：服务器发出它的 FIN",
      "the server's FIN": "服务器的 FIN",
      "the client, which closed first, ends in TIME_WAIT": "先关闭的客户端最后进入 TIME_WAIT",
      "TIME_WAIT sits on the client, not on your server": "TIME_WAIT 留在客户端上，不在你的服务器上",
      "a client that half-closes gets its answers and then EOF": "半关闭的客户端先收到应答，再读到 EOF",
      "ss on the server: nothing left in CLOSE_WAIT": "服务器上的 ss：没有残留的 CLOSE_WAIT",
    },
  },
  checks: {
    'zh-CN': {
      'answers every line': {
        title: '每一行都有回答',
        description:
          '多种客户端（等每个回答、中途停顿一秒以上的交互式客户端，行被拆到多个报文段里的，只发一行的，迟迟才发送的，发送 100–140 KB 数据行的）都期望每一行得到 "OK <line>\\n"，然后关闭连接。',
      },
      'no CLOSE_WAIT or open descriptor after the clients leave': {
        title: '客户端离开后没有 CLOSE_WAIT，也没有未关闭的描述符',
        description:
          '30 个客户端每隔 10 ms 连接一个，发送各自的行（或什么都不发），读完回答后先关闭；之后服务器上不能有处于 CLOSE_WAIT 的套接字，accept() 返回的每个描述符都必须已经关闭（只调用 shutdown() 也会泄漏描述符，尽管 ss 什么都看不到）。',
      },
      'half-closing clients get every answer and an EOF': {
        title: '半关闭的客户端拿到每一行的回答和 EOF',
        description:
          "客户端发完各自的行后调用 shutdown(SHUT_WR)，然后一直读回答直到 EOF：有行被拆到多个报文段里的，只发一行的，什么都不发的，最后一行没有 '\\n' 的，迟迟才发送的，以及发送 100–140 KB 数据行的；每个客户端都必须收到全部回答和 EOF。",
      },
      'ends connections with FIN, not RST': {
        title: '以 FIN 而不是 RST 结束连接',
        description: '8 个客户端有的关闭、有的半关闭（其中一个的最后一行没有换行符），服务器不能发出任何 RST：复位会丢掉仍在途中的回答。',
      },
      'closes the descriptor when a client resets': {
        title: '客户端复位时关闭描述符',
        description:
          '一个接收缓冲区只有 4 KB 的客户端发送 100–140 KB 数据行，一个回答都不读，趁你的处理函数还在回答时复位连接（这时它的 send() 或 recv() 会失败）；accept() 返回的每个描述符仍必须关闭。',
      },
    },
  },
};
