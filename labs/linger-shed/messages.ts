// What the linger-shed checker says, in every language the grader speaks
// (src/grading/messages.ts). Options, calls, states, errno names and numbers
// stay as they are.
import type { LabMessages } from '../../src/grading/messages.ts';

export type KindId = 'at-once' | 'split' | 'pause' | 'no-newline' | 'empty' | 'resets';

const plural = (n: number, noun: string, many = `${noun}s`) => `${n} ${n === 1 ? noun : many}`;
const b = (n: number) => n.toLocaleString('en');

const en = {
  notATimeWaitFix:
    'SO_LINGER 0 is not a TIME_WAIT fix: it skips TIME_WAIT by resetting the connection, and a reset throws away whatever is still in the send buffer. ' +
    'TIME_WAIT on the side that closes first is normal, costs a small record in the kernel, and protects the next connection on the same ports from old segments.',
  kind: {
    'at-once': 'sent its request line at once',
    split: 'sent its request line in two segments',
    pause: 'sent its request line after a pause',
    'no-newline': 'sent a request without a newline, then shutdown(SHUT_WR)',
    empty: 'sent nothing, only shutdown(SHUT_WR)',
    resets: 'reset the connection itself after part of the reply',
  } as Record<KindId, string>,
  client: (v: { n: number; port?: number; kind: string }) => `client ${v.n} on port ${v.port}, which ${v.kind}`,
  fromState: (v: { state?: string }) => (v.state ? ` from state ${v.state}` : ''),
  causeLinger: 'close() with SO_LINGER { onoff: true, linger: 0 } aborted it',
  causeUnread: 'close() was called while received data was still unread, and that sends RST instead of FIN (RFC 2525 §2.17)',
  causeKernel: 'the kernel sent it',
  endError: (v: { error: string; at: string }) => `then ${v.error} at ${v.at}`,
  endEof: 'then EOF',
  endNothing: 'then nothing more until the run ended',
  threw: (v: { failure: string }) => `; your handler threw: ${v.failure}`,
  fewServed: (v: { served: number; limit: number }) => `only ${v.served} connections were handed to your handler as not overloaded; the server should have served at least ${v.limit}.`,
  short: (v: { count: number; client: string; got: number; total: number; ending: string; rst: string; threw: string; advice: string }) =>
    `${plural(v.count, 'served client')} did not get the whole reply: ${v.client}, got ${b(v.got)} of ${b(v.total)} bytes, ${v.ending}${v.rst}${v.threw}. ${v.advice}`,
  shortRst: (v: { at: string; from: string; cause: string }) => ` (the server sent RST at ${v.at}${v.from}: ${v.cause})`,
  adviceLinger: (v: { fix: string }) =>
    `send() resolves once the data fits in the send buffer, not once it has arrived; the abortive close reset the connection and purged what was still queued. ${v.fix}`,
  adviceRst: 'A reset throws away whatever is still in the send buffer: read the whole request line (it may come in several segments, or end at EOF without a newline) before you close.',
  adviceOpen: 'The reply stopped short and the connection stayed open: read the request until a newline or EOF, whichever comes first, then send the reply and close.',
  adviceHalfClose:
    "This client half-closed after its request: shutdown(SHUT_WR) ends only the client's direction. recv() returning '' means the request is complete, not that the client is gone: it still reads the reply.",
  noShed: 'no connection was ever overloaded: the scenario needs the burst to exceed the limit (this is a checker problem, please report it).',
  requestAfter: 'after the client had sent its request',
  requestBefore: 'before the client had sent anything',
  shedNothing: (v: { client: string; threw: string }) =>
    `${v.client}: this overloaded connection got neither data, FIN nor RST from the server${v.threw}: abort it with SO_LINGER { onoff: true, linger: 0 } and close().`,
  shedData: (v: { client: string; bytes: number; at: string }) =>
    `${v.client}: on this overloaded connection the server sent ${v.bytes} bytes of data first, at ${v.at}: shedding means refusing at once, before any work, with an RST.`,
  shedFin: (v: { client: string; at: string; when: string; notUnread: boolean }) =>
    `${v.client}: this overloaded connection was closed with FIN at ${v.at}, ${v.when}: an orderly close leaves the server in FIN_WAIT and TIME_WAIT for that client` +
    `${v.notUnread ? ', and close() sends RST on its own only when received data is unread, which it was not' : ''}. ` +
    `Set SO_LINGER { onoff: true, linger: 0 } before close() to abort with RST and keep no state.`,
  shedFlags: (v: { client: string; flags: string }) => `${v.client}: on this overloaded connection the server's first segment was ${v.flags}, not RST.`,
  shedLate: (v: { client: string; ms: string }) => `${v.client}: this overloaded connection was reset ${v.ms} ms after accept(): shed at once, before reading or computing anything.`,
  leftovers: (v: { count: number; list: string }) => `the server still holds ${plural(v.count, 'socket')} for shed clients (${v.list}).`,
  leftover: (v: { state: string; peer: string }) => `${v.state} with ${v.peer}`,
  shedOpen: (v: { fd: string; others: number }) =>
    `${v.fd} was never closed: close() was never called on it${v.others ? ` (and ${plural(v.others, 'other shed connection')})` : ''}.`,
  servedRst: (v: { at: string; from: string; cause: string; client: string; error?: string; got: number; total: number; advice: string }) =>
    `the server reset a connection it served at ${v.at}${v.from}: ${v.cause}. That was ${v.client}; ` +
    `it saw ${v.error ?? 'no error'} after ${b(v.got)} of ${b(v.total)} bytes instead of an orderly end of stream. ${v.advice}`,
  servedLinger: (v: { fix: string }) => `${v.fix} Close served connections normally.`,
  servedReadFirst: 'Read the whole request (until a newline or EOF) before you close.',
  servedOpen: (v: { fd: string; client: string; aborted?: { at: string; got: number }; threw: string; others: number; fds: string }) =>
    `${v.fd} was never closed: close() was never called on it (the connection of ${v.client}${v.aborted ? `, at ${v.aborted.at} after ${b(v.aborted.got)} bytes` : ''}${v.threw})` +
    `${v.others ? `; ${plural(v.others, 'other descriptor')} too (${v.fds})` : ''}. ` +
    `ss cannot show it once the connection has ended, but the process still holds the descriptor, and a server that leaks one per connection runs out. ` +
    `Close in a finally block, so that an error (a peer's reset makes send() fail with ECONNRESET or EPIPE) still releases it; shutdown() is not close().`,
};

type Messages = typeof en;

const zhCN: Messages = {
  notATimeWaitFix:
    'SO_LINGER 0 不是解决 TIME_WAIT 的办法：它靠复位连接跳过 TIME_WAIT，而复位会丢掉发送缓冲区里还没发出的一切。' +
    '先关闭的一方进入 TIME_WAIT 是正常的，在内核里只占一条很小的记录，却能保护同一对端口上的下一个连接不被旧报文段干扰。',
  kind: {
    'at-once': '立即发出请求行',
    split: '把请求行分成两个报文段发送',
    pause: '停顿一会儿后才发出请求行',
    'no-newline': '发出不带换行符的请求，然后 shutdown(SHUT_WR)',
    empty: '什么都没发，只调用了 shutdown(SHUT_WR)',
    resets: '收到部分回复后自己复位了连接',
  },
  client: (v) => `端口 ${v.port} 上的客户端 ${v.n}（它${v.kind}）`,
  fromState: (v) => (v.state ? `，发出时处于 ${v.state} 状态` : ''),
  causeLinger: '设置 SO_LINGER { onoff: true, linger: 0 } 之后的 close() 中止了连接',
  causeUnread: '调用 close() 时收到的数据还没读完，这时发出的是 RST 而不是 FIN（RFC 2525 §2.17）',
  causeKernel: '是内核发出的',
  endError: (v) => `随后在 ${v.at} 出现 ${v.error}`,
  endEof: '随后读到 EOF',
  endNothing: '随后直到运行结束都没有再收到任何东西',
  threw: (v) => `；你的处理函数抛出了异常：${v.failure}`,
  fewServed: (v) => `只有 ${v.served} 个连接以“未过载”的身份交给了你的处理函数；服务器至少应该服务 ${v.limit} 个。`,
  short: (v) =>
    `有 ${v.count} 个得到服务的客户端没有收到完整回复：${v.client}只收到了 ${b(v.total)} 字节中的 ${b(v.got)} 字节，${v.ending}${v.rst}${v.threw}。${v.advice}`,
  shortRst: (v) => `（服务器在 ${v.at} 发出了 RST${v.from}：${v.cause}）`,
  adviceLinger: (v) => `send() 在数据放进发送缓冲区时就返回了，而不是在数据到达对端时；这次中止式关闭复位了连接，并清空了仍在排队的数据。${v.fix}`,
  adviceRst: '复位会丢掉发送缓冲区里还没发出的一切：关闭之前先读完整个请求行（它可能分成几个报文段到达，也可能不带换行符、以 EOF 结束）。',
  adviceOpen: '回复中途停住了，连接却一直开着：读取请求，直到遇到换行符或 EOF（以先到者为准），然后发送回复并关闭。',
  adviceHalfClose:
    "这个客户端发完请求后半关闭了连接：shutdown(SHUT_WR) 只结束客户端这个方向。recv() 返回 '' 表示请求已经完整，并不表示客户端走了：它还在读回复。",
  noShed: '从来没有连接处于过载状态：这个场景需要一波请求超过上限（这是判题器的问题，请报告它）。',
  requestAfter: '此时客户端已经发出了请求',
  requestBefore: '此时客户端还什么都没发',
  shedNothing: (v) => `${v.client}：这个过载连接从服务器既没收到数据，也没收到 FIN 或 RST${v.threw}：请用 SO_LINGER { onoff: true, linger: 0 } 加 close() 中止它。`,
  shedData: (v) => `${v.client}：在这个过载连接上，服务器先在 ${v.at} 发出了 ${v.bytes} 字节数据：卸载负载的意思是立即拒绝，不做任何工作，直接发 RST。`,
  shedFin: (v) =>
    `${v.client}：这个过载连接在 ${v.at} 被以 FIN 关闭，${v.when}：正常关闭会让服务器为这个客户端经历 FIN_WAIT 和 TIME_WAIT` +
    `${v.notUnread ? '，而 close() 只有在收到的数据还没读完时才会自行发出 RST，这里并非如此' : ''}。` +
    `请在 close() 之前设置 SO_LINGER { onoff: true, linger: 0 }，用 RST 中止连接，不留下任何状态。`,
  shedFlags: (v) => `${v.client}：在这个过载连接上，服务器发出的第一个报文段是 ${v.flags}，而不是 RST。`,
  shedLate: (v) => `${v.client}：这个过载连接在 accept() 之后 ${v.ms} ms 才被复位：应当立即卸载，不要先读取或计算任何东西。`,
  leftovers: (v) => `服务器仍为被卸载的客户端持有 ${v.count} 个套接字（${v.list}）。`,
  leftover: (v) => `与 ${v.peer} 之间处于 ${v.state}`,
  shedOpen: (v) => `${v.fd}从未关闭：从没有对它调用 close()${v.others ? `（另有 ${v.others} 个被卸载的连接也是如此）` : ''}。`,
  servedRst: (v) =>
    `服务器在 ${v.at} 复位了一个它正在服务的连接${v.from}：${v.cause}。那是${v.client}；` +
    `它在收到 ${b(v.total)} 字节中的 ${b(v.got)} 字节之后看到的是 ${v.error ?? '没有错误'}，而不是正常的流结束。${v.advice}`,
  servedLinger: (v) => `${v.fix}得到服务的连接请正常关闭。`,
  servedReadFirst: '关闭之前先读完整个请求（直到遇到换行符或 EOF）。',
  servedOpen: (v) =>
    `${v.fd}从未关闭：从没有对它调用 close()（这是${v.client}的连接${v.aborted ? `，它在 ${v.aborted.at} 收到 ${b(v.aborted.got)} 字节之后` : ''}${v.threw}）` +
    `${v.others ? `；另外还有 ${v.others} 个描述符也是如此（${v.fds}）` : ''}。` +
    `连接结束之后 ss 就看不到它了，但进程仍持有这个描述符，每个连接泄漏一个的服务器迟早会把描述符用光。` +
    `请在 finally 块里关闭，这样出错时（对端复位会让 send() 以 ECONNRESET 或 EPIPE 失败）也能释放它；shutdown() 不等于 close()。`,
};

export const lingerShedMessages: LabMessages<Messages> = {
  messages: { en, 'zh-CN': zhCN },
  // The lab page's Run checklist (scenario.ts `expect`), by its English label.
  expectLabels: {
    'zh-CN': {
      "the overloaded connection is aborted with RST": "过载的连接以 RST 中止",
      "the shed client sees ECONNRESET at once": "被甩掉的客户端立即得到 ECONNRESET",
      "every byte of every reply arrives": "每个回复的每个字节都送达",
      "served connections end with FIN (on the last segment of the reply)": "得到服务的连接以 FIN 结束（在回复的最后一个报文段上）",
      "TIME_WAIT on the server, after its orderly close, is normal": "服务器正常关闭之后出现 TIME_WAIT，这是正常的",
      "the TIME_WAIT timer": "TIME_WAIT 定时器",
    },
  },
  checks: {
    'zh-CN': {
      'every served client gets its whole reply': {
        title: '每个得到服务的客户端都收到完整回复',
        description:
          '先是一波 8 个客户端，然后再来一个，每个都请求 20–160 KB 的回复（最大的比套接字缓冲区还大）；有的立即发出请求，有的分两个报文段发送，有的停顿一会儿才发，有的在 shutdown(SHUT_WR) 之前不带换行符。服务器没有过载的每个连接都必须完整送达回复。',
      },
      'overloaded connections are aborted at once with RST': {
        title: '过载时的连接立即以 RST 中止',
        description:
          '对于在已有 4 个活动连接时被接受的连接，握手之后服务器发出的第一个报文段必须是 RST，在 50 ms 以内，不带数据也不带 FIN，不管客户端有没有发出请求；服务器不为它保留任何套接字或描述符。',
      },
      'every served connection is closed, with FIN and not RST': {
        title: '每个得到服务的连接都以 FIN 而不是 RST 关闭',
        description:
          '在没有过载的连接上，服务器不能发出任何 RST，并且必须对它接受的每个描述符调用 close()，即使客户端在 100–200 KB 回复的中途自己复位了连接也一样。',
      },
    },
  },
};
