// What the HTTP keep-alive lesson says about stale connections, resets and
// lingering close, checked on its playgrounds and on small programs of the
// same shape. Linux is the reference: tcp_reset() records EPIPE for a socket
// reset in CLOSE_WAIT and ECONNRESET otherwise; tcp_recvmsg_locked() reports
// end of stream (SOCK_DONE) before an error; tcp_sendmsg_locked() reports the
// recorded error once, then EPIPE.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { playgroundsOfLesson } from '../../src/components/playground/lesson-playgrounds.ts';
import { runProgram } from '../../src/runner/run-program.ts';
import type { TraceEvent } from '../../src/sim/index.ts';

const content = join(import.meta.dirname, '../../content');

async function run(source: string, name: string) {
  const events: TraceEvent[] = [];
  const r = await runProgram(source, { fileName: `${name}.ts`, onEvent: (e) => events.push(e) });
  expect(r.errors).toEqual([]);
  const output = (host: string) => events.filter((e) => e.kind === 'output' && e.host === host).map((e) => (e as { text: string }).text.trim());
  return { events, output };
}

async function playground(id: string) {
  const pg = playgroundsOfLesson(content, 'http-keep-alive').find((p) => p.id === id)!;
  return run(pg.source, id);
}

/** A client whose idle connection is reset in `how`, then probed with the calls in `calls`. */
function resetProgram(how: 'server-closed' | 'forgotten' | 'forgotten-idle' | 'after-shutdown', calls: string[]): string {
  return `import type { Simulation } from 'closing-time';
export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });
  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 80 });
    ls.listen();
    const conn = await ls.accept();
    await conn.recv();
    await conn.send('answer');
    ${how === 'server-closed' ? 'await conn.close();' : ''}
  });
  ${how.startsWith('forgotten') ? "sim.at(1_000, () => server.crash());" : ''}
  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.send('request');
    await s.recv();
    await os.sleep(2_000);
    ${how === 'after-shutdown' ? "sim.at(os.now() + 1, () => server.crash()); s.shutdown('SHUT_WR'); await os.sleep(100);" : ''}
    ${how === 'forgotten-idle' ? "await s.send('probe'); await os.sleep(100); // the RST arrives while idle" : ''}
    const log = (x: string) => console.log(x);
    ${calls
      .map((c) =>
        c === 'send'
          ? "try { await s.send('more'); log('send ok'); } catch (e) { log('send ' + (e as { code: string }).code); } await os.sleep(100);"
          : "try { log('recv ' + JSON.stringify(await s.recv())); } catch (e) { log('recv ' + (e as { code: string }).code); }",
      )
      .join('\n    ')}
  });
}
`;
}

describe('http-keep-alive: a reused connection the server has closed', () => {
  it('accepts the request (send succeeds), is reset, reads EOF, and the next send fails with EPIPE', async () => {
    const { output } = await run(resetProgram('server-closed', ['send', 'recv', 'send', 'recv']), 'closed');
    expect(output('client')).toEqual(['send ok', 'recv ""', 'send EPIPE', 'recv ""']);
  });

  it('in the playground: the server answers with RST, the body send gets EPIPE and recv returns EOF', async () => {
    const { events, output } = await playground('keep-alive-stale-pool');
    const rst = events.find((e) => e.kind === 'segment' && e.action === 'send' && e.seg.src.host === 'web' && e.seg.rst);
    expect(rst).toBeDefined();
    const lines = output('client');
    expect(lines).toContain('client: send() of the body failed: send: EPIPE (Broken pipe): the connection is closed');
    expect(lines.some((l) => l.startsWith('client: recv() returned ""'))).toBe(true);
  });
});

describe('http-keep-alive: a connection the server forgot (no FIN)', () => {
  it('recv() fails with ECONNRESET once, then reads end of stream; send() then fails with EPIPE', async () => {
    const { output } = await run(resetProgram('forgotten', ['send', 'recv', 'recv', 'send']), 'forgotten');
    expect(output('client')).toEqual(['send ok', 'recv ECONNRESET', 'recv ""', 'send EPIPE']);
  });

  it('reset while idle: the first send() fails with ECONNRESET, the next with EPIPE', async () => {
    const { output } = await run(resetProgram('forgotten-idle', ['send', 'send']), 'forgotten-idle');
    expect(output('client')).toEqual(['send ECONNRESET', 'send EPIPE']);
  });

  it('reset after our own shutdown(SHUT_WR): recv() fails with ECONNRESET once, then EOF', async () => {
    const { output } = await run(resetProgram('after-shutdown', ['recv', 'recv']), 'after-shutdown');
    expect(output('client')).toEqual(['recv ECONNRESET', 'recv ""']);
  });
});

describe('http-keep-alive: who closes first', () => {
  it('the server that closes idle connections holds their TIME_WAIT; a pool with a shorter idle timeout holds its own', async () => {
    const { events } = await playground('keep-alive-who-closes');
    const tw = (host: string) => events.filter((e) => e.kind === 'state' && e.host === host && e.to === 'TIME_WAIT').length;
    expect([tw('server'), tw('patient'), tw('brisk')]).toEqual([1, 0, 1]);
  });
});

describe('http-keep-alive: lingering close', () => {
  it('a plain close with the body still coming resets and throws away the unsent part of the response; a lingering close delivers all of it', async () => {
    const { events, output } = await playground('keep-alive-lingering-close');
    expect(output('client')).toContain('plain: recv() failed after 14480 of 20071 bytes: recv: ECONNRESET (Connection reset by peer)');
    expect(output('client')).toContain('lingering: the whole response arrived (20071 bytes)');
    // The reset purged the rest: plain never sent a byte of the response past the first 14,480.
    const plainData = events.filter((e) => e.kind === 'segment' && e.action === 'send' && e.seg.src.host === 'plain' && e.seg.len > 0);
    expect(Math.max(...plainData.map((e) => (e.kind === 'segment' ? e.seg.seq + e.seg.len : 0)))).toBeLessThan(plainData[0]!.kind === 'segment' ? plainData[0]!.seg.seq + 14_481 : 0);
    expect(events.some((e) => e.kind === 'segment' && e.seg.src.host === 'lingering' && e.seg.rst)).toBe(false);
  });
});
