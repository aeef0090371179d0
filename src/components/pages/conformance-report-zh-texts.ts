// The Chinese of the test data's free texts, keyed by their English: scenario
// titles and reasons (tests/conformance/scenarios), known differences
// (tests/conformance/known-differences.ts) and program notes (src/kernel).
export const REPORT_TEXTS_ZH: Record<string, string> = {
  "Client closes first: FIN_WAIT_2 then TIME_WAIT; server CLOSE_WAIT then gone after LAST_ACK":
    "客户端先关闭：先 FIN_WAIT_2，再 TIME_WAIT；服务器进入 CLOSE_WAIT，经过 LAST_ACK 后消失",
  "Server closes first: TIME_WAIT moves to the server, the client ends with nothing":
    "服务器先关闭：TIME_WAIT 转到服务器一侧，客户端最后什么都不剩",
  "Both close while the link is cut; after it heals both end in TIME_WAIT":
    "链路断开期间双方都关闭；链路恢复后，双方都停在 TIME_WAIT",
  "how many retransmissions fit in the cut depends on real timer slack":
    "断开期间能塞进多少次重传，取决于真实定时器的误差",
  "as above":
    "同上",
  "depends on when the cut heals relative to the RTO":
    "取决于链路恢复的时刻与 RTO 的先后",
  "how many FIN retransmissions fit in the cut depends on real timer slack":
    "断开期间能塞进多少次 FIN 重传，取决于真实定时器的误差",
  "shutdown(SHUT_WR): the peer still sends back; send after shutdown fails with EPIPE":
    "shutdown(SHUT_WR)：对端仍可回发数据；shutdown 之后再 send 会以 EPIPE 失败",
  "An orphan in FIN_WAIT_2 vanishes after tcp_fin_timeout; a late segment gets RST":
    "处于 FIN_WAIT_2 的孤儿连接在 tcp_fin_timeout 后消失；迟到的报文段会收到 RST",
  "After shutdown(SHUT_WR) without close, FIN_WAIT_2 outlives tcp_fin_timeout":
    "只 shutdown(SHUT_WR) 而不 close 时，FIN_WAIT_2 会超过 tcp_fin_timeout 仍然存在",
  "A server that never closes on EOF keeps CLOSE_WAIT (no timer); the client waits in FIN_WAIT_2":
    "读到 EOF 却始终不关闭的服务器一直停在 CLOSE_WAIT（没有定时器）；客户端在 FIN_WAIT_2 中等待",
  "close() with unread data sends RST instead of FIN; the peer gets ECONNRESET":
    "还有未读数据时 close() 发出 RST 而不是 FIN；对端得到 ECONNRESET",
  "Writing to a peer that closed: the first send succeeds, the RST makes the next fail with EPIPE":
    "向已关闭的对端写数据：第一次 send 成功，收到的 RST 让下一次以 EPIPE 失败",
  "The last ACK is lost: LAST_ACK retransmits its FIN, TIME_WAIT ACKs each copy again":
    "最后一个 ACK 丢失：LAST_ACK 重传它的 FIN，TIME_WAIT 对每一份都再确认一次",
  "how many retransmissions fit before the rule goes depends on real scheduling; the gaps below are compared instead":
    "规则撤除前能塞进多少次重传取决于真实的调度；改为比较下面的间隔",
  "as for the drop count":
    "与丢弃计数相同",
  "how many FIN retransmissions (and re-ACKs) fit before the rule goes depends on real scheduling":
    "规则撤除前能塞进多少次 FIN 重传（以及重复的 ACK），取决于真实的调度",
  "close() of a half-closed socket already in TIME_WAIT, with unread data, sends nothing; TIME_WAIT stays":
    "对已处于 TIME_WAIT 的半关闭套接字 close()，即使有未读数据也什么都不发；TIME_WAIT 保留",
  "close() of a half-closed socket already in TIME_WAIT, with SO_LINGER 0, sends nothing; TIME_WAIT stays":
    "对已处于 TIME_WAIT 的半关闭套接字 close()，即使设置了 SO_LINGER 0 也什么都不发；TIME_WAIT 保留",
  "SO_LINGER {1, 0}: close() aborts with RST; the peer reads what was delivered, then ECONNRESET":
    "SO_LINGER {1, 0}：close() 以 RST 中止连接；对端先读到已送达的数据，然后得到 ECONNRESET",
  "SO_LINGER {1, 2} with a peer that does not read: close() blocks about 2 s, returns 0, the orphan stays in FIN_WAIT_1":
    "SO_LINGER {1, 2}，对端不读数据：close() 阻塞约 2 s 后返回 0，孤儿连接留在 FIN_WAIT_1",
  "close() duration is wall time on the kernel and virtual time in the simulator: both must fall in 1.9-3 s (a busy machine wakes the thread late), not match to the millisecond.":
    "close() 的耗时在内核上是真实时间，在模拟器中是虚拟时间：两者都须落在 1.9-3 s 之内（繁忙的机器会晚些唤醒线程），不要求精确到毫秒。",
  "Linux doubles SO_RCVBUF/SO_SNDBUF (socket(7)); the simulator takes them as given. Only \"the data does not fit the window\" matters here.":
    "Linux 会把 SO_RCVBUF/SO_SNDBUF 翻倍（socket(7)）；模拟器按设置值使用。这里只关心“数据装不进窗口”这一点。",
  "Both sides write and neither reads: once both windows are full the connection goes quiet but for zero-window probes":
    "双方都写、都不读：两边的窗口都满了之后，连接上除了零窗口探测再无动静",
  "how many probes fit in 3 s of real time depends on scheduling":
    "3 s 真实时间里能塞进多少个探测取决于调度",
  "Linux doubles SO_RCVBUF and SO_SNDBUF (socket(7)); only \"the data does not fit the window\" matters here.":
    "Linux 会把 SO_RCVBUF 和 SO_SNDBUF 翻倍（socket(7)）；这里只关心“数据装不进窗口”这一点。",
  "Restart over TIME_WAIT: old listener SO_REUSEADDR off, new socket off: bind fails with EADDRINUSE":
    "在 TIME_WAIT 之上重启：旧监听套接字未开 SO_REUSEADDR，新套接字也未开：bind 以 EADDRINUSE 失败",
  "Restart over TIME_WAIT: old listener SO_REUSEADDR off, new socket on: bind fails with EADDRINUSE":
    "在 TIME_WAIT 之上重启：旧监听套接字未开 SO_REUSEADDR，新套接字开启：bind 以 EADDRINUSE 失败",
  "Restart over TIME_WAIT: old listener SO_REUSEADDR on, new socket off: bind fails with EADDRINUSE":
    "在 TIME_WAIT 之上重启：旧监听套接字开启 SO_REUSEADDR，新套接字未开：bind 以 EADDRINUSE 失败",
  "Restart over TIME_WAIT: old listener SO_REUSEADDR on, new socket on: bind succeeds":
    "在 TIME_WAIT 之上重启：旧监听套接字和新套接字都开启 SO_REUSEADDR：bind 成功",
  "SO_REUSEADDR never lets a second socket bind a port another socket listens on":
    "SO_REUSEADDR 绝不会让第二个套接字绑定另一个套接字正在监听的端口",
  "SO_REUSEPORT on both sockets: two listeners share one port":
    "两个套接字都开启 SO_REUSEPORT：两个监听套接字共用一个端口",
  "Six ephemeral ports, client closes first: each port waits in TIME_WAIT, the seventh connect() fails with EADDRNOTAVAIL":
    "六个临时端口，客户端先关闭：每个端口都在 TIME_WAIT 中等待，第七次 connect() 以 EADDRNOTAVAIL 失败",
  "Ephemeral port numbers are never compared: Linux picks them with a hash and a random offset (__inet_hash_connect).":
    "临时端口号从不比较：Linux 用哈希加随机偏移来挑选它们（__inet_hash_connect）。",
  "Six ephemeral ports, server closes first: TIME_WAIT sits on the server, ten connects in a row succeed":
    "六个临时端口，服务器先关闭：TIME_WAIT 留在服务器上，连续十次 connect 都成功",
  "how many TIME_WAIT sockets the server keeps is how many distinct client ports were used: a new SYN replaces the TIME_WAIT of its 4-tuple (item 15), and Linux's port choice (__inet_hash_connect) is not modelled port for port":
    "服务器留下多少个 TIME_WAIT 套接字，等于用过多少个不同的客户端端口：新的 SYN 会取代它所在四元组的 TIME_WAIT（第 15 项），而 Linux 的端口选择（__inet_hash_connect）并没有逐个端口地建模",
  "in rare kernel runs (one of about a hundred here) the client sends one RST: a SYN on a reused port that meets the server's TIME_WAIT can be answered with an ACK, which the client resets before it retransmits the SYN. Every connect() still succeeds; which port Linux reuses when is not modelled port for port":
    "在少数内核运行中（这里大约百次中有一次），客户端会发出一个 RST：复用端口上的 SYN 遇到服务器的 TIME_WAIT 时，可能得到一个 ACK 作为应答，客户端先复位它再重传 SYN。每次 connect() 仍然成功；Linux 何时复用哪个端口，并没有逐个端口地建模",
  "tcp_tw_reuse=1: a connect() on the only port, held in TIME_WAIT, fails before 1 s and succeeds after":
    "tcp_tw_reuse=1：唯一的端口被 TIME_WAIT 占着，在它上面的 connect() 在 1 s 之前失败，之后成功",
  "tcp_tw_reuse=0: a connect() on the only port, held in TIME_WAIT, keeps failing with EADDRNOTAVAIL":
    "tcp_tw_reuse=0：唯一的端口被 TIME_WAIT 占着，在它上面的 connect() 一直以 EADDRNOTAVAIL 失败",
  "tcp_tw_reuse=2: a connect() on the only port, held in TIME_WAIT, keeps failing with EADDRNOTAVAIL":
    "tcp_tw_reuse=2：唯一的端口被 TIME_WAIT 占着，在它上面的 connect() 一直以 EADDRNOTAVAIL 失败",
  "tcp_tw_reuse=1, timestamps off: a connect() on the only port, held in TIME_WAIT, keeps failing with EADDRNOTAVAIL":
    "tcp_tw_reuse=1，关闭时间戳：唯一的端口被 TIME_WAIT 占着，在它上面的 connect() 一直以 EADDRNOTAVAIL 失败",
  "tcp_tw_reuse=0: a connect() to 127.0.0.1 on the only port, held in TIME_WAIT, keeps failing with EADDRNOTAVAIL":
    "tcp_tw_reuse=0：唯一的端口被 TIME_WAIT 占着，在它上面连接 127.0.0.1 的 connect() 一直以 EADDRNOTAVAIL 失败",
  "tcp_tw_reuse=1: a connect() to 127.0.0.1 on the only port, held in TIME_WAIT, fails before 1 s and succeeds after":
    "tcp_tw_reuse=1：唯一的端口被 TIME_WAIT 占着，在它上面连接 127.0.0.1 的 connect() 在 1 s 之前失败，之后成功",
  "tcp_tw_reuse=2: a connect() to 127.0.0.1 on the only port, held in TIME_WAIT, fails before 1 s and succeeds after":
    "tcp_tw_reuse=2：唯一的端口被 TIME_WAIT 占着，在它上面连接 127.0.0.1 的 connect() 在 1 s 之前失败，之后成功",
  "tcp_tw_reuse=2: a connect() to the host's own address on the only port, held in TIME_WAIT, keeps failing with EADDRNOTAVAIL":
    "tcp_tw_reuse=2：唯一的端口被 TIME_WAIT 占着，在它上面连接本机自己地址的 connect() 一直以 EADDRNOTAVAIL 失败",
  "bind() then connect() on the 4-tuple this side holds in TIME_WAIT, tcp_tw_reuse=0, timestamps on: takes it over at once":
    "先 bind() 再 connect() 到本端处于 TIME_WAIT 的四元组，tcp_tw_reuse=0，开启时间戳：立即接管",
  "bind() then connect() on the 4-tuple this side holds in TIME_WAIT, tcp_tw_reuse=0, timestamps off: EADDRNOTAVAIL":
    "先 bind() 再 connect() 到本端处于 TIME_WAIT 的四元组，tcp_tw_reuse=0，关闭时间戳：EADDRNOTAVAIL",
  "ip_local_port_range of two ports: bind(0) takes the odd one, connect() the even one; then neither finds a port":
    "ip_local_port_range 只有两个端口：bind(0) 拿走奇数端口，connect() 拿走偶数端口；此后两者都找不到端口",
  "bind(0) in four ports: the two odd ones first, then the two even ones, then EADDRINUSE":
    "四个端口中的 bind(0)：先是两个奇数端口，再是两个偶数端口，然后 EADDRINUSE",
  "which port of the expected parity comes first is a keyed hash and a random offset (secure_ipv4_port_ephemeral, get_random_u32_below), not modelled port for port":
    "预期奇偶的端口中哪个先出现，由带密钥的哈希和随机偏移决定（secure_ipv4_port_ephemeral、get_random_u32_below），没有逐个端口地建模",
  "bind(0) with SO_REUSEADDR in four ports: the lower half first, odd before even (40001, 40000, 40003, 40002), then EADDRINUSE":
    "四个端口中带 SO_REUSEADDR 的 bind(0)：先是下半段，奇数在偶数之前（40001、40000、40003、40002），然后 EADDRINUSE",
  "connect() in four ports to one server: the two even ones first, then the two odd ones, then EADDRNOTAVAIL":
    "四个端口中连向同一服务器的 connect()：先是两个偶数端口，再是两个奇数端口，然后 EADDRNOTAVAIL",
  "A SYN for a 4-tuple in TIME_WAIT opens a new incarnation (sequence number beyond the old one)":
    "发往处于 TIME_WAIT 的四元组的 SYN 开启一个新的连接化身（序列号在旧连接之后）",
  "A RST in TIME_WAIT with tcp_rfc1337 = 0: TIME_WAIT ends at once":
    "tcp_rfc1337 = 0 时 TIME_WAIT 收到 RST：TIME_WAIT 立即结束",
  "the simulator cannot put a segment on the wire that no socket made":
    "模拟器无法把不是由套接字产生的报文段发到线路上",
  "A RST in TIME_WAIT with tcp_rfc1337 = 1: ignored, TIME_WAIT stays":
    "tcp_rfc1337 = 1 时 TIME_WAIT 收到 RST：被忽略，TIME_WAIT 保留",
  "tcp_max_tw_buckets = 0: no TIME_WAIT socket is created, TCPTimeWaitOverflow counts it, the kernel log stays quiet":
    "tcp_max_tw_buckets = 0：不创建 TIME_WAIT 套接字，TCPTimeWaitOverflow 计数加一，内核日志保持安静",
  "Data never acknowledged: after tcp_retries2 retransmissions the connection is dropped with ETIMEDOUT, no RST, and TCPAbortOnTimeout counts it":
    "数据始终得不到确认：重传 tcp_retries2 次后连接以 ETIMEDOUT 被丢弃，不发 RST，TCPAbortOnTimeout 计数加一",
  "the simulator sends no tail-loss probe and gives up at 1.4 s (listed)":
    "模拟器不发尾部丢包探测，在 1.4 s 时放弃（已登记）",
  "how many ACKs the server sent into the cut depends on real timing":
    "服务器往断开的链路里发了多少个 ACK 取决于真实时间",
  "the simulator retransmits twice (listed)":
    "模拟器重传两次（已登记）",
  "SO_RCVBUF and SO_SNDBUF read back twice the value set (socket(7): room for bookkeeping), at least one minimal buffer, at most twice net.core.rmem_max / wmem_max; unset, tcp_rmem[1] and tcp_wmem[1]":
    "SO_RCVBUF 和 SO_SNDBUF 读回的是设置值的两倍（socket(7)：留出簿记开销的空间），至少为一个最小缓冲区，至多为 net.core.rmem_max / wmem_max 的两倍；未设置时为 tcp_rmem[1] 和 tcp_wmem[1]",
  "ss -tano counts down: an orphan in FIN_WAIT_2 shows tcp_fin_timeout left, TIME_WAIT shows 60 s left":
    "ss -tano 会倒计时：处于 FIN_WAIT_2 的孤儿连接显示剩余 tcp_fin_timeout，TIME_WAIT 显示剩余 60 s",
  "Keepalive on an idle connection whose peer went silent: a probe after TCP_KEEPIDLE, one per TCP_KEEPINTVL, and after TCP_KEEPCNT unanswered probes RST and ETIMEDOUT":
    "空闲连接的对端失联时的保活：TCP_KEEPIDLE 之后发一个探测，之后每隔 TCP_KEEPINTVL 发一个，TCP_KEEPCNT 个探测都没有应答后发 RST 并报告 ETIMEDOUT",
  "Keepalive runs in CLOSE_WAIT: a dead peer's connection is reset and leaves ss, but the descriptor stays open until close() (send() reports ETIMEDOUT)":
    "保活在 CLOSE_WAIT 中也会运行：对端失联的连接被复位并从 ss 中消失，但文件描述符一直打开到 close()（send() 报告 ETIMEDOUT）",
  "TCP_USER_TIMEOUT: data unacknowledged for that long ends the connection with ETIMEDOUT, long before tcp_retries2 would, and no RST":
    "TCP_USER_TIMEOUT：数据在这么长时间内得不到确认，连接就以 ETIMEDOUT 结束，远早于 tcp_retries2 的时限，而且不发 RST",
  "how many ACKs the server sent into the cut depends on how many retransmissions Linux sends":
    "服务器往断开的链路里发了多少个 ACK，取决于 Linux 发了多少次重传",
  "A peer whose application stopped reading answers each zero-window probe: the count of unanswered probes starts again at every answer, so even with tcp_retries2 = 2 the sender waits as long as the peer keeps its window shut":
    "应用停止读取的对端会应答每一个零窗口探测：未应答探测的计数每次得到应答都从头算起，所以即使 tcp_retries2 = 2，只要对端的窗口一直关着，发送方就一直等下去",
  "how many probes fit in the run depends on real time (the simulator runs on past the steps, virtual time)":
    "一次运行中能塞进多少个探测取决于真实时间（模拟器在步骤结束后继续运行，用的是虚拟时间）",
  "An orphan in FIN_WAIT_1 behind a zero window, its probes answered: TCP_USER_TIMEOUT counts from the first probe and ends it with no RST; the peer, still ESTABLISHED, is reset when it reads at last":
    "零窗口之后处于 FIN_WAIT_1 的孤儿连接，探测都得到应答：TCP_USER_TIMEOUT 从第一个探测开始计时，到期后结束连接，不发 RST；仍处于 ESTABLISHED 的对端终于读取时被复位",
  "how many bytes the receive buffer held: Linux doubles SO_RCVBUF":
    "接收缓冲区装下了多少字节：Linux 会把 SO_RCVBUF 翻倍",
  "An orphan in FIN_WAIT_1 behind a zero window whose peer then vanished: after tcp_orphan_retries unanswered probes it is destroyed without a RST; the peer keeps a half-open ESTABLISHED connection":
    "零窗口之后处于 FIN_WAIT_1 的孤儿连接，对端随后失联：tcp_orphan_retries 个探测都没有应答后，它被销毁，不发 RST；对端留下一个半开的 ESTABLISHED 连接",
  "how many probe answers the rule dropped depends on when the probe timer fired before the cut":
    "规则丢弃了多少个探测应答，取决于断开之前探测定时器何时触发",
  "A server that closes as soon as it reads EOF: its FIN carries the ACK of the client's FIN (F. / F. / .)":
    "读到 EOF 就立即关闭的服务器：它的 FIN 捎带了对客户端 FIN 的 ACK（F. / F. / .）",
  "A server that waits 300 ms after EOF: the ACK of the client's FIN goes alone after the delayed-ACK timeout (about 40 ms)":
    "读到 EOF 后等待 300 ms 的服务器：对客户端 FIN 的 ACK 在延迟确认超时（约 40 ms）后单独发出",
  "Nagle: a second small write waits until the first small segment is ACKed (about 40 ms when the peer delays its ACK)":
    "Nagle 算法：第二次小块写入要等第一个小报文段得到确认（对端延迟确认时约 40 ms）",
  "TCP_NODELAY: a second small write goes out at once, though the first is unacknowledged":
    "TCP_NODELAY：即使第一个报文段还未得到确认，第二次小块写入也立即发出",
  "how the data is cut into segments and when it is acknowledged: Linux sends 1448-byte segments (MSS 1460 less 12 bytes of timestamps option) into a receive window that it sizes from the doubled SO_RCVBUF by the measured overhead of its segments (scaling_ratio) and grows, and probes a zero window on a schedule that depends on real time; the simulator sends 1460-byte segments into a window of exactly half the doubled buffer (the value set), so its ACKs (delayed as Linux delays them, ACK every second full segment) fall on other segments":
    "数据怎样切成报文段、何时得到确认：Linux 发 1448 字节的报文段（MSS 1460 减去 12 字节的时间戳选项），接收窗口按它测得的报文段开销（scaling_ratio）由翻倍后的 SO_RCVBUF 算出并逐步增长，零窗口探测的时间表取决于真实时间；模拟器发 1460 字节的报文段，窗口恰为翻倍缓冲区的一半（即设置值），所以它的 ACK（像 Linux 一样延迟，每两个满报文段确认一次）落在别的报文段上",
  "the simulator doubles SO_RCVBUF as Linux does but models neither the timestamps option's room in the MSS, nor the measured scaling ratio and receive-window growth (which decide where __tcp_ack_snd_check sends an ACK at once); and how many probes fit in the scenario's seconds is real timing":
    "模拟器像 Linux 一样把 SO_RCVBUF 翻倍，但既没有建模时间戳选项在 MSS 中占的空间，也没有建模测得的缩放比例和接收窗口的增长（它们决定 __tcp_ack_snd_check 在哪里立即发 ACK）；而场景的几秒里能塞进多少个探测，是真实时间的问题",
  "simulator: receive-window sizing by scaling_ratio and growth (tcp_rcv_space_adjust), and the MSS with timestamps, not modelled yet; the probe count stays timing":
    "模拟器：按 scaling_ratio 计算接收窗口及其增长（tcp_rcv_space_adjust），以及带时间戳的 MSS，尚未建模；探测的个数仍是时间问题",
  "Linux sends the ACK of the FIN alone just before its own FIN; the simulator carries it on that FIN":
    "Linux 在发出自己的 FIN 之前，先单独发出对 FIN 的 ACK；模拟器把它捎带在那个 FIN 上",
  "a socket that has received no data has an ACK timeout of 0 (icsk_ack.ato starts at 0; only tcp_event_data_recv raises it), so tcp_fin's delayed ACK runs out at the next timer tick; on Linux the driver's steps between EOF and close (an nftables call in lost-last-ack, returning from recv in syn-in-time-wait, the TIME_WAIT-takeover scenarios and the port-exhaustion loops, where it happens to one connection or another from run to run) take real milliseconds, and in the simulator no virtual time":
    "没有收到过数据的套接字，ACK 超时为 0（icsk_ack.ato 从 0 开始，只有 tcp_event_data_recv 会增大它），所以 tcp_fin 的延迟确认在下一个定时器滴答就到期；在 Linux 上，驱动程序在 EOF 与 close 之间的步骤（lost-last-ack 中的一次 nftables 调用，syn-in-time-wait 中从 recv 返回，接管 TIME_WAIT 的那几个场景以及端口耗尽的循环里，每次运行落在不同的连接上）要花真实的几毫秒，而在模拟器中不花虚拟时间",
  "listen() with backlog 1 and no accept(): two connections complete (a backlog of N holds N + 1), the third SYN is dropped while the queue is full (ListenOverflows, ListenDrops), and its retransmission after accept() made room connects":
    "listen() 的 backlog 为 1 且不调用 accept()：两条连接完成握手（backlog 为 N 时能容纳 N + 1 条），队列满时第三个 SYN 被丢弃（ListenOverflows、ListenDrops），accept() 腾出位置后，它的重传才连上",
  "none (real timing; the simulator rounds a 0 timeout up to one 4 ms tick)":
    "无（真实时间问题；模拟器把 0 超时向上取整为一个 4 ms 的滴答）",
  "after the cut heals, either Linux side may retransmit its FIN once more (now acknowledging the other's FIN) and ACK the other's retransmitted FIN again":
    "链路恢复后，Linux 的任一端都可能再重传一次自己的 FIN（这次同时确认对方的 FIN），并再次确认对方重传的 FIN",
  "timing: healing takes two nftables calls, and whether a retransmission of either FIN crosses the other depends on when each side's RTO fires relative to the heal":
    "时间问题：恢复链路要两次 nftables 调用，某一端的 FIN 重传是否与另一端的交叉，取决于各端 RTO 相对于恢复时刻何时触发",
  "none (real timing; the scenario compares retransmissions of one segment as one)":
    "无（真实时间问题；场景把同一报文段的多次重传当作一个来比较）",
  "the server's crafted RST: sent on Linux (a raw socket), refused by the simulator (ENOTSUP)":
    "服务器构造的 RST：在 Linux 上发出（原始套接字），在模拟器中被拒绝（ENOTSUP）",
  "the simulator has no raw sockets":
    "模拟器没有原始套接字",
  "simulator: no way to send a segment that no socket made (a raw socket) is modelled yet; issue: segment truth item 7":
    "模拟器：尚未建模发送不由套接字产生的报文段的方法（原始套接字）；议题：segment truth 第 7 项",
  "the crafted RST is counted on Linux only":
    "构造的 RST 只在 Linux 上计数",
  "the simulator sends no crafted RST":
    "模拟器不发构造的 RST",
  "the crafted RST appears in Linux's capture only":
    "构造的 RST 只出现在 Linux 的抓包中",
  "after the RST Linux has no socket left (the RST killed TIME_WAIT: tcp_rfc1337 = 0); the simulator, which never got the RST, still shows TIME-WAIT":
    "收到 RST 后 Linux 上已没有套接字（RST 终结了 TIME_WAIT：tcp_rfc1337 = 0）；模拟器从未收到这个 RST，仍显示 TIME-WAIT",
  "the simulator sends no crafted RST (it does model tcp_rfc1337: its own tests cover a RST in TIME_WAIT)":
    "模拟器不发构造的 RST（它确实建模了 tcp_rfc1337：它自己的测试覆盖了 TIME_WAIT 收到 RST 的情形）",
  "Linux retransmits the unacknowledged data four times (a tail-loss probe, then RTOs of 200, 400 and 800 ms) before it gives up with tcp_retries2 = 2; the simulator retransmits twice and gives up after 1.4 s":
    "在 tcp_retries2 = 2 下放弃之前，Linux 把未确认的数据重传四次（一个尾部丢包探测，然后是 200、400 和 800 ms 的 RTO）；模拟器重传两次，1.4 s 后放弃",
  "the simulator has no tail-loss probe (RFC 8985) and ends the connection when 2 RTO retransmissions have gone unanswered, while Linux's retransmits_timed_out() compares the time since the first retransmission with the back-off schedule and checks it only when the next timer fires":
    "模拟器没有尾部丢包探测（RFC 8985），2 次 RTO 重传都没有应答就结束连接；而 Linux 的 retransmits_timed_out() 把自第一次重传以来的时间与退避时间表比较，并且只在下一次定时器触发时才检查",
  "simulator: tail-loss probe and time-based retransmission limit not modelled yet; not in issue 15, needs an issue of its own":
    "模拟器：尾部丢包探测和按时间计的重传上限尚未建模；不在议题 15 中，需要单独立一个议题",
  "retransmitted data segments: Linux 4, the simulator 2":
    "重传的数据报文段：Linux 4 个，模拟器 2 个",
  "as above (tail-loss probe, time-based retransmission limit)":
    "同上（尾部丢包探测，按时间计的重传上限）",
  "the server's duplicate ACKs of the two retransmissions the simulator does not send (lost in the cut either way)":
    "服务器对模拟器没有发出的两次重传回的重复 ACK（无论哪边都丢在断开的链路里）",
  "as above: each retransmission that reaches the server is ACKed":
    "同上：每一次到达服务器的重传都会得到确认",
  "with the client's retransmissions (above)":
    "随客户端的重传一起消除（见上）",
  "Linux retransmits the unacknowledged data once more than the simulator: a tail-loss probe about 200 ms after the send comes before the first RTO retransmission, and TCP_USER_TIMEOUT counts from that RTO retransmission (retrans_stamp), so Linux gives up about 2 s after the send, the simulator 1.7 s":
    "Linux 重传未确认数据的次数比模拟器多一次：send 后约 200 ms 的尾部丢包探测排在第一次 RTO 重传之前，而 TCP_USER_TIMEOUT 从那次 RTO 重传开始计时（retrans_stamp），所以 Linux 在 send 后约 2 s 放弃，模拟器在 1.7 s",
  "the simulator has no tail-loss probe (RFC 8985); the user timeout itself is counted as Linux counts it":
    "模拟器没有尾部丢包探测（RFC 8985）；用户超时本身的计法与 Linux 相同",
  "simulator: tail-loss probe not modelled yet; not in issue 15, needs an issue of its own (as for retransmissions-exhausted)":
    "模拟器：尾部丢包探测尚未建模；不在议题 15 中，需要单独立一个议题（与 retransmissions-exhausted 相同）",
  "the server's duplicate ACK of the retransmission the simulator does not send (lost in the cut either way)":
    "服务器对模拟器没有发出的那次重传回的重复 ACK（无论哪边都丢在断开的链路里）",
  "with the client's tail-loss probe (above)":
    "随客户端的尾部丢包探测一起消除（见上）",
  "how many segments the client retransmitted (TcpRetransSegs): Linux sends more (a tail-loss probe before the first RTO, and in retransmissions-exhausted more RTOs before it gives up)":
    "客户端重传了多少个报文段（TcpRetransSegs）：Linux 发得更多（第一次 RTO 之前有一个尾部丢包探测，在 retransmissions-exhausted 中放弃之前还有更多次 RTO）",
  "the counter follows the retransmissions the other entries list: the simulator has no tail-loss probe (RFC 8985) nor time-based retransmission limit, and the segment comparison of simultaneous-close takes consecutive copies as one (segmentRepeats), which the counter does not":
    "计数器跟随其他条目列出的重传：模拟器既没有尾部丢包探测（RFC 8985），也没有按时间计的重传上限；而 simultaneous-close 的报文段比较把连续的多份当作一个（segmentRepeats），计数器则不然",
  "with the retransmissions it counts: tail-loss probe and time-based retransmission limit not modelled yet; not in issue 15, needs an issue of its own":
    "随它所计的重传一起消除：尾部丢包探测和按时间计的重传上限尚未建模；不在议题 15 中，需要单独立一个议题",
  "how many FIN retransmissions the server made (TcpRetransSegs): Linux sends a tail-loss probe about 200 ms after the FIN, then the RTOs; the simulator only the RTOs":
    "服务器重传了多少次 FIN（TcpRetransSegs）：Linux 在 FIN 后约 200 ms 发一个尾部丢包探测，然后才是 RTO；模拟器只有 RTO",
  "the simulator has no tail-loss probe (RFC 8985); the segment comparison takes consecutive copies as one (segmentRepeats), the counter does not":
    "模拟器没有尾部丢包探测（RFC 8985）；报文段比较把连续的多份当作一个（segmentRepeats），计数器则不然",
  "with the retransmissions it counts: tail-loss probe not modelled yet; not in issue 15, needs an issue of its own":
    "随它所计的重传一起消除：尾部丢包探测尚未建模；不在议题 15 中，需要单独立一个议题",
  "how many segments the client retransmitted while the windows were full (TcpRetransSegs)":
    "窗口满着的时候客户端重传了多少个报文段（TcpRetransSegs）",
  "as the segment entry of these scenarios says: Linux's 1448-byte segments, receive-window growth and probe schedule, which the simulator does not model, decide what is sent again":
    "如这些场景的报文段条目所说：决定哪些内容被重发的，是 Linux 的 1448 字节报文段、接收窗口的增长和探测的时间表，而这些模拟器都没有建模",
  "simulator: receive-window sizing and growth, and delayed ACKs, not modelled yet; issue 15 item 2; the rest is timing":
    "模拟器：接收窗口的大小与增长，以及延迟确认，尚未建模；议题 15 第 2 项；其余是时间问题",
  "how many segments the server retransmitted while the windows were full (TcpRetransSegs)":
    "窗口满着的时候服务器重传了多少个报文段（TcpRetransSegs）",
  "as for the client":
    "与客户端相同",
  "host.crash() is not available on the kernel run: a power failure (sockets vanishing without a segment) has no kernel counterpart short of killing a machine (keep-alive-stale-pool.ts:32)":
    "内核运行中不能用 host.crash()：断电（套接字不发一个报文段就消失）在内核上没有对应的做法，除非真的弄死一台机器（keep-alive-stale-pool.ts:32）",
  "the rfc9293 profile (textbook TCP): no kernel to compare it with":
    "rfc9293 配置（教科书式的 TCP）：没有可以对照的内核",
  "Fault rule action 'duplicate' (duplication) is not available on the kernel run: the kernel run carries each segment once; duplicating segments needs netem, which this kernel does not have (assassination.ts:17:7)":
    "故障规则动作 'duplicate'（复制）在内核运行中不可用：内核运行把每个报文段只传一次；复制报文段需要 netem，而这个内核没有（assassination.ts:17:7）",
  "how the data is cut into segments and when it is acknowledged: both send 1448-byte segments (MSS 1460 less 12 bytes of timestamps option), but Linux sends them into a receive window that it sizes from the doubled SO_RCVBUF by the measured overhead of its segments (scaling_ratio) and grows, and probes a zero window on a schedule that depends on real time; the simulator sends into the window Linux first advertises (half the doubled buffer, cut to whole segments) and never grows it, so its ACKs (delayed as Linux delays them, ACK every second full segment) fall on other segments":
    "数据如何切成报文段、何时被确认：双方都发送 1448 字节的报文段（MSS 1460 减去 12 字节的时间戳选项），但 Linux 发送的接收窗口是按实测的报文段开销（scaling_ratio）从翻倍后的 SO_RCVBUF 算出来的，而且会增长，零窗口探测的节奏也取决于真实时间；模拟器则按 Linux 最初通告的窗口发送（翻倍缓冲区的一半，截成整数个报文段），并且从不增长，所以它的 ACK（和 Linux 一样延迟，每两个满报文段确认一次）落在别的报文段上",
  "the simulator doubles SO_RCVBUF as Linux does, leaves the timestamps option room in the MSS and sizes the first window with the initial scaling ratio, but models neither the measured scaling ratio nor receive-window growth (which decide where __tcp_ack_snd_check sends an ACK at once); and how many probes fit in the scenario's seconds is real timing":
    "模拟器像 Linux 一样把 SO_RCVBUF 翻倍，在 MSS 中为时间戳选项留出空间，并用初始缩放比例确定第一个窗口，但既不模拟实测的缩放比例，也不模拟接收窗口的增长（它们决定 __tcp_ack_snd_check 在哪里立即发 ACK）；场景的这几秒里能发出多少次探测，则是真实时间问题",
  "simulator: receive-window sizing by scaling_ratio and growth (tcp_rcv_space_adjust), not modelled yet; the probe count stays timing":
    "模拟器：按 scaling_ratio 确定接收窗口大小及其增长（tcp_rcv_space_adjust）尚未模拟；探测次数仍是时间问题",
  "as the segment entry of these scenarios says: Linux's receive-window sizing and growth and probe schedule, which the simulator does not model, decide what is sent again":
    "如这些场景的报文段条目所说：重发什么，取决于 Linux 接收窗口的大小、增长和探测节奏，而模拟器没有模拟这些",
};
