#!/usr/bin/env python3
"""The wire of `closing-time run --kernel`: link delay and jitter without netem.

Runs in the wire namespace, which holds the far end of every host's veth
(ports w0, w1, ...). It is a hub with a clock: each frame that arrives on one
port is sent out of every port whose host the program linked to the sender,
after that link's delay (plus jitter drawn uniformly from [0, jitterMs]).
Frames between hosts no link joins are dropped, as in the simulator. The hub
copies Ethernet frames, ARP included, so the hosts' stacks are untouched.

Reads the links as JSON lines on stdin ({"links": {"0-1": {"delayMs": 10,
"jitterMs": 0}, ...}}; a later line replaces them, for link.set()). Exits when
stdin closes. Python 3 standard library only.

    ip netns exec WIRE python3 wire.py PORTS SEED
"""
import heapq
import json
import random
import socket
import struct
import sys
import threading
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def disable_offloads(iface):
    import ctypes
    import fcntl
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for cmd in (0x1F, 0x24, 0x2C, 0x17):  # TSO, GSO, GRO, and tx checksum (a relayed frame needs a real one)
            value = ctypes.create_string_buffer(struct.pack("II", cmd, 0))
            ifreq = struct.pack("16sP", iface.encode(), ctypes.addressof(value))
            try:
                fcntl.ioctl(s.fileno(), 0x8946, ifreq)
            except OSError:
                pass
    finally:
        s.close()


def main():
    ports = int(sys.argv[1])
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    links = {}
    lock = threading.Condition()
    queue = []  # (due, order, port, frame)
    order = [0]
    socks = []
    for i in range(ports):
        name = "w%d" % i
        disable_offloads(name)
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.bind((name, 0))
        socks.append(s)

    def link(a, b):
        return links.get("%d-%d" % (min(a, b), max(a, b)))

    def receive(i):
        s = socks[i]
        while True:
            frame, addr = s.recvfrom(65600)
            if addr[2] == PACKET_OUTGOING:
                continue
            now = time.monotonic()
            with lock:
                for j in range(ports):
                    if j == i:
                        continue
                    opts = link(i, j)
                    if opts is None:
                        continue
                    delay = float(opts.get("delayMs", 10)) + rng.uniform(0, float(opts.get("jitterMs", 0) or 0))
                    order[0] += 1
                    heapq.heappush(queue, (now + delay / 1000.0, order[0], j, frame))
                lock.notify()

    def send():
        while True:
            with lock:
                while not queue:
                    lock.wait()
                due, _, j, frame = queue[0]
                wait = due - time.monotonic()
                if wait > 0:
                    lock.wait(wait)
                    continue
                heapq.heappop(queue)
            try:
                socks[j].send(frame)
            except OSError:
                pass

    def read_links():
        for line in sys.stdin:
            if line.strip():
                new = json.loads(line).get("links", {})
                with lock:
                    links.clear()
                    links.update(new)
        # stdin closed: the parent is gone
        import os
        os._exit(0)

    first = sys.stdin.readline()
    if not first:
        return
    links.update(json.loads(first).get("links", {}))
    for i in range(ports):
        threading.Thread(target=receive, args=(i,), daemon=True).start()
    threading.Thread(target=send, daemon=True).start()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    read_links()


if __name__ == "__main__":
    main()
