// What the restart-reuseaddr checker says, in every language the grader speaks
// (src/grading/messages.ts). Calls, options, errno names, states and sysctls
// stay as they are.
import type { LabMessages } from '../../src/grading/messages.ts';

const en = {
  failedListen: (v: { error: string }) => `${v.error}.`,
  notSocket: (v: { who: string; type: string }) => `${v.who} resolved with ${v.type}, not the listening Socket.`,
  notListening: (v: { who: string; state: string }) => `${v.who} returned a socket in state ${v.state}: call bind({ port }) and then listen() on it before returning it.`,
  wrongPort: (v: { who: string; got: string; port: number }) => `${v.who} returned a socket on port ${v.got}, not port ${v.port}: bind({ port }) to the port you are given.`,
  whoListen: 'listen()',
  whoFirst: "the first server's listen()",
  whoRestarted: "the restarted server's listen()",
  whoSecondProgram: 'a second program (a separately loaded copy of your module)',
  whoSecondListen: 'a second listen() in the same program',
  whoOtherProgram: 'another program that sets SO_REUSEADDR and SO_REUSEPORT itself',
  whoSecond: 'the second listen()',
  clientGot: (v: { received: string }) => `got ${v.received}`,
  clientError: (v: { errno: string; at: string; received?: string }) => `${v.errno} at ${v.at}${v.received ? ` after receiving ${v.received}` : ''}`,
  wrongReply: (v: { reply: string; port: number; want: string }) => `the client got ${v.reply} from the server on port ${v.port} instead of "${v.want}\\n".`,
  synDropped: (v: { clients: number; dropped: number; port: number; first: string; backlogs: string; retries: number; drops: number }) =>
    `of ${v.clients} clients connecting at once, ${v.dropped} had their handshake stalled because port ${v.port}'s accept queue was full ` +
    `(the first at ${v.first}; your listen() passed backlog ${v.backlogs}, and a backlog of N holds N + 1 connections waiting for accept()): ` +
    `Linux drops a SYN, or the handshake's final ACK, that finds the queue full (nstat: TcpExtListenOverflows), so they waited for retransmissions ` +
    `(a SYN after 1 s, their request after the retransmission timeout, or the server's SYN-ACK after 1 s): ${v.retries} ${v.retries === 1 ? 'segment' : 'segments'} sent again, ${v.drops} ${v.drops === 1 ? 'segment' : 'segments'} dropped in all. ` +
    `listen() with no argument takes the default (128 here, capped by net.core.somaxconn).`,
  fewAnswered: (v: { ok: number; clients: number; errors: string }) => `only ${v.ok} of ${v.clients} clients got their answer (${v.errors}).`,
  firstFailed: (v: { error: string }) => `the first server failed: ${v.error}.`,
  eaddrinuse: (v: { at: string; port: number; timeWait: number }) =>
    `the restarted server's listen() failed with EADDRINUSE at ${v.at}: port ${v.port} still had ${v.timeWait} ${v.timeWait === 1 ? 'socket' : 'sockets'} in TIME_WAIT from the old server's connections. ` +
    `On Linux, bind() may share a port with TIME_WAIT sockets only if BOTH the new socket and the old ones have SO_REUSEADDR, ` +
    `and the old ones got their flag from the old listener. Set SO_REUSEADDR on every listening socket, before bind().`,
  restartThrew: (v: { error: string }) => `the restarted server's listen() threw ${v.error}.`,
  neverClosed: (v: { at: string }) => `the first server never closed its listener (the run ended at ${v.at}).`,
  outage: 'waiting for TIME_WAIT to expire (60 s on Linux) is exactly the outage this lab removes. SO_REUSEADDR lets bind() succeed at once.',
  endedStopped: 'every client had finished or given up',
  notYetListening: (v: { seconds: string; at: string; ended: string; waiting?: string; outage: string }) =>
    `the restarted server was still not listening ${v.seconds} s after the old one closed its listener, when the run ended at ${v.at} (${v.ended})` +
    (v.waiting ? ` (its listen() was waiting in ${v.waiting})` : '') +
    `: ${v.outage}`,
  slowRestart: (v: { seconds: string; outage: string }) => `the restarted server took ${v.seconds} s to listen: ${v.outage}`,
  fewServed: (v: { ok: number; total: number; errors: string; v2: number }) =>
    `only ${v.ok} of ${v.total} clients were served across the restart (${v.errors}); the restarted server answered ${v.v2}.`,
  secondHung: (v: { who: string; at: string; waiting?: string }) =>
    `${v.who} had not returned at ${v.at}, when the run ended` +
    (v.waiting ? ` (still waiting: ${v.waiting})` : '') +
    `: while another server holds the port, listen() must fail with EADDRINUSE at once instead of waiting for the port.`,
  stillWaiting: (v: { process: string; call: string }) => `${v.process} in ${v.call}`,
  tookAfterClose: (v: { who: string; port: number; state: string }) =>
    `${v.who} got port ${v.port} after the first server's listener was closed (it is in state ${v.state}): listen() must not close another server's listener to take its port.`,
  otherPort: (v: { who: string; port: number; got: number | string }) =>
    `${v.who} was asked for port ${v.port}, which the first server holds, and resolved with a socket listening on port ${v.got} instead of failing with EADDRINUSE: clients still connect to ${v.port}, so a server that quietly listens elsewhere serves nobody. Let the error reach the caller.`,
  sharedPort: (v: { who: string; port: number; reuseport: boolean }) =>
    `${v.who} bound port ${v.port} and listened while the first server was still listening` +
    (v.reuseport ? `: your listener has SO_REUSEPORT set. ` : `. `) +
    `SO_REUSEPORT lets several listeners share a port on purpose (load balancing), so a server started twice by mistake, or any other program of the same user, goes unnoticed and takes a share of the connections. ` +
    `SO_REUSEADDR is the option for restarts: it never allows two listeners on one port, and the kernel, not your module, must be what refuses the second one.`,
  wrongErrno: (v: { who: string; errno: string }) => `${v.who}: listen() failed with ${v.errno}, expected EADDRINUSE.`,
  firstNotListening: (v: { who: string; state: string }) => `after ${v.who} tried, the first server's listener was in state ${v.state}, not LISTEN.`,
  leftOpen: (v: { count: number; errnos: string; list: string }) =>
    `${v.count} ${v.count === 1 ? 'socket' : 'sockets'} opened by a listen() that failed with ${v.errnos} ${v.count === 1 ? 'was' : 'were'} left open: ${v.list}; close() was never called on ${v.count === 1 ? 'it' : 'them'}. ` +
    `A socket whose bind() failed still holds a descriptor: close it before you rethrow (a supervisor that retries listen() would leak one per attempt).`,
};

type Messages = typeof en;

/** A subject before a Chinese verb: a space after Latin text (listen()), none after Chinese punctuation. */
const w = (who: string) => (/[\x21-\x7e]$/.test(who) ? `${who} ` : who);

const zhCN: Messages = {
  failedListen: (v) => `${v.error}。`,
  notSocket: (v) => `${w(v.who)}返回的是 ${v.type}，而不是处于监听状态的 Socket。`,
  notListening: (v) => `${w(v.who)}返回的套接字处于 ${v.state} 状态：返回之前要先 bind({ port })，再对它调用 listen()。`,
  wrongPort: (v) => `${w(v.who)}返回的套接字在端口 ${v.got} 上，而不是端口 ${v.port}：请 bind({ port }) 到传给你的端口。`,
  whoListen: 'listen()',
  whoFirst: '第一个服务器的 listen()',
  whoRestarted: '重启后服务器的 listen()',
  whoSecondProgram: '第二个程序（你的模块另外加载的一份副本）',
  whoSecondListen: '同一个程序里的第二次 listen()',
  whoOtherProgram: '另一个自己设置了 SO_REUSEADDR 和 SO_REUSEPORT 的程序',
  whoSecond: '第二次 listen()',
  clientGot: (v) => `收到 ${v.received}`,
  clientError: (v) => `${v.at} 时出现 ${v.errno}${v.received ? `，此前已收到 ${v.received}` : ''}`,
  wrongReply: (v) => `客户端从端口 ${v.port} 上的服务器收到的是 ${v.reply}，而不是 "${v.want}\\n"。`,
  synDropped: (v) =>
    `${v.clients} 个客户端同时发起连接，其中 ${v.dropped} 个的握手因为端口 ${v.port} 的全连接队列（accept 队列）已满而停住` +
    `（第一次在 ${v.first}；你的 listen() 传入的 backlog 是 ${v.backlogs}，backlog 为 N 时最多容纳 N + 1 个等待 accept() 的连接）：` +
    `Linux 会丢弃遇到满队列的 SYN 或握手的最后一个 ACK（nstat：TcpExtListenOverflows），于是它们只能等待重传` +
    `（SYN 在 1 秒后，客户端的请求在重传超时后，服务器的 SYN-ACK 在 1 秒后）：共重发了 ${v.retries} 个报文段，总共丢弃 ${v.drops} 个报文段。` +
    `不带参数调用 listen() 会使用默认值（这里是 128，上限是 net.core.somaxconn）。`,
  fewAnswered: (v) => `${v.clients} 个客户端中只有 ${v.ok} 个收到了回答（${v.errors}）。`,
  firstFailed: (v) => `第一个服务器出错了：${v.error}。`,
  eaddrinuse: (v) =>
    `重启后服务器的 listen() 在 ${v.at} 失败，错误为 EADDRINUSE：端口 ${v.port} 上仍有旧服务器的连接留下的 ${v.timeWait} 个处于 TIME_WAIT 的套接字。` +
    `在 Linux 上，只有新套接字和那些旧套接字**都**设置了 SO_REUSEADDR，bind() 才能与 TIME_WAIT 套接字共用一个端口，` +
    `而旧套接字的这个标志继承自旧的监听套接字。请在每个监听套接字上、在 bind() 之前设置 SO_REUSEADDR。`,
  restartThrew: (v) => `重启后服务器的 listen() 抛出了 ${v.error}。`,
  neverClosed: (v) => `第一个服务器始终没有关闭它的监听套接字（运行在 ${v.at} 结束）。`,
  outage: '等 TIME_WAIT 过期（Linux 上是 60 秒）正是本实验要消除的停机时间。SO_REUSEADDR 能让 bind() 立即成功。',
  endedStopped: '所有客户端都已完成或放弃',
  notYetListening: (v) =>
    `旧服务器关闭监听套接字 ${v.seconds} 秒后，运行在 ${v.at} 结束（${v.ended}），重启后的服务器仍未开始监听` +
    (v.waiting ? `（它的 listen() 阻塞在 ${v.waiting} 中）` : '') +
    `：${v.outage}`,
  slowRestart: (v) => `重启后的服务器过了 ${v.seconds} 秒才开始监听：${v.outage}`,
  fewServed: (v) => `重启前后共 ${v.total} 个客户端，只有 ${v.ok} 个得到服务（${v.errors}）；重启后的服务器回答了 ${v.v2} 个。`,
  secondHung: (v) =>
    `运行在 ${v.at} 结束时，${w(v.who)}仍未返回` +
    (v.waiting ? `（仍在等待：${v.waiting}）` : '') +
    `：端口被另一个服务器占用时，listen() 必须立即以 EADDRINUSE 失败，而不是等待端口空出来。`,
  stillWaiting: (v) => `${v.process} 阻塞在 ${v.call} 中`,
  tookAfterClose: (v) => `${w(v.who)}在第一个服务器的监听套接字被关闭之后拿到了端口 ${v.port}（它处于 ${v.state} 状态）：listen() 不能为了占用端口而关闭另一个服务器的监听套接字。`,
  otherPort: (v) =>
    `${w(v.who)}被要求监听第一个服务器占着的端口 ${v.port}，却返回了一个监听在端口 ${v.got} 上的套接字，而不是以 EADDRINUSE 失败：客户端仍然连到 ${v.port}，悄悄换个端口监听的服务器谁也服务不到。把错误交给调用方。`,
  sharedPort: (v) =>
    `第一个服务器仍在监听时，${w(v.who)}绑定了端口 ${v.port} 并开始监听` +
    (v.reuseport ? `：你的监听套接字设置了 SO_REUSEPORT。` : `。`) +
    `SO_REUSEPORT 是有意让多个监听套接字共用一个端口（负载均衡），于是误启动两次的服务器，或者同一用户的任何其他程序，都能悄无声息地分走一部分连接。` +
    `重启该用的是 SO_REUSEADDR：它从不允许一个端口上有两个监听套接字，而拒绝第二个监听的应当是内核，而不是你的模块。`,
  wrongErrno: (v) => `${v.who}：listen() 失败，错误为 ${v.errno}，应当是 EADDRINUSE。`,
  firstNotListening: (v) => `${w(v.who)}尝试之后，第一个服务器的监听套接字处于 ${v.state} 状态，而不是 LISTEN。`,
  leftOpen: (v) =>
    `以 ${v.errnos} 失败的 listen() 打开的 ${v.count} 个套接字没有关闭：${v.list}；从未对它们调用 close()。` +
    `bind() 失败的套接字仍占着一个文件描述符：在重新抛出错误之前关闭它（一个反复重试 listen() 的守护进程每试一次就会泄漏一个）。`,
};

export const restartReuseaddrMessages: LabMessages<Messages> = {
  messages: { en, 'zh-CN': zhCN },
  // The lab page's Run checklist (scenario.ts `expect`), by its English label.
  expectLabels: {
    'zh-CN': {
      "the server closes first": "服务器先关闭",
      "the old server's connections sit in TIME_WAIT on port 8080": "旧服务器的连接停在 8080 端口的 TIME_WAIT 中",
      "each TIME_WAIT lasts 60 s": "每个 TIME_WAIT 持续 60 秒",
      "the restart binds at once": "重启后立即 bind 成功",
      "clients after the restart are served": "重启后的客户端得到服务",
    },
  },
  checks: {
    'zh-CN': {
      'listens on the given port': {
        title: '在指定端口上监听',
        description: 'listen(os, port) 的 port 在 8000 到 8999 之间，它必须返回一个在该端口上处于 LISTEN 的套接字，能接受一个客户端并回答它。',
      },
      'serves a burst of clients at once': {
        title: '同时服务一大批客户端',
        description: '40 到 90 个客户端在同一毫秒内发起连接，而服务器在第一次 accept() 之前忙了 50 毫秒：accept 队列必须容纳下所有连接（没有 SYN 或握手的最后一个 ACK 因队列已满被丢弃，没有一个 SYN 或 SYN-ACK 被重传），每个客户端都必须收到回答。',
      },
      'restarts at once while old connections sit in TIME_WAIT': {
        title: '旧连接停在 TIME_WAIT 时也能立即重启',
        description:
          '一个服务器服务完一批 10–30 个客户端（由它先关闭，所以这些套接字进入 TIME_WAIT）后关闭监听套接字；另一个新服务器（你的模块另外加载的一份副本）立即调用 listen(os, port)，同时又有一批客户端不断连接（遇到 ECONNREFUSED 就重试）：新服务器必须在 1 秒内开始监听，每个客户端都必须得到服务。',
      },
      "a second server cannot take a running server's port": {
        title: '第二个服务器抢不走正在运行的服务器的端口',
        description:
          '一个服务器正在监听时，来自你的模块另一份副本的 listen(os, port)、同一个模块里的第二次 listen()，以及另一个自己设置了 SO_REUSEADDR 和 SO_REUSEPORT 的程序，都必须以 EADDRINUSE 失败，第一个服务器必须仍在监听。',
      },
      'closes the socket of a failed listen()': {
        title: '关闭失败的 listen() 打开的套接字',
        description: '当 listen(os, port) 因为端口被另一个服务器占用而失败时，它打开的套接字必须关闭：运行结束后，服务器上不能留下任何由 socket() 得到、仍未关闭的文件描述符。',
      },
    },
  },
};
