// expect-fail: leaves the host's TCP settings alone
// expect-message: your load generator changed net.ipv4.tcp_tw_reuse=1
import type { OS } from 'closing-time';

export async function loadgen(os: OS, server: string, total: number): Promise<number> {
  // "Fix" port exhaustion with a sysctl instead of changing the pattern.
  os.host.sysctl('net.ipv4.tcp_tw_reuse', 1);
  os.host.sysctl('net.ipv4.ip_local_port_range', '1024 65535');
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
  const workers = Array.from({ length: 50 }, (_, i) => os.spawn(worker, `worker-${i}`));
  await Promise.all(workers.map((w) => w.done));
  return answered;
}
