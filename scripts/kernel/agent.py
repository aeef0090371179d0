#!/usr/bin/env python3
"""One host of `closing-time run --kernel`: real sockets in one network namespace.

Started inside the host's namespace (ip netns exec NS python3 agent.py ...). The
Node side writes requests, one JSON object a line, to the request FIFO. Calls
that return at once (socket, bind, listen, setsockopt, shutdown, ss, sysctl ...)
are answered on the reply FIFO, which Node reads synchronously; calls that wait
(accept, connect, send, recv, close) run in a thread each, so that several
processes and sockets of one host wait at the same time, and are answered on
stdout as {"type": "done", ...}. Stdout also carries what the host sends on its
interface (an AF_PACKET capture, with the kernel's timestamps) and the states of
its sockets, sampled through sock_diag netlink after every segment seen (either
way) and every call.

Faults are not the agent's business: the wire (wire.py) carries them out.

The agent exits when its stdin closes (the parent is gone, however it died).
Python 3 standard library only.

    ip netns exec NS python3 agent.py --t0 EPOCH_SECONDS --req FIFO --reply FIFO
"""
import ctypes
import errno
import json
import os
import select
import socket
import struct
import sys
import threading
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SO_TIMESTAMPNS = 35
TCP_INFO = 11
NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLMSG_ERROR = 2
NLMSG_DONE = 3

# Linux's TCP states (include/net/tcp_states.h) as the program API names them.
STATES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECEIVED", 4: "FIN_WAIT_1", 5: "FIN_WAIT_2",
          6: "TIME_WAIT", 7: "CLOSED", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING",
          12: "SYN_RECEIVED"}
TIMERS = {1: "on", 2: "keepalive", 3: "timewait", 4: "persist"}

_libc = ctypes.CDLL(None, use_errno=True)
out_lock = threading.Lock()
sample_lock = threading.Lock()
T0 = 0.0


def now_ms():
    return (time.time() - T0) * 1000


def emit(obj):
    line = json.dumps(obj, separators=(",", ":")) + "\n"
    with out_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def errno_name(e):
    return errno.errorcode.get(e.errno, "E%d" % (e.errno or 0))


# --- sock_diag -----------------------------------------------------------------

def diag_rows():
    """Every TCP socket of this namespace (inet_diag), as ss -tan lists them."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
    try:
        req = struct.pack("=BBBBI", socket.AF_INET, socket.IPPROTO_TCP, 0, 0, 0xFFFFFFFF) + b"\0" * 48
        s.send(struct.pack("=IHHII", 16 + len(req), SOCK_DIAG_BY_FAMILY, 0x301, 1, 0) + req)
        rows = []
        while True:
            data = s.recv(1 << 16)
            off = 0
            while off + 16 <= len(data):
                length, kind = struct.unpack("=IH", data[off:off + 6])
                body = data[off + 16:off + length]
                off += (length + 3) & ~3
                if kind == NLMSG_DONE:
                    return rows
                if kind == NLMSG_ERROR:
                    raise OSError(-struct.unpack("=i", body[:4])[0], "sock_diag")
                if kind != SOCK_DIAG_BY_FAMILY or len(body) < 72:
                    continue
                _fam, state, timer, retrans = struct.unpack("=BBBB", body[:4])
                sport, dport = struct.unpack("!HH", body[4:8])
                src, dst = socket.inet_ntoa(body[8:12]), socket.inet_ntoa(body[24:28])
                expires, rq, wq, _uid, inode = struct.unpack("=IIIII", body[52:72])
                if state == 7:
                    continue  # unconnected sockets: ss -tan leaves them out
                rows.append({"state": STATES.get(state, "CLOSED"), "local": "%s:%d" % (src, sport),
                             "remote": "%s:%d" % (dst, dport), "recvQ": rq, "sendQ": wq,
                             "timer": TIMERS.get(timer), "expires": expires, "retrans": retrans,
                             "inode": inode})
    finally:
        s.close()


last_states = {}


def sample(why):
    """Emits the sockets whose state changed since the last sample."""
    with sample_lock:
        try:
            rows = diag_rows()
        except OSError:
            return
        t = now_ms()
        seen = {}
        for r in rows:
            if r["state"] == "LISTEN":
                # As the simulator names a listener: the address it was bound to, no peer.
                # (several listeners share a port with SO_REUSEPORT: the inode tells them apart)
                seen[(r["local"], "*:*", r["inode"])] = r["state"]
                continue
            seen[(r["local"], r["remote"], None)] = r["state"]
        changes = []
        listening = {k[0].rsplit(":", 1)[1] for k, v in seen.items() if v == "LISTEN"}
        listening |= {k[0].rsplit(":", 1)[1] for k, v in last_states.items() if v == "LISTEN"}
        for key, state in seen.items():
            if last_states.get(key) != state:
                start = "CLOSED"
                if key[1] != "*:*" and key[0].rsplit(":", 1)[1] in listening:
                    start = "LISTEN"  # a connection a listener is accepting starts from it, as in the simulator
                before = last_states.get(key, start)
                if (state in ("SYN_SENT", "SYN_RECEIVED", "ESTABLISHED") and key in last_states
                        and before not in ("CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED")):
                    # A new connection on the 4-tuple of an old one (a SYN that ended a TIME_WAIT).
                    changes.append({"local": key[0], "remote": key[1], "sk": key[2], "from": before, "to": "CLOSED"})
                    before = start
                changes.append({"local": key[0], "remote": key[1], "sk": key[2], "from": before, "to": state})
        for key, state in last_states.items():
            if key not in seen:
                changes.append({"local": key[0], "remote": key[1], "sk": key[2], "from": state, "to": "CLOSED"})
        last_states.clear()
        last_states.update(seen)
        if changes:
            emit({"type": "states", "t": t, "why": why, "changes": changes})


# --- capture -------------------------------------------------------------------

def disable_offloads(iface):
    """TSO, GSO and GRO off (legacy ethtool ioctls), so the capture sees wire-sized segments."""
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


def parse_segment(frame):
    if len(frame) < 34 or struct.unpack("!H", frame[12:14])[0] != 0x0800:
        return None
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    total = struct.unpack("!H", ip[2:4])[0]
    if ip[9] != 6:
        return None
    tcp = ip[ihl:total]
    sport, dport, seq, ack, off_flags, win = struct.unpack("!HHIIHH", tcp[:16])
    doff = (off_flags >> 12) * 4
    bits = off_flags & 0xFF
    letters = ""
    for bit, letter in ((0x02, "S"), (0x01, "F"), (0x04, "R"), (0x08, "P"), (0x20, "U"), (0x40, "E"), (0x80, "W")):
        if bits & bit:
            letters += letter
    if bits & 0x10:
        letters += "."
    seg = {"src": socket.inet_ntoa(ip[12:16]), "dst": socket.inet_ntoa(ip[16:20]), "sport": sport,
           "dport": dport, "seq": seq, "ack": ack, "flags": letters or "none", "win": win,
           "data": tcp[doff:].decode("latin-1"), "dscp": ip[1] >> 2}
    opts, i = tcp[20:doff], 0
    while i < len(opts):
        kind = opts[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(opts):
            break
        size = opts[i + 1]
        if kind == 8 and size == 10:
            seg["tsval"], seg["tsecr"] = struct.unpack("!II", opts[i + 2:i + 10])
        i += max(size, 2)
    return seg


def capture(iface, ready):
    disable_offloads(iface)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((iface, 0))
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    ready.set()
    seen = set()
    while True:
        frame, anc, _flags, addr = s.recvmsg(65600, 64)
        seg = parse_segment(frame)
        if seg is None:
            continue
        stamp = None
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
                sec, nsec = struct.unpack("qq", data[:16])
                stamp = sec + nsec / 1e9
        t = ((stamp if stamp is not None else time.time()) - T0) * 1000
        if addr[2] == PACKET_OUTGOING:
            consumes = seg["data"] or "S" in seg["flags"] or "F" in seg["flags"]
            key = (seg["sport"], seg["dport"], seg["seq"], len(seg["data"]), seg["flags"].replace("P", ""))
            seg["rtx"] = bool(consumes) and key in seen
            if consumes:
                seen.add(key)
            state = last_states.get(("%s:%d" % (seg["src"], seg["sport"]), "%s:%d" % (seg["dst"], seg["dport"]), None))
            emit({"type": "seg", "action": "send", "t": t, "seg": seg, "state": state})
        sample("segment")


# --- calls ---------------------------------------------------------------------

socks = {}


def sock(n):
    if n not in socks:
        raise OSError(errno.EBADF, "bad socket")
    return socks[n]


def addr_of(fn):
    try:
        ip, port = fn()
    except OSError:
        return None
    if port == 0:
        return None
    return {"ip": ip, "port": port}


def info(s):
    try:
        raw = s.getsockopt(socket.IPPROTO_TCP, TCP_INFO, 8)
        state = STATES.get(raw[0], "CLOSED")
    except OSError:
        state = "CLOSED"
    return {"state": state, "local": addr_of(s.getsockname), "remote": addr_of(s.getpeername)}


def new_socket():
    return socket.socket(socket.AF_INET, socket.SOCK_STREAM)


def sysctl_path(name):
    if not all(part.replace("_", "").isalnum() for part in name.split(".")):
        raise OSError(errno.EINVAL, "not a sysctl name")
    return "/proc/sys/" + name.replace(".", "/")


def option_level(name):
    return socket.IPPROTO_TCP if name.startswith("TCP_") else socket.SOL_SOCKET


def do_sync(req):
    op = req["op"]
    if op == "socket":
        socks[req["sock"]] = new_socket()
        return {}
    if op == "setsockopt":
        s, name, value = sock(req["sock"]), req["name"], req["value"]
        if name == "SO_LINGER":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", int(bool(value["onoff"])), int(value["linger"])))
        else:
            # TCP_KEEPIDLE, TCP_USER_TIMEOUT ... are IPPROTO_TCP options; the rest SOL_SOCKET.
            s.setsockopt(option_level(name), getattr(socket, name), int(value))
        return {}
    if op == "getsockopt":
        s, name = sock(req["sock"]), req["name"]
        if name == "SO_LINGER":
            onoff, linger = struct.unpack("ii", s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8))
            return {"value": {"onoff": bool(onoff), "linger": linger}}
        value = s.getsockopt(option_level(name), getattr(socket, name))
        return {"value": bool(value) if name in ("SO_REUSEADDR", "SO_REUSEPORT", "SO_KEEPALIVE", "TCP_NODELAY", "TCP_CORK", "TCP_QUICKACK") else value}
    if op == "bind":
        sock(req["sock"]).bind((req.get("ip") or "0.0.0.0", req.get("port", 0)))
        return info(sock(req["sock"]))
    if op == "listen":
        sock(req["sock"]).listen(req.get("backlog", 128))
        return info(sock(req["sock"]))
    if op == "shutdown":
        how = {"SHUT_RD": socket.SHUT_RD, "SHUT_WR": socket.SHUT_WR, "SHUT_RDWR": socket.SHUT_RDWR}[req["how"]]
        sock(req["sock"]).shutdown(how)
        return {}
    if op == "info":
        if req["sock"] not in socks:
            return {"state": "CLOSED", "local": None, "remote": None}
        return info(socks[req["sock"]])
    if op == "ss":
        return {"rows": diag_rows()}
    if op == "sysctl":
        path = sysctl_path(req["name"])
        if "value" in req:
            with open(path, "w") as f:
                f.write("%s\n" % req["value"])
            return {}
        with open(path) as f:
            return {"value": f.read().strip()}
    if op == "capture":
        ready = threading.Event()
        threading.Thread(target=capture, args=(req["iface"], ready), daemon=True).start()
        if not ready.wait(5):
            raise OSError(errno.ETIMEDOUT, "capture did not start")
        return {}
    if op == "t0":
        global T0
        T0 = float(req["t0"])
        return {}
    if op == "crash-for-test":
        os._exit(70)
    raise OSError(errno.EINVAL, "unknown op %r" % op)


class Abandoned(Exception):
    """A pending call whose socket the program closed: it gets no answer."""


# A recv the program is waiting on waits for the socket to be readable, with a
# pipe beside it that close() writes to. A thread blocked in recv(2) would hold
# a reference to the file, and close(2) from another thread would then not
# release the socket (no FIN) until that recv returned; the program's model is
# an event loop (epoll), where close() on a socket with a read pending sends
# the FIN at once, as the simulator does.
wakers = {}
wakers_lock = threading.Lock()


def wait_readable(n):
    s = sock(n)
    r, w = os.pipe()
    with wakers_lock:
        wakers.setdefault(n, []).append(w)
    try:
        ready, _, _ = select.select([s, r], [], [])
        if r in ready:
            raise Abandoned()
        return s
    finally:
        with wakers_lock:
            if w in wakers.get(n, []):
                wakers[n].remove(w)
        os.close(r)
        os.close(w)


def do_async(req):
    op = req["op"]
    if op == "accept":
        conn, _ = sock(req["sock"]).accept()
        socks[req["newSock"]] = conn
        return info(conn)
    if op == "connect":
        sock(req["sock"]).connect((req["ip"], req["port"]))
        return info(sock(req["sock"]))
    if op == "send":
        data = req["data"].encode("latin-1", "replace")
        sock(req["sock"]).sendall(data)
        return {"bytes": len(data)}
    if op == "recv":
        data = wait_readable(req["sock"]).recv(req.get("max") or (1 << 20))
        return {"data": data.decode("latin-1")}
    if op == "close":
        s = socks.pop(req["sock"], None)
        if s is None:
            raise OSError(errno.EBADF, "bad socket")
        with wakers_lock:
            for w in wakers.pop(req["sock"], []):
                os.write(w, b"x")
        s.close()
        return {}
    raise OSError(errno.EINVAL, "unknown op %r" % op)


def run_async(req):
    try:
        result = do_async(req)
        reply = {"type": "done", "id": req["id"], "ok": True, "t": now_ms(), "result": result}
    except Abandoned:
        return
    except OSError as e:
        reply = {"type": "done", "id": req["id"], "ok": False, "t": now_ms(), "errno": errno_name(e), "message": str(e)}
    sample(req["op"])
    emit(reply)


ASYNC = {"accept", "connect", "send", "recv", "close"}


def watch_stdin():
    # The parent holds our stdin: EOF means it is gone, however it died.
    while sys.stdin.buffer.read(4096):
        pass
    os._exit(0)


def main():
    global T0
    args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    T0 = float(args["--t0"])
    reply = open(args["--reply"], "w", buffering=1)
    threading.Thread(target=watch_stdin, daemon=True).start()
    emit({"type": "ready", "pid": os.getpid()})
    with open(args["--req"], "r", buffering=1) as requests:
        for line in requests:
            if not line.strip():
                continue
            req = json.loads(line)
            if req["op"] == "exit":
                os._exit(0)
            if req["op"] in ASYNC:
                threading.Thread(target=run_async, args=(req,), daemon=True).start()
                continue
            try:
                result = do_sync(req)
                answer = {"id": req["id"], "ok": True, "t": now_ms(), "result": result}
            except OSError as e:
                answer = {"id": req["id"], "ok": False, "t": now_ms(), "errno": errno_name(e), "message": str(e)}
            if req["op"] in ("bind", "listen", "shutdown", "socket"):
                sample(req["op"])
            reply.write(json.dumps(answer, separators=(",", ":")) + "\n")
            reply.flush()


if __name__ == "__main__":
    main()
