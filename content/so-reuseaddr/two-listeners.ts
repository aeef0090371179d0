import type { Simulation } from 'closing-time';

// Two listeners on one port. SO_REUSEADDR never allows it on Linux;
// SO_REUSEPORT does, when every socket on the port sets it.
export default function (sim: Simulation) {
  const server = sim.host('server');

  server.run(async (os) => {
    const listenOn = (opts: { reuseaddr?: boolean; reuseport?: boolean }, port: number) => {
      const s = os.socket();
      if (opts.reuseaddr) s.setsockopt('SO_REUSEADDR', true);
      if (opts.reuseport) s.setsockopt('SO_REUSEPORT', true);
      s.bind({ port });
      s.listen();
      return s;
    };

    listenOn({ reuseaddr: true }, 8080);
    try {
      listenOn({ reuseaddr: true }, 8080);
      console.log('SO_REUSEADDR: second listener on 8080 ok');
    } catch (e) {
      console.log(`SO_REUSEADDR: second listener on 8080 fails: ${(e as Error).message.split(':').slice(0, 2).join(':')}`);
    }

    listenOn({ reuseport: true }, 9090);
    listenOn({ reuseport: true }, 9090);
    console.log('SO_REUSEPORT: two listeners share port 9090');
    console.log(String(os.ss()));
  });
}
