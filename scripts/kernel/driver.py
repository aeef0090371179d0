#!/usr/bin/env python3
"""Kernel-side executor of the conformance scenarios (tests/conformance/scenarios).

Reads ONE scenario as JSON on stdin, builds a private pair of network namespaces
joined by a veth pair, applies the scenario's sysctls, runs the client's and the
server's step lists in two threads with real sockets (each thread enters its own
namespace with setns(2), so the sockets it creates live there), captures every
segment each side sends with an AF_PACKET socket, and prints the observations as
JSON on stdout. Namespaces and nftables rules vanish in every case (success,
failure, timeout, SIGTERM) because deleting the namespaces deletes both.

    python3 scripts/kernel/driver.py < scenario.json
    python3 scripts/kernel/driver.py --check      # can this machine run the suite?

Python 3 standard library only.
"""
import ctypes
import errno
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

CLONE_NEWNET = 0x40000000
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SO_TIMESTAMPNS = 35  # SO_TIMESTAMPNS_OLD in asm-generic/socket.h; also its SCM_ type
CLIENT_IP = "10.200.0.1"
SERVER_IP = "10.200.0.2"
SIDES = ("client", "server")
TABLE = "closingtime"  # not "ct": that is an nft keyword
IFACE = {"client": "ctc", "server": "cts"}
WAIT_LIMIT_S = 20.0

_libc = ctypes.CDLL(None, use_errno=True)


class StepFailure(Exception):
    """A step could not run as written (bad scenario, not a socket error)."""


def run(cmd, check=True):
    res = subprocess.run(cmd, capture_output=True, text=True)
    if check and res.returncode != 0:
        raise RuntimeError("command failed: %s: %s" % (" ".join(cmd), res.stderr.strip()))
    return res


def check_environment():
    """Why this machine cannot run the kernel suite, or None if it can."""
    if os.geteuid() != 0:
        return "not root (network namespaces need CAP_SYS_ADMIN)"
    for tool in ("ip", "nft", "ss"):
        if shutil.which(tool) is None:
            return "'%s' not found (install iproute2 and nftables)" % tool
    name = "ctcheck%d" % os.getpid()
    res = run(["ip", "netns", "add", name], check=False)
    if res.returncode != 0:
        return "'ip netns add' failed: " + res.stderr.strip()
    try:
        res = run(["ip", "netns", "exec", name, "nft", "add", "table", "inet", TABLE], check=False)
        if res.returncode != 0:
            return "nftables unusable inside a namespace: " + res.stderr.strip()
    finally:
        run(["ip", "netns", "del", name], check=False)
    return None


class Namespaces:
    """Two namespaces, client and server, joined by one veth pair."""

    def __init__(self, tag):
        self.names = {"client": "ct-%s-c" % tag, "server": "ct-%s-s" % tag}
        self.created = []

    def __enter__(self):
        try:
            self._build()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _build(self):
        for side in SIDES:
            run(["ip", "netns", "add", self.names[side]])
            self.created.append(self.names[side])
        run(["ip", "link", "add", IFACE["client"], "netns", self.names["client"], "type", "veth",
             "peer", "name", IFACE["server"], "netns", self.names["server"]])
        for side, ip in (("client", CLIENT_IP), ("server", SERVER_IP)):
            ns = self.names[side]
            run(["ip", "-n", ns, "addr", "add", ip + "/24", "dev", IFACE[side]])
            run(["ip", "-n", ns, "link", "set", "lo", "up"])
            run(["ip", "-n", ns, "link", "set", IFACE[side], "up"])
            # Drop rules ("loss on the wire") go in the receiver's input hook, so the
            # sender's stack sees a normal transmission, as with a lost frame.
            run(["ip", "netns", "exec", ns, "nft", "add", "table", "inet", TABLE])
            run(["ip", "netns", "exec", ns, "nft", "add", "chain", "inet", TABLE, "input",
                 "{ type filter hook input priority 0 ; policy accept ; }"])

    def exec(self, side, cmd, check=True):
        return run(["ip", "netns", "exec", self.names[side]] + cmd, check=check)

    def fd(self, side):
        return os.open("/var/run/netns/" + self.names[side], os.O_RDONLY)

    def __exit__(self, *exc):
        for name in self.created:
            run(["ip", "netns", "del", name], check=False)
        return False


def disable_offloads(iface):
    """Turn off TSO, GSO and GRO on the veth (the legacy ethtool ioctls; the
    ethtool tool is not always installed). With them on, the capture would see
    64 KB super-segments instead of what a wire would carry. Runs in the
    namespace of the calling thread."""
    import fcntl
    SIOCETHTOOL = 0x8946
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for cmd in (0x1F, 0x24, 0x2C):  # ETHTOOL_STSO, ETHTOOL_SGSO, ETHTOOL_SGRO
            value = ctypes.create_string_buffer(struct.pack("II", cmd, 0))
            ifreq = struct.pack("16sP", iface.encode(), ctypes.addressof(value))
            try:
                fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifreq)
            except OSError:
                pass  # a device without the feature: nothing to turn off
    finally:
        s.close()


def enter_namespace(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "setns: " + os.strerror(err))


class Capture(threading.Thread):
    """Records every TCP segment a side sends on its veth (AF_PACKET, PACKET_OUTGOING)."""

    def __init__(self, ns_fd, iface, t0):
        super().__init__(daemon=True)
        self.ns_fd, self.iface = ns_fd, iface
        # The kernel stamps frames with CLOCK_REALTIME; `t0` is monotonic.
        self.t0_wall = time.time() - (time.monotonic() - t0)
        self.segments = []
        self.ready = threading.Event()
        self.stopping = False
        self.error = None

    def run(self):
        try:
            enter_namespace(self.ns_fd)
            disable_offloads(self.iface)
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            s.bind((self.iface, 0))
            # Kernel timestamps (taken in dev_queue_xmit_nit as the frame leaves),
            # so segment times do not depend on when this thread gets the CPU.
            s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            s.settimeout(0.05)
        except OSError as e:
            self.error = str(e)
            self.ready.set()
            return
        self.ready.set()
        while not self.stopping:
            try:
                frame, anc, _flags, addr = s.recvmsg(65600, 64)
            except socket.timeout:
                continue
            if addr[2] != PACKET_OUTGOING:
                continue
            seg = parse_tcp(frame)
            if seg is None:
                continue
            sent = None
            for level, kind, data in anc:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
                    sec, nsec = struct.unpack("qq", data[:16])
                    sent = sec + nsec / 1e9
            if sent is None:
                sent = time.time()
            # Microseconds: the two captures are merged by time to tell which
            # SYN a SYN-ACK answers, and a veth round trip is far below 1 ms.
            seg["t"] = round((sent - self.t0_wall) * 1000, 3)
            self.segments.append(seg)
        s.close()


def parse_tcp(frame):
    if len(frame) < 14 + 20 or struct.unpack("!H", frame[12:14])[0] != 0x0800:
        return None
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    total = struct.unpack("!H", ip[2:4])[0]
    if ip[9] != 6:
        return None
    tcp = ip[ihl:total]
    sport, dport, seq, ack, off_flags = struct.unpack("!HHIIH", tcp[:14])
    doff = (off_flags >> 12) * 4
    bits = off_flags & 0x3F
    letters = ""
    for bit, letter in ((0x02, "S"), (0x01, "F"), (0x04, "R"), (0x08, "P")):
        if bits & bit:
            letters += letter
    if bits & 0x10:
        letters += "."
    return {"sport": sport, "dport": dport, "seq": seq, "ack": ack, "flags": letters,
            "len": total - ihl - doff}


def mark_retransmissions(segments):
    """A segment that repeats the sequence space of an earlier one (data, SYN or FIN) is a retransmission."""
    seen = set()
    for seg in segments:
        consumes = seg["len"] > 0 or "S" in seg["flags"] or "F" in seg["flags"]
        key = (seg["sport"], seg["dport"], seg["seq"], seg["len"], seg["flags"].replace("P", ""))
        seg["rtx"] = consumes and key in seen
        if consumes:
            seen.add(key)
    return segments


class Shared:
    """What both sides' threads share: signals, drop rules, the clock."""

    def __init__(self, ns, t0):
        self.ns, self.t0 = ns, t0
        self.events = {}
        self.lock = threading.Lock()
        self.drops = {}  # id -> (namespace side holding the rule, handle)
        self.drop_hits = {}

    def event(self, name):
        with self.lock:
            return self.events.setdefault(name, threading.Event())

    def now_ms(self):
        return (time.monotonic() - self.t0) * 1000


def nft_match(flags):
    """'F' -> FIN set (others free); '=A' -> exactly ACK; '' -> every TCP segment."""
    names = {"S": "syn", "F": "fin", "R": "rst", "P": "psh", "A": "ack", ".": "ack"}
    if not flags:
        return ["meta", "l4proto", "tcp"]
    exact = flags.startswith("=")
    letters = flags[1:] if exact else flags
    try:
        wanted = sorted({names[c] for c in letters})
    except KeyError:
        raise StepFailure("unknown flag letter in %r (use S F R P A)" % flags)
    mask = "|".join(wanted)
    if exact:
        return ["tcp", "flags", "==", mask]
    return ["tcp", "flags", "&", "(" + mask + ")", "==", "(" + mask + ")"]


def drop_rule_hits(ns, side, handle):
    out = ns.exec(side, ["nft", "-j", "list", "chain", "inet", TABLE, "input"]).stdout
    for item in json.loads(out)["nftables"]:
        rule = item.get("rule")
        if rule and rule.get("handle") == handle:
            for expr in rule["expr"]:
                if "counter" in expr:
                    return expr["counter"]["packets"]
    raise RuntimeError("drop rule %d vanished" % handle)


def ss_states(timers=False):
    """Sorted socket states, as `ss -tan` names them; with timers, each as
    'STATE kind' where kind is the timer `ss -o` shows (on, timewait, keepalive,
    persist) or '-' when none runs.
    Called from a side's thread, which has entered that side's namespace: the
    child inherits it, so no `ip netns exec` (two more execs) is needed."""
    out = run(["ss", "-tanoH" if timers else "-tanH"]).stdout
    rows = []
    for line in out.splitlines():
        if not line.strip():
            continue
        state = line.split()[0]
        if timers:
            kind = line.split("timer:(", 1)[1].split(",", 1)[0] if "timer:(" in line else "-"
            state = "%s %s" % (state, kind)
        rows.append(state)
    return sorted(rows)


# Counters the course teaches, as `nstat` names them (its prefix + the field name).
COUNTERS = (
    "TcpExtTW", "TcpExtTWKilled", "TcpExtListenOverflows", "TcpExtListenDrops",
    "TcpExtTCPTimeWaitOverflow", "TcpExtTCPAbortOnClose",
    "TcpExtTCPAbortOnData", "TcpExtTCPAbortOnLinger", "TcpExtTCPAbortOnTimeout",
    "TcpExtTCPAbortOnMemory", "TcpActiveOpens", "TcpPassiveOpens", "TcpEstabResets",
    "TcpOutRsts", "TcpRetransSegs",
)


def read_counters():
    """This thread's namespace's SNMP and TcpExt counters, named as nstat names
    them. Reads /proc/thread-self/net (not /proc/net, which is /proc/self/net:
    the main thread's namespace, not this thread's after setns) instead of
    running nstat, which keeps history files between runs."""
    values = {}
    for name in ("netstat", "snmp"):
        with open("/proc/thread-self/net/" + name) as f:
            lines = f.read().splitlines()
        # Pairs of lines: "Prefix: names..." then "Prefix: values...".
        for head, vals in zip(lines[0::2], lines[1::2]):
            prefix, names = head.split(":", 1)
            _, numbers = vals.split(":", 1)
            for key, value in zip(names.split(), numbers.split()):
                try:
                    values[prefix + key] = int(value)
                except ValueError:
                    pass
    return values


def counter_deltas(before, after):
    return {name: after.get(name, 0) - before.get(name, 0) for name in COUNTERS if name in after}


def kernel_log_count(text):
    """Kernel log lines containing `text`, or None when dmesg cannot be read."""
    res = run(["dmesg"], check=False)
    if res.returncode != 0:
        return None
    return sum(1 for line in res.stdout.splitlines() if text in line)


def timer_ms(text):
    """An `ss -o` timer value in ms: '59sec', '1min2sec', '1.500ms', '200ms' (iproute2 print_ms_timer)."""
    import re
    m = re.fullmatch(r"(?:(\d+)min)?(?:(\d+)(sec|\.))?(?:(\d+)ms)?", text)
    if not m:
        raise StepFailure("unparsable ss timer value %r" % text)
    minutes, secs, _sep, ms = m.groups()
    return int(minutes or 0) * 60000 + int(secs or 0) * 1000 + int(ms or 0)


def ss_timer_values():
    """Each socket as ('STATE kind', ms left), sorted, from `ss -tano`."""
    out = run(["ss", "-tanoH"]).stdout
    rows = []
    for line in out.splitlines():
        if not line.strip():
            continue
        state = line.split()[0]
        if "timer:(" in line:
            kind, value = line.split("timer:(", 1)[1].split(")", 1)[0].split(",")[:2]
            rows.append(("%s %s" % (state, kind), timer_ms(value)))
        else:
            rows.append(("%s -" % state, None))
    return sorted(rows, key=lambda r: r[0])


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def tcp_segment(src_ip, dst_ip, sport, dport, seq, ack, flags):
    """A 20-byte TCP header with a correct checksum (RFC 9293 pseudo-header)."""
    bits = 0
    for letter, bit in (("F", 0x01), ("S", 0x02), ("R", 0x04), ("P", 0x08), (".", 0x10), ("A", 0x10)):
        if letter in flags:
            bits |= bit
    header = struct.pack("!HHIIHHHH", sport, dport, seq, ack, (5 << 12) | bits, 0, 0, 0)
    pseudo = socket.inet_aton(src_ip) + socket.inet_aton(dst_ip) + struct.pack("!BBH", 0, 6, len(header))
    return header[:16] + struct.pack("!H", checksum(pseudo + header)) + header[18:]


def errno_name(e):
    return errno.errorcode.get(e.errno, "E%d" % (e.errno or 0))


class Side(threading.Thread):
    def __init__(self, side, steps, shared, ns_fd):
        super().__init__(daemon=True)
        self.side, self.steps, self.shared, self.ns_fd = side, steps, shared, ns_fd
        self.peer_ip = SERVER_IP if side == "client" else CLIENT_IP
        self.socks = {}
        self.tuples = {}  # socket name -> (local port, peer port), kept after close
        self.marks = {}
        self.results = []
        self.error = None
        self.counters = None

    def sock(self, name):
        if name not in self.socks:
            raise StepFailure("socket %r used before 'socket'/'accept' created it" % name)
        return self.socks[name]

    def run(self):
        try:
            enter_namespace(self.ns_fd)
            before = read_counters()
            for index, step in enumerate(self.steps):
                start = self.shared.now_ms()
                if "mark" in step:
                    self.marks[step["mark"]] = start
                result = {"i": index, "op": step["op"], "at": round(start)}
                try:
                    result.update(self.do(step) or {})
                    result["ok"] = True
                except OSError as e:
                    result["ok"] = False
                    result["errno"] = errno_name(e)
                result["tookMs"] = round(self.shared.now_ms() - start)
                self.results.append(result)
            self.counters = counter_deltas(before, read_counters())
        except StepFailure as e:
            self.error = "%s step %d: %s" % (self.side, len(self.results), e)
        except Exception as e:  # the report must say what broke, not hang
            self.error = "%s step %d: %s: %s" % (self.side, len(self.results), type(e).__name__, e)
        # Sockets stay open when the steps end: closing them here would send
        # FINs the scenario never asked for while the capture still runs.
        # close_all() runs after the capture has stopped.

    def close_all(self):
        for s in self.socks.values():
            try:
                s.close()
            except OSError:
                pass

    def do(self, step):
        op = step["op"]
        sh = self.shared
        if op == "socket":
            self.socks[step["sock"]] = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        elif op == "setsockopt":
            s, name, value = self.sock(step["sock"]), step["opt"], step["value"]
            if name == "SO_REUSEADDR":
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, int(bool(value)))
            elif name == "SO_REUSEPORT":
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, int(bool(value)))
            elif name == "SO_LINGER":
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", int(bool(value["onoff"])), int(value["linger"])))
            elif name == "SO_RCVBUF":
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, int(value))
            elif name == "SO_SNDBUF":
                s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, int(value))
            elif name == "SO_KEEPALIVE":
                s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, int(bool(value)))
            elif name in ("TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT", "TCP_USER_TIMEOUT"):
                s.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), int(value))
            elif name in ("TCP_NODELAY", "TCP_CORK", "TCP_QUICKACK"):
                s.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), int(bool(value)))
            else:
                raise StepFailure("unknown socket option %r" % name)
        elif op == "getsockopt":
            level_opt = {"SO_RCVBUF": socket.SO_RCVBUF, "SO_SNDBUF": socket.SO_SNDBUF}
            if step["opt"] not in level_opt:
                raise StepFailure("getsockopt of %r is not supported" % step["opt"])
            return {"value": self.sock(step["sock"]).getsockopt(socket.SOL_SOCKET, level_opt[step["opt"]])}
        elif op == "inject":
            # A segment this side's stack did not send, on the 4-tuple of
            # socket `sock` (open or closed), numbered from the capture: seq is
            # the next sequence number this side would use there.
            if step["sock"] not in self.tuples:
                raise StepFailure("inject on %r, which never connected" % step["sock"])
            local, remote = self.tuples[step["sock"]]
            mine = [x for x in sh.captures[self.side].segments if x["sport"] == local and x["dport"] == remote]
            if not mine:
                raise StepFailure("inject: the capture has no segment of %r yet" % step["sock"])
            last = mine[-1]
            seq = (last["seq"] + last["len"] + (1 if "F" in last["flags"] or "S" in last["flags"] else 0)) % (1 << 32)
            my_ip = CLIENT_IP if self.side == "client" else SERVER_IP
            raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
            try:
                raw.sendto(tcp_segment(my_ip, self.peer_ip, local, remote, seq, 0, step["flags"]), (self.peer_ip, 0))
            finally:
                raw.close()
        elif op == "bind":
            self.sock(step["sock"]).bind(("0.0.0.0", step.get("port", 0)))
        elif op == "listen":
            self.sock(step["sock"]).listen(step.get("backlog", 16))
        elif op == "accept":
            conn, peer = self.sock(step["sock"]).accept()
            self.socks[step["as"]] = conn
            self.tuples[step["as"]] = (conn.getsockname()[1], peer[1])
        elif op == "connect":
            s = self.sock(step["sock"])
            # `to`: a listener of this side's own, at 127.0.0.1 or at its own
            # address; either way over loopback, so not in the veth capture.
            to = step.get("to")
            my_ip = CLIENT_IP if self.side == "client" else SERVER_IP
            s.connect(({"loopback": "127.0.0.1", "self": my_ip}.get(to, self.peer_ip), step["port"]))
            self.tuples[step["sock"]] = (s.getsockname()[1], step["port"])
        elif op == "localport":
            return {"value": self.sock(step["sock"]).getsockname()[1]}
        elif op == "send":
            data = (step["data"] * step.get("times", 1)).encode("latin-1")
            s = self.sock(step["sock"])
            s.sendall(data)
            return {"bytes": len(data)}
        elif op == "recv":
            data = self.sock(step["sock"]).recv(step.get("max", 1 << 20))
            return {"data": data.decode("latin-1")}
        elif op == "recvall":
            s, chunks = self.sock(step["sock"]), []
            try:
                while True:
                    chunk = s.recv(1 << 20)
                    if not chunk:
                        return {"data": "".join(chunks), "end": "eof"}
                    chunks.append(chunk.decode("latin-1"))
            except OSError as e:
                return {"data": "".join(chunks), "end": errno_name(e)}
        elif op == "shutdown":
            how = {"SHUT_RD": socket.SHUT_RD, "SHUT_WR": socket.SHUT_WR, "SHUT_RDWR": socket.SHUT_RDWR}
            if step["how"] not in how:
                raise StepFailure("unknown shutdown mode %r" % step["how"])
            self.sock(step["sock"]).shutdown(how[step["how"]])
        elif op == "close":
            s = self.socks.pop(step["sock"], None)
            if s is None:
                raise StepFailure("close of unknown socket %r" % step["sock"])
            s.close()
        elif op == "sleep":
            if "since" in step:
                # Until `ms` after the start of the step marked `since`: timer
                # checks stay on schedule even when an earlier ss call ran slow.
                if step["since"] not in self.marks:
                    raise StepFailure("no earlier step is marked %r" % step["since"])
                time.sleep(max(0.0, (self.marks[step["since"]] + step["ms"] - sh.now_ms()) / 1000))
            else:
                time.sleep(step["ms"] / 1000)
        elif op == "ss":
            if step.get("values"):
                rows = ss_timer_values()
                return {"timers": [r[0] for r in rows], "timerMs": [r[1] for r in rows]}
            if step.get("timers"):
                return {"timers": ss_states(timers=True)}
            return {"states": ss_states()}
        elif op == "signal":
            sh.event(step["name"]).set()
        elif op == "wait":
            if not sh.event(step["name"]).wait(WAIT_LIMIT_S):
                raise StepFailure("waited %ds for signal %r" % (WAIT_LIMIT_S, step["name"]))
        elif op == "drop":
            # Loss on the wire: the receiver's input hook discards what `from` sends.
            sender = step["from"]
            if sender not in SIDES:
                raise StepFailure("drop.from must be 'client' or 'server'")
            receiver = "server" if sender == "client" else "client"
            cmd = ["nft", "--echo", "--handle", "add", "rule", "inet", TABLE, "input"]
            cmd += nft_match(step.get("flags", "")) + ["counter", "drop"]
            out = sh.ns.exec(receiver, cmd).stdout
            handle = int(out.rsplit("# handle", 1)[1].split()[0])
            with sh.lock:
                sh.drops[step["id"]] = (receiver, handle)
        elif op == "undrop":
            with sh.lock:
                if step["id"] not in sh.drops:
                    raise StepFailure("undrop of unknown drop %r" % step["id"])
                receiver, handle = sh.drops.pop(step["id"])
            hits = drop_rule_hits(sh.ns, receiver, handle)
            sh.ns.exec(receiver, ["nft", "delete", "rule", "inet", TABLE, "input", "handle", str(handle)])
            sh.drop_hits[step["id"]] = hits
            return {"hits": hits}
        else:
            raise StepFailure("unknown op %r" % op)
        return None


def write_sysctl(ns, side, name, value):
    # /proc/sys/net belongs to the network namespace of whoever opens it, so a
    # shell inside the namespace sets that namespace's value. (No `sysctl`
    # binary: procps is not on every minimal image.)
    if not all(part.replace("_", "").isalnum() for part in name.split(".")):
        raise StepFailure("not a sysctl name: %r" % name)
    path = "/proc/sys/" + name.replace(".", "/")
    res = ns.exec(side, ["sh", "-c", 'printf "%s\\n" "$1" > "$2"', "sh", str(value), path], check=False)
    if res.returncode != 0:
        raise StepFailure("cannot set %s = %s in the %s namespace: %s" % (name, value, side, res.stderr.strip()))


def sweep_stale_namespaces():
    """Deletes namespaces left by a driver that was killed outright (SIGKILL
    skips every clean-up): their names carry the pid of a process that is gone."""
    res = run(["ip", "netns", "list"], check=False)
    for line in res.stdout.splitlines():
        name = line.split()[0] if line.strip() else ""
        parts = name.split("-")
        if len(parts) >= 4 and parts[0] == "ct" and parts[1].isdigit() and parts[-1] in ("c", "s"):
            if not os.path.exists("/proc/%s" % parts[1]):
                run(["ip", "netns", "del", name], check=False)


def run_scenario(scenario):
    sweep_stale_namespaces()
    tag = "%d-%s" % (os.getpid(), str(scenario.get("tag", "0")).replace("-", ""))
    out = {"id": scenario["id"], "kernel": os.uname().release, "sides": {}, "segments": {},
           "drops": {}, "errors": []}
    log = scenario.get("kernelLog")
    log_before = kernel_log_count(log["contains"]) if log else None
    with Namespaces(tag) as ns:
        for side in SIDES:
            for name, value in scenario.get("sysctls", {}).get(side, {}).items():
                write_sysctl(ns, side, name, value)
        t0 = time.monotonic()
        fds = {side: ns.fd(side) for side in SIDES}
        try:
            captures = {side: Capture(fds[side], IFACE[side], t0) for side in SIDES}
            for c in captures.values():
                c.start()
                c.ready.wait(5)
                if c.error:
                    raise RuntimeError("capture: " + c.error)
            shared = Shared(ns, t0)
            shared.captures = captures
            threads = {side: Side(side, scenario.get(side, []), shared, fds[side]) for side in SIDES}
            for t in threads.values():
                t.start()
            deadline = time.monotonic() + scenario.get("deadlineMs", 30000) / 1000
            for side, t in threads.items():
                t.join(max(0.0, deadline - time.monotonic()))
                if t.is_alive():
                    out["errors"].append("%s did not finish its steps before the deadline (step %d)"
                                         % (side, len(t.results)))
                if t.error:
                    out["errors"].append(t.error)
                out["sides"][side] = t.results
                if t.counters is not None:
                    out.setdefault("counters", {})[side] = t.counters
            # Let the last segments of the run reach the capture before it stops.
            time.sleep(0.1)
            for side, c in captures.items():
                c.stopping = True
                c.join(1)
                out["segments"][side] = mark_retransmissions(c.segments)
            for t in threads.values():
                if not t.is_alive():
                    t.close_all()
            out["drops"] = shared.drop_hits
            for drop_id, (receiver, handle) in list(shared.drops.items()):
                out["drops"][drop_id] = drop_rule_hits(ns, receiver, handle)
        finally:
            for fd in fds.values():
                os.close(fd)
    if log:
        after = kernel_log_count(log["contains"])
        out["kernelLog"] = None if after is None or log_before is None else after - log_before
    return out


def main():
    if "--check" in sys.argv:
        reason = check_environment()
        print(json.dumps({"ok": reason is None, "reason": reason}))
        return 0
    # SIGTERM (a cancelled test run) must still delete the namespaces: turn it
    # into SystemExit so the `with Namespaces` block unwinds.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        scenario = json.load(sys.stdin)
    except json.JSONDecodeError as e:
        print("driver: stdin is not a scenario in JSON: %s" % e, file=sys.stderr)
        return 2
    if not isinstance(scenario, dict) or "id" not in scenario:
        print("driver: the scenario needs an 'id' and step lists 'client' and 'server'", file=sys.stderr)
        return 2
    try:
        result = run_scenario(scenario)
    except (StepFailure, RuntimeError, OSError) as e:
        print("driver: scenario %r could not run: %s" % (scenario["id"], e), file=sys.stderr)
        return 1
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()
    # Threads stuck in a blocking call (a deadline was missed) must not keep us alive.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
