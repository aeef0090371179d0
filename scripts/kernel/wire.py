#!/usr/bin/env python3
"""The wire of `closing-time run --kernel`: link delay and jitter without netem.

Runs in the wire namespace, which holds the far end of every host's veth
(ports w0, w1, ...). It is a hub with a clock: each frame that arrives on one
port is sent out of every port whose host the program linked to the sender,
after that link's delay (plus jitter drawn uniformly from [0, jitterMs]).
Frames between hosts no link joins are dropped, as in the simulator. The hub
copies Ethernet frames, ARP included, so the hosts' stacks are untouched.

It also carries out the program's faults, as the simulator's link does: fault
rules (drop or delay, matched on sender, receiver, flags, payload text, the
sender's state, retransmission, nth/count), link loss and partitions. The
sender's state is inferred from the segments the wire has carried for that
connection (who sent a FIN first, which FINs are acknowledged), and each
segment dropped is reported on stdout as {"type": "drop", ...}.

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


out_lock = threading.Lock()


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

    faults = {}     # id -> rule
    parts = set()   # "a-b" cut pairs
    conns = {}      # sorted 4-tuple -> per-endpoint facts
    t0 = [time.time()]

    def parse(frame):
        if len(frame) < 34 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
            return None
        ip = frame[14:]
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        tcp = ip[ihl:total]
        sport, dport, seq, ack, off_flags, win = struct.unpack("!HHIIHH", tcp[:16])
        doff = (off_flags >> 12) * 4
        bits = off_flags & 0xFF
        letters = "".join(l for b, l in ((2, "S"), (1, "F"), (4, "R"), (8, "P")) if bits & b) + ("." if bits & 0x10 else "")
        return {"src": socket.inet_ntoa(ip[12:16]), "dst": socket.inet_ntoa(ip[16:20]), "sport": sport, "dport": dport,
                "seq": seq, "ack": ack, "flags": letters or "none", "win": win, "data": tcp[doff:].decode("latin-1")}

    def infer(seg):
        """The sending socket's state when this segment left, from what the wire has seen of the connection."""
        a = (seg["src"], seg["sport"])
        b = (seg["dst"], seg["dport"])
        key = tuple(sorted((a, b)))
        fl = seg["flags"]
        if "S" in fl and "." not in fl:
            conns[key] = {}
        c = conns.setdefault(key, {})
        me = c.setdefault(a, {})
        peer = c.setdefault(b, {})
        rtx = False
        end = (seg["seq"] + len(seg["data"]) + (1 if "S" in fl else 0) + (1 if "F" in fl else 0)) & 0xFFFFFFFF
        consumes = end != seg["seq"]
        sent = me.setdefault("sent", set())
        if consumes:
            rtx = (seg["seq"], end) in sent
            sent.add((seg["seq"], end))
        if "." in fl:
            if "fin" in peer and ((seg["ack"] - peer["fin"] - 1) & 0xFFFFFFFF) < 0x80000000:
                me["acked_peer_fin"] = True
            if "fin" in me and ((seg["ack"] - me["fin"] - 1) & 0xFFFFFFFF) < 0x80000000:
                pass
        if "F" in fl and "fin" not in me:
            me["fin"] = (end - 1) & 0xFFFFFFFF
            me["passive"] = bool(me.get("acked_peer_fin"))
        # Has the peer acknowledged my FIN (seen earlier from the peer)?
        my_fin_acked = "fin" in me and peer.get("last_ack") is not None and ((peer["last_ack"] - me["fin"] - 1) & 0xFFFFFFFF) < 0x80000000
        if "." in fl:
            me["last_ack"] = seg["ack"]
        if "R" in fl:
            state = "CLOSED"
        elif "S" in fl:
            state = "SYN_RECEIVED" if "." in fl else "SYN_SENT"
        elif "fin" not in me:
            state = "CLOSE_WAIT" if me.get("acked_peer_fin") else "ESTABLISHED"
        elif me.get("passive"):
            state = "LAST_ACK"
        elif me.get("acked_peer_fin"):
            state = "TIME_WAIT" if my_fin_acked else "CLOSING"
        else:
            state = "FIN_WAIT_2" if my_fin_acked else "FIN_WAIT_1"
        return state, rtx

    def flags_match(want, have):
        if not want:
            return True
        have = set(have.replace(".", "A"))
        if want.startswith("="):
            return set(want[1:].replace(".", "A")) == have
        return set(want.replace(".", "A")) <= have

    def verdict(i, j, seg, state, rtx):
        """(action, delay ms, reason, rule id) for one copy of a frame from port i to port j."""
        pair = "%d-%d" % (min(i, j), max(i, j))
        if pair in parts:
            return "drop", 0, "partition", None
        opts = link(i, j)
        for rid in sorted(faults, key=int):
            r = faults[rid]
            if r.get("from") is not None and r["from"] != i:
                continue
            if r.get("to") is not None and r["to"] != j:
                continue
            if not flags_match(r.get("flags"), seg["flags"]):
                continue
            if r.get("payload") is not None and r["payload"] not in seg["data"]:
                continue
            if r.get("state") and state not in r["state"]:
                continue
            if r.get("retransmission") is not None and bool(r["retransmission"]) != rtx:
                continue
            r["matches"] = r.get("matches", 0) + 1
            nth = r.get("nth")
            count = r.get("count")
            first = nth or 1
            if count is None:
                count = 1 if nth is not None else float("inf")
            if not (first <= r["matches"] < first + count):
                continue
            if r["action"] == "drop":
                return "drop", 0, "fault", rid
            return "delay", float(r.get("delayMs", 1000)), "fault", rid
        loss = float(opts.get("loss", 0) or 0)
        if loss > 0 and rng.random() < loss:
            return "drop", 0, "loss", None
        return "pass", 0, None, None

    def report(kind, seg, j, reason, rid):
        out = {"type": kind, "t": (time.time() - t0[0]) * 1000, "to": j, "reason": reason, "rule": rid, "seg": seg}
        with out_lock:
            sys.stdout.write(json.dumps(out, separators=(",", ":")) + "\n")
            sys.stdout.flush()

    def receive(i):
        s = socks[i]
        while True:
            frame, addr = s.recvfrom(65600)
            if addr[2] == PACKET_OUTGOING:
                continue
            now = time.monotonic()
            seg = parse(frame)
            with lock:
                state, rtx = infer(seg) if seg is not None else (None, False)
                for j in range(ports):
                    if j == i:
                        continue
                    opts = link(i, j)
                    if opts is None:
                        continue
                    extra = 0.0
                    if seg is not None:
                        action, extra, reason, rid = verdict(i, j, seg, state, rtx)
                        if action == "drop":
                            report("drop", seg, j, reason, rid)
                            continue
                        if action == "delay":
                            report("delay", seg, j, reason, rid)
                    delay = float(opts.get("delayMs", 10)) + rng.uniform(0, float(opts.get("jitterMs", 0) or 0)) + extra
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

    def apply(msg):
        with lock:
            if "links" in msg:
                links.clear()
                links.update(msg["links"])
            if "t0" in msg:
                t0[0] = float(msg["t0"])
            if "fault" in msg:
                faults[str(msg["fault"]["id"])] = msg["fault"]
            if "remove" in msg:
                faults.pop(str(msg["remove"]), None)
            if "cut" in msg:
                parts.add(msg["cut"])
            if "heal" in msg:
                parts.discard(msg["heal"])

    def read_links():
        for line in sys.stdin:
            if line.strip():
                apply(json.loads(line))
        # stdin closed: the parent is gone
        import os
        os._exit(0)

    first = sys.stdin.readline()
    if not first:
        return
    apply(json.loads(first))
    for i in range(ports):
        threading.Thread(target=receive, args=(i,), daemon=True).start()
    threading.Thread(target=send, daemon=True).start()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    read_links()


if __name__ == "__main__":
    main()
