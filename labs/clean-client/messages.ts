// What the clean-client checker says, in every language the grader speaks
// (src/grading/messages.ts). Host names, calls, states, errno names and RFC
// sections stay as they are; numbers are formatted for the reader.
import type { LabMessages } from '../../src/grading/messages.ts';

export interface PlanText {
  name: string;
  bytes: number;
  thinkMs: number;
  pieces: number;
  gapMs: number;
  resetAfter?: number;
}

const n = (v: number) => v.toLocaleString('en');
const s1 = (ms: number) => (ms / 1000).toFixed(1);

const en = {
  plan: (p: PlanText) => {
    if (p.bytes === 0) return `the server '${p.name}' ${p.thinkMs ? `waited ${p.thinkMs} ms, then ` : ''}closed without sending a byte (an empty reply)`;
    const think = p.thinkMs ? ` after ${s1(p.thinkMs)} s of think time` : '';
    const pieces = p.pieces > 1 ? ` in ${p.pieces} pieces ${s1(p.gapMs)} s apart` : ' in one piece';
    const end = p.resetAfter !== undefined ? `, and reset the connection after ${n(p.resetAfter)} of them` : ', then closed';
    return `the server '${p.name}' answered${think} with ${n(p.bytes)} bytes${pieces}${end}`;
  },
  stillWaiting: (v: { call: string; at: string }) => `still waiting in ${v.call} at ${v.at}`,
  atTime: (v: { at: string }) => `at ${v.at}`,
  anError: 'an error',
  threw: (v: { name: string; failure: string; plan: string }) =>
    `fetchAll('${v.name}', ...) threw: ${v.failure}. ${v.plan}: nothing went wrong on the network, so fetchAll should return the reply.`,
  neverReturned: (v: { name: string; waiting: string; plan: string; noRequest: boolean }) =>
    `fetchAll never returned from '${v.name}' (${v.waiting}); ${v.plan}${v.noRequest ? ', but first it needed the request' : ''}. ` +
    `recv() returns '' once the server's FIN has arrived: stop reading then, and not before.`,
  neverConnected: (v: { name: string }) => `fetchAll('${v.name}', ...) returned without ever connecting to '${v.name}' port 80: connect to the server you are given.`,
  wrongRequest: (v: { name: string; received: string; request: string }) =>
    `the server '${v.name}' received ${v.received} instead of the request ${v.request}: send the request you are given, as is.`,
  notString: (v: { name: string; type: string }) => `fetchAll('${v.name}', ...) returned ${v.type}, not the reply text.`,
  truncated: (v: { name: string; got: number; total: number; plan: string }) =>
    `fetchAll('${v.name}', ...) returned ${n(v.got)} of the ${n(v.total)} bytes; ${v.plan}. ` +
    `One recv() returns only what has arrived so far; keep calling recv() until it returns '' (end of stream), however long the server pauses.`,
  differs: (v: { name: string; got: number; at: number; plan: string }) =>
    `fetchAll('${v.name}', ...) returned ${n(v.got)} bytes that differ from the reply at byte ${v.at}; ${v.plan}. Return exactly the bytes received, in order.`,
  resetByClient: (v: { name: string; got: number; total: number; at: string }) =>
    `fetchAll('${v.name}', ...) returned ${n(v.got)} of the ${n(v.total)} bytes and reset the connection itself at ${v.at}, before the server got to. One recv() returns only what has arrived so far; keep calling recv() until it returns '' (end of stream) or throws.`,
  cut: (v: { name: string; at: string; sent: number; total: number }) =>
    `the server '${v.name}' reset the connection at ${v.at} after ${n(v.sent)} of the ${n(v.total)} bytes of its reply`,
  bytes: (v: { n: number }) => `${n(v.n)} bytes`,
  returnedTruncated: (v: { cut: string; what: string }) =>
    `${v.cut}, yet fetchAll returned ${v.what} as if that were the whole reply. Let the ECONNRESET that recv() throws reach your caller (or throw your own error): a truncated reply must not pass for a complete one.`,
  hungAfterReset: (v: { cut: string; waiting: string }) =>
    `${v.cut}, and fetchAll never returned or threw (${v.waiting}): recv() throws ECONNRESET after a reset; let it reach the caller.`,
  judgeClosing: 'closing',
  judgeEnding: 'how the connections end',
  fetchThrew: (v: { errno: string }) => `fetchAll threw ${v.errno}`,
  blockedThrew: (v: { what: string; failure: string; name: string }) =>
    `cannot judge ${v.what}: ${v.failure} while fetching from '${v.name}', whose server behaved. See 'returns the whole reply'.`,
  blockedHung: (v: { what: string; name: string; waiting: string }) =>
    `cannot judge ${v.what}: fetchAll never returned from '${v.name}' (${v.waiting}). See 'returns the whole reply'.`,
  closeWait: (v: { count: number; list: string }) =>
    `the client still has ${v.count} ${v.count === 1 ? 'socket' : 'sockets'} in CLOSE_WAIT (${v.list}) long after the servers' FINs, although fetchAll had returned. ` +
    `CLOSE_WAIT has no timer: it lasts until your program calls close(). Call close() once recv() returned ''.`,
  adviceReset: `That server reset the connection: recv() threw ECONNRESET, and the descriptor is still the process's until close(). Close it on every path (try/finally), and let the error reach the caller.`,
  advicePlain: `ss no longer lists a connection that has ended, yet its descriptor stays with the process until close(): call close() once recv() returned ''.`,
  openDescriptors: (v: { count: number; leak: string; peer?: string; advice: string }) =>
    `the client still holds ${v.count} ${v.count === 1 ? 'descriptor' : 'descriptors'} after every fetch had ended: ${v.leak}${v.peer ? `; it was the connection to '${v.peer}'` : ''}` +
    `${v.count > 1 ? `, and ${v.count - 1} more` : ''}. ${v.advice}`,
  rstHead: (v: { count: number; at: string; server: string; state?: string }) =>
    `the client sent ${v.count} ${v.count === 1 ? 'RST' : 'RSTs'}, the first at ${v.at} to '${v.server}'${v.state ? ` from state ${v.state}` : ''}`,
  rstLinger: (v: { head: string }) =>
    `${v.head}: close() after setsockopt(SO_LINGER, { onoff: true, linger: 0 }) aborts the connection with RST instead of ending it with FIN, and the server cannot tell whether its reply was read. Leave SO_LINGER alone: a plain close() after EOF sends FIN.`,
  rstUnread: (v: { head: string }) =>
    `${v.head}: close() was called while part of the reply was still unread in the socket, and a close() with unread data sends RST, not FIN (RFC 2525 §2.17). ` +
    `Read until recv() returns '' and only then close().`,
  rstAfterClose: (v: { head: string }) =>
    `${v.head}: more of the reply arrived after close(), and data arriving at a closed socket is answered with RST (RFC 2525 §2.17). The server had not finished: read until recv() returns '' and only then close().`,
  rstOrphan: (v: { head: string }) =>
    `${v.head}: it answered a segment for a connection whose socket was already gone, which means the client closed before the server had finished (RFC 2525 §2.17). Read until recv() returns '' and only then close().`,
  overLoss: (v: { problem: string }) => `over links that lose 5% of segments, ${v.problem}`,
  notLoss: (v: { check: string }) => `not a matter of loss: the same fetches fail '${v.check}' without any loss too; fix that first.`,
};

type Messages = typeof en;

const zhCN: Messages = {
  plan: (p) => {
    if (p.bytes === 0) return `服务器 '${p.name}' ${p.thinkMs ? `等了 ${p.thinkMs} ms，然后` : ''}一个字节也没发就关闭了连接（空回复）`;
    const think = p.thinkMs ? `思考了 ${s1(p.thinkMs)} 秒后，` : '';
    const pieces = p.pieces > 1 ? `分 ${p.pieces} 段发出、每段间隔 ${s1(p.gapMs)} 秒` : '一次发完';
    const end = p.resetAfter !== undefined ? `，并在发出其中 ${n(p.resetAfter)} 字节后复位了连接` : '，然后关闭';
    return `服务器 '${p.name}' ${think}回复了 ${n(p.bytes)} 字节，${pieces}${end}`;
  },
  stillWaiting: (v) => `${v.at} 时仍阻塞在 ${v.call} 中`,
  atTime: (v) => `${v.at} 时`,
  anError: '一个错误',
  threw: (v) => `fetchAll('${v.name}', ...) 抛出了异常：${v.failure}。${v.plan}：网络上一切正常，fetchAll 应当返回这份回复。`,
  neverReturned: (v) =>
    `fetchAll 从 '${v.name}' 读取时始终没有返回（${v.waiting}）；${v.plan}${v.noRequest ? '，但在此之前它需要先收到请求' : ''}。` +
    `服务器的 FIN 到达后，recv() 会返回 ''：到那时才停止读取，不要提前。`,
  neverConnected: (v) => `fetchAll('${v.name}', ...) 还没连接过 '${v.name}' 的 80 端口就返回了：请连接传给你的那台服务器。`,
  wrongRequest: (v) => `服务器 '${v.name}' 收到的是 ${v.received}，而不是请求 ${v.request}：请原样发送传给你的请求。`,
  notString: (v) => `fetchAll('${v.name}', ...) 返回了 ${v.type}，而不是回复的文本。`,
  truncated: (v) =>
    `fetchAll('${v.name}', ...) 只返回了 ${n(v.total)} 字节中的 ${n(v.got)} 字节；${v.plan}。` +
    `一次 recv() 只返回目前已经到达的数据；要反复调用 recv()，直到它返回 ''（流结束）为止，不管服务器中途停顿多久。`,
  differs: (v) => `fetchAll('${v.name}', ...) 返回的 ${n(v.got)} 字节从第 ${v.at} 个字节起与回复不一致；${v.plan}。请按顺序原样返回收到的字节。`,
  resetByClient: (v) =>
    `fetchAll('${v.name}', ...) 只返回了 ${n(v.total)} 字节中的 ${n(v.got)} 字节，并且在服务器复位之前，于 ${v.at} 自己先复位了连接。一次 recv() 只返回目前已经到达的数据；要反复调用 recv()，直到它返回 ''（流结束）或抛出异常。`,
  cut: (v) => `服务器 '${v.name}' 在发出回复的 ${n(v.total)} 字节中的 ${n(v.sent)} 字节后，于 ${v.at} 复位了连接`,
  bytes: (v) => `${n(v.n)} 字节`,
  returnedTruncated: (v) =>
    `${v.cut}，fetchAll 却把 ${v.what} 当作完整回复返回了。应当让 recv() 抛出的 ECONNRESET 传到调用方（或者抛出你自己的错误）：被截断的回复不能冒充完整的回复。`,
  hungAfterReset: (v) => `${v.cut}，而 fetchAll 既没有返回也没有抛出异常（${v.waiting}）：连接被复位后 recv() 会抛出 ECONNRESET，让它传到调用方。`,
  judgeClosing: '关闭过程',
  judgeEnding: '连接的结束方式',
  fetchThrew: (v) => `fetchAll 抛出了 ${v.errno}`,
  blockedThrew: (v) => `无法判断${v.what}：从 '${v.name}' 读取时 ${v.failure}，而那台服务器的行为完全正常。请先看检查项“返回完整的回复”。`,
  blockedHung: (v) => `无法判断${v.what}：fetchAll 从 '${v.name}' 读取时始终没有返回（${v.waiting}）。请先看检查项“返回完整的回复”。`,
  closeWait: (v) =>
    `fetchAll 早已返回，服务器的 FIN 也早已到达，客户端却仍有 ${v.count} 个套接字处于 CLOSE_WAIT（${v.list}）。` +
    `CLOSE_WAIT 没有定时器：它会一直持续到你的程序调用 close()。recv() 返回 '' 之后就调用 close()。`,
  adviceReset: `那台服务器复位了连接：recv() 抛出了 ECONNRESET，但在 close() 之前，这个文件描述符仍归进程所有。请在每条代码路径上都关闭它（try/finally），并让错误传到调用方。`,
  advicePlain: `连接结束后 ss 就不再列出它，但它的文件描述符在 close() 之前一直留在进程里：recv() 返回 '' 之后就调用 close()。`,
  openDescriptors: (v) =>
    `所有请求都已结束，客户端仍持有 ${v.count} 个文件描述符：${v.leak}${v.peer ? `；这是到 '${v.peer}' 的连接` : ''}` +
    `${v.count > 1 ? `，另外还有 ${v.count - 1} 个` : ''}。${v.advice}`,
  rstHead: (v) => `客户端发出了 ${v.count} 个 RST，第一个在 ${v.at} 发往 '${v.server}'${v.state ? `，发出时处于 ${v.state} 状态` : ''}`,
  rstLinger: (v) =>
    `${v.head}：设置 setsockopt(SO_LINGER, { onoff: true, linger: 0 }) 之后再 close()，会用 RST 中止连接，而不是用 FIN 正常结束，服务器也就无从知道它的回复是否被读完。不要动 SO_LINGER：读到 EOF 后直接 close() 就会发出 FIN。`,
  rstUnread: (v) =>
    `${v.head}：调用 close() 时套接字里还有一部分回复没有读取，而带着未读数据的 close() 发出的是 RST，不是 FIN（RFC 2525 §2.17）。` +
    `一直读到 recv() 返回 ''，然后再 close()。`,
  rstAfterClose: (v) =>
    `${v.head}：close() 之后又有回复数据到达，而发往已关闭套接字的数据会被回以 RST（RFC 2525 §2.17）。服务器还没发完：一直读到 recv() 返回 ''，然后再 close()。`,
  rstOrphan: (v) =>
    `${v.head}：它回应了一个报文段，而该连接的套接字已经不存在，这说明客户端在服务器发完之前就关闭了连接（RFC 2525 §2.17）。一直读到 recv() 返回 ''，然后再 close()。`,
  overLoss: (v) => `在丢失 5% 报文段的链路上，${v.problem}`,
  notLoss: (v) => `这与丢包无关：同样的请求在完全不丢包时也无法通过“${v.check}”；请先解决那个问题。`,
};

export const cleanClientMessages: LabMessages<Messages> = {
  messages: { en, 'zh-CN': zhCN },
  // The lab page's Run checklist (scenario.ts `expect`), by its English label.
  expectLabels: {
    'zh-CN': {
      "fetchAll returns every byte, though the reply came in three pieces": "回复分三段到达，fetchAll 仍然返回全部字节",
      "the server closes first: its FIN": "服务器先关闭：它的 FIN",
      "the server's FIN arrives: recv() returns ''": "服务器的 FIN 到达：recv() 返回 ''",
      "fetchAll calls close(): the client sends its FIN, not a RST": "fetchAll 调用 close()：客户端发出的是 FIN，而不是 RST",
      "the client's FIN": "客户端的 FIN",
      "the server, which closed first, ends in TIME_WAIT": "先关闭的服务器最后进入 TIME_WAIT",
      "TIME_WAIT sits on the server, not on your client": "TIME_WAIT 留在服务器上，不在你的客户端上",
      "ss on the client: nothing left in CLOSE_WAIT": "客户端上的 ss：没有残留的 CLOSE_WAIT",
    },
  },
  checks: {
    'zh-CN': {
      'returns the whole reply': {
        title: '返回完整的回复',
        description:
          '五台名字各不相同的服务器：一台思考 1–2 秒后回复 100–200 KB，分段发出、每段间隔一秒以上；一台分几段回复 20–50 KB；一台只回一行；一台回复为空；还有一台在中途复位连接。fetchAll 必须原样发送请求、逐字节返回每份回复，并且对被截断的那份回复抛出异常（而不是返回它）。',
      },
      'closes its socket after EOF': {
        title: '读到 EOF 后关闭套接字',
        description:
          '依次请求：5,000 字节分段发出、每段间隔一秒以上；一份短回复；一份空回复；一台中途复位连接的服务器。之后客户端主机上不得有处于 CLOSE_WAIT 的套接字，也不得有 socket() 得到却从未关闭的文件描述符。',
      },
      'ends without RST': {
        title: '不发 RST 地结束连接',
        description: '一份回复分段到达、每段间隔一秒以上，另一份比接收缓冲区还大；客户端不得发出任何 RST。',
      },
      'works over a lossy link': {
        title: '在丢包链路上也能工作',
        description: '链路丢失 5% 的报文段（有固定种子）；两次 20–50 KB 的请求仍须返回完整的回复、正常关闭，且不发出 RST。',
      },
    },
  },
};
