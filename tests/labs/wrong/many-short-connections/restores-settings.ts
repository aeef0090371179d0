// expect-fail: leaves the host's TCP settings alone
// expect-message: net.ipv4.tcp_tw_reuse=1 (was 2; seen at t=0.000 s, set back to 2 by the end)
import type { OS } from 'closing-time';

// One connection per request, with tcp_tw_reuse switched on for the run and
// put back afterwards, so the host "looks untouched" when loadgen returns.
export async function loadgen(os: OS, server: string, total: number): Promise<number> {
  const saved = os.sysctl('net.ipv4.tcp_tw_reuse');
  os.host.sysctl('net.ipv4.tcp_tw_reuse', 1);
  let sent = 0;
  let answered = 0;
  async function worker(os: OS) {
    while (sent < total) {
      sent++;
      const s = os.socket();
      await s.connect({ host: server, port: 80 });
      await s.send('ping\n');
      let reply = '';
      while (!reply.endsWith('\n')) reply += await s.recv();
      answered++;
      await s.close();
    }
  }
  try {
    const workers = Array.from({ length: 50 }, (_, i) => os.spawn(worker, `worker-${i}`));
    await Promise.all(workers.map((w) => w.done));
  } finally {
    os.host.sysctl('net.ipv4.tcp_tw_reuse', saved);
  }
  return answered;
}
