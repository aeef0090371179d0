import type { Simulation } from 'closing-time';

// A client uploads a 40 KB body; the server decides from the headers alone
// (401: no credentials), answers with a 20 KB error page and closes without
// reading the body. 'plain' just calls close(): the body that arrives after it
// is answered with RST (RFC 9112 §9.6), and whatever of the response had not
// left yet is thrown away with it.
// 'lingering' does what nginx's lingering close does: shutdown(SHUT_WR) after
// the response, read and discard what the client still sends, then close().
export default function (sim: Simulation) {
  const client = sim.host('client');
  const plain = sim.host('plain');
  const lingering = sim.host('lingering');
  sim.link(client, plain, { delayMs: 10 });
  sim.link(client, lingering, { delayMs: 10 });

  const page = 'HTTP/1.1 401 Unauthorized\r\nContent-Length: 20000\r\nConnection: close\r\n\r\n' + 'x'.repeat(20_000);

  for (const host of [plain, lingering]) {
    host.run(async (os) => {
      const ls = os.socket();
      ls.bind({ port: 80 });
      ls.listen();
      const conn = await ls.accept();
      let head = '';
      while (!head.includes('\r\n\r\n')) head += await conn.recv(); // the headers only
      await conn.send(page); // queued: most of it has not left yet
      if (host === lingering) {
        conn.shutdown('SHUT_WR'); // the response and our FIN go out behind it
        // lingering_timeout: stop once the client has been quiet this long
        try {
          while ((await Promise.race([conn.recv(), os.sleep(1_000).then(() => '')])) !== '');
        } catch {
          // the client gave up and reset: nothing left to read
        }
      }
      await conn.close();
    });
  }

  const body = 'b'.repeat(40_000);
  for (const name of ['plain', 'lingering']) {
    client.run(async (os) => {
      const s = os.socket();
      await s.connect({ host: name, port: 80 });
      const reader = os.spawn(async () => {
        let got = '';
        try {
          for (let part = await s.recv(); part !== ''; part = await s.recv()) got += part;
          console.log(`${name}: the whole response arrived (${got.length} bytes)`);
        } catch (e) {
          console.log(`${name}: recv() failed after ${got.length} of ${page.length} bytes: ${(e as Error).message}`);
        }
      });
      try {
        await s.send(`POST /upload HTTP/1.1\r\nHost: ${name}\r\nContent-Length: ${body.length}\r\n\r\n`);
        await s.send(body);
      } catch (e) {
        console.log(`${name}: send() of the body failed: ${(e as Error).message}`);
      }
      await reader.done;
      await s.close();
    }, `client-${name}`);
  }
}
