// expect-fail: leaves the host's TCP settings alone
// expect-message: your load generator changed net.ipv4.tcp_tw_reuse=1
import type { OS } from 'closing-time';

export async function loadgen(os: OS, server: string, total: number): Promise<number> {
  // Belt and braces: "tune" the kernel as well as pooling connections.
  os.host.sysctl('net.ipv4.tcp_tw_reuse', 1);
  os.host.sysctl('net.ipv4.ip_local_port_range', '1024 65535');
  let remaining = total;
  let answered = 0;
  async function worker(os: OS) {
    const s = os.socket();
    await s.connect({ host: server, port: 80 });
    while (remaining > 0) {
      const n = Math.min(50, remaining);
      remaining -= n;
      await s.send('ping\n'.repeat(n));
      let pending = '';
      while (pending.split('\n').length - 1 < n) pending += await s.recv();
      answered += n;
    }
    await s.close();
  }
  const workers = Array.from({ length: 20 }, (_, i) => os.spawn(worker, `conn-${i}`));
  await Promise.all(workers.map((w) => w.done));
  return answered;
}
