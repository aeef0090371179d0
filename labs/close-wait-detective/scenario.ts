import type { Simulation } from 'closing-time';
import type { CloseWaitDetective } from './checker.ts';

/** What a correct solution shows in the trace (the page ticks these off). Plain data, no imports. */
export const expect = [
  { kind: 'output', host: 'web', text: 'web client: 2 answers on one connection', label: 'keep-alive: two requests answered on one connection' },
  { kind: 'state', host: 'server', to: 'CLOSE_WAIT', from: 'ESTABLISHED', label: "a web client closes: the server's socket enters CLOSE_WAIT" },
  { kind: 'state', host: 'server', to: 'LAST_ACK', from: 'CLOSE_WAIT', label: 'handle() sees EOF and closes: the server sends its FIN' },
  { kind: 'output', host: 'reports', text: 'reports client: 1 answer', label: 'the reports client gets its report and closes' },
  { kind: 'segment', host: 'server', flags: 'F.', label: "the server's FIN" },
  { kind: 'state', host: 'server', to: 'TIME_WAIT', label: 'after the report handle() closes first, so that TIME_WAIT is on the server' },
  { kind: 'output', host: 'server', text: 'CLOSE-WAIT sockets on the server: 0', label: 'ss on the server: nothing left in CLOSE_WAIT' },
];

/**
 * The shop's server on port 80 (10.0.0.1) runs your handle() for each
 * connection. Three clients, as in the lab text: web (10.0.0.2) asks for two
 * files on one connection, reports (10.0.0.4) asks for one report, monitor
 * (10.0.0.5) checks /health; each closes when it has its answers. At t=3 s the server prints its `ss -tan`.
 */
export default function scenario(sim: Simulation, learner: CloseWaitDetective): void {
  const server = sim.host('server', '10.0.0.1');
  const clients = [sim.host('web', '10.0.0.2'), sim.host('reports', '10.0.0.4'), sim.host('monitor', '10.0.0.5')];
  for (const c of clients) sim.link(c, server, { delayMs: 5 });
  sim.until(5_000);

  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: 80 });
    ls.listen();
    for (;;) {
      const conn = await ls.accept();
      os.spawn(() => learner.handle(conn), 'handle');
    }
  }, 'server');

  server.run(async (os) => {
    await os.sleep(3_000);
    const table = os.ss();
    console.log(String(table));
    console.log(`CLOSE-WAIT sockets on the server: ${table.inState('CLOSE-WAIT').length}`);
  }, 'ss');

  /** Sends the requests one at a time, reads each "<status> <length>\n<body>" answer, then closes. */
  function client(index: number, name: string, paths: string[], startMs: number) {
    clients[index].run(async (os) => {
      await os.sleep(startMs);
      const s = os.socket();
      await s.connect({ host: 'server', port: 80 });
      let buffer = '';
      let answers = 0;
      let eof = false;
      for (const path of paths) {
        await s.send(`GET ${path}\n`);
        for (;;) {
          const nl = buffer.indexOf('\n');
          const length = nl >= 0 ? Number(buffer.slice(0, nl).split(' ')[1]) : NaN;
          if (nl >= 0 && buffer.length >= nl + 1 + length) {
            console.log(`${name} client: GET ${path} -> ${JSON.stringify(buffer.slice(0, nl + 1 + length))}`);
            buffer = buffer.slice(nl + 1 + length);
            answers++;
            break;
          }
          const part = await s.recv();
          if (part === '') {
            eof = true;
            break;
          }
          buffer += part;
        }
        if (eof) break;
      }
      console.log(`${name} client: ${answers} ${answers === 1 ? 'answer' : 'answers'}${paths.length > 1 ? ' on one connection' : ''}${eof ? ', then EOF' : ''}`);
      await s.close();
    }, `${name}-client`);
  }

  client(0, 'web', ['/static/index.html', '/static/app.js'], 0);
  client(1, 'reports', ['/report?format=csv'], 100);
  client(2, 'monitor', ['/health'], 200);
}
