// Lab: a half-close protocol. The request ends where the client's FIN is
// (shutdown(SHUT_WR), RFC 9293 §3.6: a half-closed connection still carries data
// the other way), so the server must read to EOF before it can answer.
import { defineChecker, ensure, fail, type CheckContext } from '../../src/grading/define-checker.ts';
import { at, fromState, count, describeFailure, failures, segments, socketsIn } from '../../src/grading/trace-queries.ts';
import { errnoOf, firstDifference, payload, readToEof } from '../../src/grading/reference-io.ts';
import type { OS, Socket } from '../../src/sim/index.ts';

export interface HalfClose {
  client(os: OS, server: string, request: string): Promise<string>;
  handle(conn: Socket): Promise<void>;
}

/** The protocol's answer: a length line, then the request in upper case. */
export function answer(request: string): string {
  return `LEN ${request.length}\n${request.toUpperCase()}`;
}

type ServerSide = 'reference' | 'learner';
type ClientSide = { kind: 'reference'; pieces: string[]; gapMs: number } | { kind: 'learner'; request: string };

async function runPair(t: CheckContext<HalfClose>, serverSide: ServerSide, clientSide: ClientSide) {
  const world = t.world();
  const server = world.host('server');
  const client = world.host('client');
  world.link(client, server, { delayMs: 10 });
  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: 7 });
    ls.listen();
    const conn = await ls.accept();
    if (serverSide === 'learner') {
      os.spawn(() => t.learner.handle(conn), 'handle');
      return;
    }
    const request = await readToEof(conn);
    await conn.send(answer(request));
    await conn.close();
  }, serverSide === 'learner' ? 'listener' : 'server');
  const out: { reply?: string; returned: boolean; error?: string; request: string } = {
    returned: false,
    request: clientSide.kind === 'learner' ? clientSide.request : clientSide.pieces.join(''),
  };
  client.run(async (os) => {
    if (clientSide.kind === 'learner') {
      out.reply = await t.learner.client(os, 'server', clientSide.request);
      out.returned = true;
      return;
    }
    const s = os.socket();
    try {
      await s.connect({ host: 'server', port: 7 });
      for (let i = 0; i < clientSide.pieces.length; i++) {
        if (clientSide.pieces[i]) await s.send(clientSide.pieces[i]);
        if (i < clientSide.pieces.length - 1) await os.sleep(clientSide.gapMs);
      }
      s.shutdown('SHUT_WR');
      out.reply = await readToEof(s);
      out.returned = true;
      await s.close();
    } catch (error) {
      out.error = errnoOf(error) ?? String(error);
    }
  }, clientSide.kind === 'learner' ? 'client' : 'reference-client');
  const summary = await t.run(world);
  return { world, summary, out };
}

type Pair = Awaited<ReturnType<typeof runPair>>;

function requireLearnerClientReply(r: Pair) {
  const f = failures(r.summary, 'client')[0];
  if (f) {
    fail(
      `${describeFailure(f)}. ` +
        (f.error?.message.includes('EBADF') || f.error?.message.includes('closed')
          ? "close() gives up both directions; shutdown('SHUT_WR') sends FIN but keeps the socket open for reading the reply."
          : 'Send the request, shutdown(SHUT_WR), then recv() until it returns the empty string.'),
    );
  }
  if (!r.out.returned) {
    const waits = r.summary.blocked.map((b) => `${b.process} in ${b.waitingIn}`).join(', ');
    fail(
      `your client never returned: at ${at(r.summary.virtualMs)} ${waits || 'both sides were idle'}. The server reads the request until EOF, so it waits for your FIN: ` +
        `call shutdown('SHUT_WR') after sending. close() would also send FIN, but then you could not read the reply.`,
    );
  }
  const want = answer(r.out.request);
  if (r.out.reply !== want) {
    const got = String(r.out.reply);
    fail(
      got.length < want.length && want.startsWith(got)
        ? `your client returned ${got.length} of the ${want.length} bytes of the reply: keep calling recv() until it returns ''.`
        : `your client returned a reply that differs from the server's at byte ${firstDifference(got, want)}: return the bytes exactly as received.`,
    );
  }
}

function requireLearnerHandlerReply(r: Pair) {
  const f = failures(r.summary, 'handle')[0];
  if (f) fail(`your handler threw: ${describeFailure(f)}.`);
  if (r.out.error === 'EPIPE' || r.out.error === 'ECONNRESET') {
    fail(
      `the client got ${r.out.error} while it was still sending its request: your handler closed the connection before the request was complete ` +
        `(a close() with unread data even sends RST). The request ends at EOF, when recv() returns '', not at the first recv().`,
    );
  }
  if (r.out.error) fail(`the client got ${r.out.error} from your handler.`);
  if (!r.out.returned) {
    fail(
      `the client was still waiting for the end of the reply at ${at(r.summary.virtualMs)}: after sending the answer, close() the connection so the client's recv() returns ''.`,
    );
  }
  const want = answer(r.out.request);
  const got = r.out.reply ?? '';
  if (got !== want) {
    const head = got.split('\n')[0];
    fail(
      head.startsWith('LEN ') && Number(head.slice(4)) < r.out.request.length
        ? `your handler answered "${head}" for a ${r.out.request.length}-byte request: it replied before the whole request had arrived. The request ends at EOF (recv() returns ''), not at the first recv().`
        : `your handler's reply ${JSON.stringify(got.slice(0, 40))}${got.length > 40 ? '...' : ''} is not "LEN <n>\\n" followed by the request in upper case (first difference at byte ${firstDifference(got, want)}).`,
    );
  }
}

export default defineChecker<HalfClose>({
  lab: 'half-close',
  exports: [
    { name: 'client', kind: 'function', signature: 'export async function client(os: OS, server: string, request: string): Promise<string>' },
    { name: 'handle', kind: 'function', signature: 'export async function handle(conn: Socket): Promise<void>' },
  ],
  checks: [
    {
      name: 'client: gets the reply from a server that reads to EOF',
      points: 3,
      task: 1,
      description: 'Your client sends an 8,000-byte request to a reference server that reads until EOF before answering; it must return the whole answer.',
      async run(t) {
        requireLearnerClientReply(await runPair(t, 'reference', { kind: 'learner', request: payload(8000, 'half-close/client') }));
      },
    },
    {
      name: 'client: closes without RST or CLOSE_WAIT',
      points: 1,
      task: 1,
      description: 'After the exchange the client must have sent no RST and hold no socket in CLOSE_WAIT.',
      async run(t) {
        const r = await runPair(t, 'reference', { kind: 'learner', request: 'short request\n' });
        requireLearnerClientReply(r);
        const rst = segments(r.world, { from: 'client', rst: true })[0];
        if (rst) fail(`your client sent RST at ${at(rst.t)}${fromState(rst)}: read the reply to EOF before close(), and don't use SO_LINGER 0.`);
        const left = socketsIn(r.world, 'client', 'CLOSE-WAIT');
        ensure(left.length === 0, `your client left ${count(left.length, 'socket')} in CLOSE_WAIT: close() it after recv() returned ''.`);
      },
    },
    {
      name: 'handler: reads the whole request before answering',
      points: 3,
      task: 2,
      description: 'A reference client sends 30,000 bytes in 3 pieces 300 ms apart, then shutdown(SHUT_WR); your handler must answer for all of it.',
      async run(t) {
        const body = payload(30_000, 'half-close/handler');
        requireLearnerHandlerReply(await runPair(t, 'learner', { kind: 'reference', pieces: [body.slice(0, 10_000), body.slice(10_000, 20_000), body.slice(20_000)], gapMs: 300 }));
      },
    },
    {
      name: 'handler: closes after answering',
      points: 1,
      task: 2,
      description: 'After the answer the client must see EOF, and the server must hold no socket in CLOSE_WAIT.',
      async run(t) {
        const r = await runPair(t, 'learner', { kind: 'reference', pieces: ['ping\n'], gapMs: 0 });
        requireLearnerHandlerReply(r);
        const left = socketsIn(r.world, 'server', 'CLOSE-WAIT');
        ensure(left.length === 0, `the server still has ${count(left.length, 'socket')} in CLOSE_WAIT: your handler must close() the connection after sending the answer.`);
      },
    },
    {
      name: 'handler: answers an empty request',
      points: 1,
      task: 2,
      description: 'A client connects and shuts down at once; the answer is "LEN 0\\n".',
      async run(t) {
        const r = await runPair(t, 'learner', { kind: 'reference', pieces: [''], gapMs: 0 });
        if (r.out.returned && r.out.reply === '') {
          fail(`your handler closed without answering an empty request: recv() returning '' at once means the request is empty, and it still gets "LEN 0\\n".`);
        }
        requireLearnerHandlerReply(r);
      },
    },
    {
      name: 'your client with your handler',
      points: 1,
      task: 3,
      description: 'Your client and your handler talk to each other with a 5,000-byte request.',
      async run(t) {
        const world = t.world();
        const server = world.host('server');
        const client = world.host('client');
        world.link(client, server, { delayMs: 10 });
        const request = payload(5000, 'half-close/both');
        server.run(async (os) => {
          const ls = os.socket();
          ls.bind({ port: 7 });
          ls.listen();
          const conn = await ls.accept();
          await t.learner.handle(conn);
        }, 'handle');
        let reply: string | undefined;
        client.run(async (os) => {
          reply = await t.learner.client(os, 'server', request);
        }, 'client');
        const summary = await t.run(world);
        const f = failures(summary)[0];
        if (f) fail(`${describeFailure(f)}.`);
        ensure(reply === answer(request), `your client returned ${reply === undefined ? 'nothing' : `${reply.length} bytes`} where the answer has ${answer(request).length}.`);
        const rst = segments(world, { rst: true })[0];
        ensure(!rst, () => `an RST was sent by ${rst!.seg.src.host} at ${at(rst!.t)}: the exchange must end with FINs on both sides.`);
      },
    },
  ],
});
