import type { Simulation } from 'closing-time';

// Why TIME_WAIT lasts 2 x MSL: a copy of a segment can wander in the network
// for up to one MSL. Here the client's TIME_WAIT (2 x 1 ms, rfc9293 profile)
// is far shorter than the 50 ms one copy spends in the network.
export default function (sim: Simulation) {
  sim.configure({ profile: 'rfc9293', mslMs: 1 });
  const client = sim.host('client');
  const server = sim.host('server');
  // A fast link at first, so the old connection moves many bytes quickly.
  const link = sim.link(client, server, { delayMs: 0 });
  // Timestamps (RFC 7323) would let PAWS reject the old copy: turn them off.
  client.sysctl('net.ipv4.tcp_timestamps', 0);
  server.sysctl('net.ipv4.tcp_timestamps', 0);

  // The network keeps a copy of one of the old connection's segments for 50 ms.
  sim.fault({ action: 'duplicate', from: client, payload: 'old-35.', delayMs: 50 });

  // Watch sequence numbers as they go by (the trace is public).
  let copySeq = 0;
  let newIsn = 0;
  let connections = 0;
  sim.on('segment', (e) => {
    if (e.action !== 'send' || e.seg.src.host !== 'client') return;
    if (e.seg.syn) connections++;
    if (e.seg.syn && connections === 2) newIsn = e.seg.seq;
    if (connections === 1 && e.seg.len > 0 && !copySeq && e.seg.data.startsWith('old-35.')) copySeq = e.seg.seq;
  });

  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: 80 });
    ls.listen();
    for (let i = 1; i <= 2; i++) {
      const conn = await ls.accept();
      let got = '';
      try {
        for (let chunk = await conn.recv(); chunk !== ''; chunk = await conn.recv()) {
          got += chunk;
          if (i === 2 && chunk.includes('old')) console.log(`connection 2 received OLD DATA from connection 1: ${JSON.stringify(chunk.slice(0, 12))}...`);
        }
        console.log(`connection ${i} ended after ${got.length} bytes`);
      } catch (e) {
        console.log(`connection ${i} was reset after ${got.length} bytes`);
      }
      await conn.close();
    }
  });

  client.run(async (os) => {
    // Incarnation 1: 40 blocks of 'old-N' data from port 40000.
    const s = os.socket();
    s.setsockopt('SO_REUSEADDR', true);
    s.bind({ port: 40000 });
    await s.connect({ host: 'server', port: 80 });
    for (let i = 1; i <= 40; i++) await s.send(`old-${i}`.padEnd(1460, '.'));
    await s.close();
    await os.sleep(3); // TIME_WAIT (2 x MSL = 2 ms) is over
    link.set({ delayMs: 1 });

    // Incarnation 2: the same four numbers, a new connection.
    const t = os.socket();
    t.setsockopt('SO_REUSEADDR', true);
    t.bind({ port: 40000 });
    await t.connect({ host: 'server', port: 80 });
    // An unlucky amount of new data: the server's next expected byte is now
    // exactly where the wandering copy's sequence number points.
    const gap = (copySeq - (newIsn + 1)) >>> 0;
    console.log(`new data: ${gap} bytes; the old copy's sequence number is next`);
    await t.send('n'.repeat(gap));
    await os.sleep(60);
    // The two ends no longer agree on the byte count. Try to end it with RST: its
    // sequence number is below what the server now expects, so the server drops it
    // and is left half-open.
    t.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
    await t.close();
  });
}
