// The Simplified Chinese text of what the conformance page lists from
// src/kernel/simplifications.ts: the simulator's simplifications, what is never
// compared, and the playgrounds that do not agree yet. Keyed like the English, so
// tests/unit/conformance-page-text.test.ts fails when an entry has no Chinese.
import { NOT_COMPARED, PROGRAMS_NOT_YET, SIMPLIFICATIONS, type SimplificationId } from '../../kernel/simplifications.ts';
import type { Locale } from '../../i18n/index.ts';

export const SIMPLIFICATIONS_ZH: Record<SimplificationId, string> = {
  'delayed-ack':
    '两边都像 Linux 那样延迟确认（应用及时关闭时，FIN 的 ACK 搭在它自己的 FIN 上：F. / F. / .），但内核运行用的是真实时间：程序在读和写之间停顿一下，或者碰上一次定时器滴答，都可能让 ACK 在一边单独发出、在另一边搭上下一个报文段，所以单独的 ACK 个数可能不同',
  nagle:
    '两边都会在有小报文段未被确认时压住新的小块 send（Nagle 算法），但在内核运行中，ACK 是否赶在下一次 send 之前回来取决于真实时间，所以同样的字节可能分在不同的报文段里',
  'ephemeral-ports':
    '两边都像 __inet_hash_connect 那样挑选临时端口（以目的地址做带密钥的哈希，先试偶数端口，再按随机步长前进），但密钥不同，所以端口号不同：端口只按“临时端口”比较，不比较具体数值；随之不同的还有新连接会在它的四元组上遇到并接管哪个先前的 TIME_WAIT，所以每次运行中被提前接管的 TIME_WAIT 会出现在不同的套接字上',
};

/** NOT_COMPARED, item by item. */
export const NOT_COMPARED_ZH: readonly string[] = [
  '时间（内核运行用的是真实时间，只比较先后顺序）',
  '初始序列号（序列号和确认号都按相对于它的值比较）',
  '窗口和 TCP 选项（模拟器通告 65535 的窗口，没有窗口缩放、SACK 和 MSS 选项）',
  '程序输出（其中打印了端口和时间）',
  '内核运行结束之后发生的事（那些 TIME_WAIT 定时器属于内核，不会等它们到期）',
];

export const PROGRAMS_NOT_YET_ZH: Record<string, { why: string; needs: string }> = {
  'so-linger/linger-blocking': {
    why: '在网络分区期间，Linux 会在第一次 RTO 重传（FP. 1:11）之前先发一个尾部丢包探测（再发一次 FIN，F. 11），它的服务器还会把 SYN-ACK 重发两次；模拟器没有尾部丢包探测，所以少一个 FIN，也少一个 SYN-ACK',
    needs: '在模拟器的重传定时器里实现尾部丢包探测（RFC 8985，tcp_schedule_loss_probe）；SYN-ACK 的重发还要看一看内核运行：程序要求 100 ms 的链路时延，而内核运行里没有设置（没有 netem）',
  },
  'so-linger/linger-abort': {
    why: '数据部分现在一致：两边都把 6000 字节切成 724 字节的报文段（服务器通告过的最大窗口的一半，tcp_bound_to_half_wnd），按由翻倍后的 SO_RCVBUF 算出的窗口发出其中 1448 字节，服务器读到 1448 字节。不同的是结尾：在模拟器中，服务器的延迟 ACK 在中止前 10 ms 发出，经过 10 ms 的链路，恰好在客户端 close() 之后到达，客户端再回一个 RST（R 1449）；在内核运行中它先到达。此外 Linux 会给第二个报文段打上 PSH（forced_push：自上次推送以来写入的数据超过对端最大窗口的一半）',
    needs: '看一看内核运行中这个 ACK 与中止的先后（在模拟器的虚拟时间里两者同一时刻），并在模拟器的发送路径中按 forced_push 设置 PSH',
  },
  'dead-peers/user-timeout': {
    why: '客户端断开期间，Linux 在第一次 RTO 重传之前会先发一个尾部丢包探测（再发一次应答，P. 1:20，约在应答后 230 ms），再从那里开始退避；模拟器没有尾部丢包探测，所以在前 4 s 里它把应答重传三次，而 Linux 发了四次。10 s 后的 ETIMEDOUT 在比较的时间之外',
    needs: '在模拟器的重传定时器里实现尾部丢包探测（RFC 8985，tcp_schedule_loss_probe），与 linger-blocking 相同',
  },
  'diagnosing/diagnosing-timers': {
    why: '客户端发往分区另一侧的请求，在 Linux 上先由尾部丢包探测重传（约在请求后 225 ms，再从那里按 RTO 退避）；模拟器没有尾部丢包探测，所以前 4 s 里少一个 P. 1:9',
    needs: '在模拟器的重传定时器里实现尾部丢包探测（RFC 8985，tcp_schedule_loss_probe），与 linger-blocking 和 user-timeout 相同',
  },
  'http-keep-alive/keep-alive-lingering-close': {
    why: '有两处不同（报文段大小一致：两边都携带 1448 字节，即扣除时间戳选项后的 MSS）。（1）recv() 返回读者运行时已排队的数据：内核运行的读者晚几毫秒醒来，一次拿到 14480 或 15928 字节，而模拟器的读者在虚拟时间里每到一个报文段就醒来，拿到 1448 字节；这是时序问题，但会让调用列表对不上。（2）在内核上，plain 的 close() 落在哪里是真实时序：有一次运行在 close() 遇到未读的请求体之前已经发出整个 20 KB 页面和它的 FIN（FP. 18825:20072），客户端看到 CLOSE_WAIT 和 14 个 RST；另一次只发出了 14480 字节（R. 14481），与模拟器 close() 时发出的相同，模拟器回应 21 个 RST，没有 FIN',
    needs: '在读者不是重点的地方，按连接而不是按每次 recv() 调用比较字节数；再看一看 Linux 上 20 KB 的阻塞 send() 何时返回（握手后 tcp_sndbuf_expand 会扩大发送缓冲区），与模拟器对照，这决定了 close() 时页面是否已经发出',
  },
  'nat-and-load-balancers/shared-source': {
    why: '它现在可以在内核上运行（命名空间不再被防忙等的检查计时），调用和网关上的 TIME_WAIT 都一致；不同的是每条客户端到网关的连接如何结束。网关发出响应后立即关闭，客户端读到响应后也关闭，链路时延只有 1 ms：在模拟器中两个 FIN 交叉而过（两端都是 CLOSING，然后 TIME_WAIT）；在 Linux 上客户端先看到网关的 FIN（CLOSE_WAIT、LAST_ACK），而内核运行中每次调用都要花几毫秒真实时间，比链路还长，所以有时反而是网关先看到客户端的 FIN',
    needs: '在模拟器中检查同一时刻的顺序：同时到达的数据和 FIN 应当都先被处理（就像 Linux 的软中断那样），然后被唤醒的读者才运行并关闭，这样客户端会像 Linux 一样进入 CLOSE_WAIT；内核运行那一侧的竞争则需要调用远快于 1 ms 的链路，或者在练习程序里把客户端链路设得更长',
  },
};

/** The text of a simplification in `locale` (English when it has no translation yet). */
export function simplificationText(id: string, locale: Locale): string {
  const en = (SIMPLIFICATIONS as Record<string, { text: string }>)[id]?.text ?? id;
  return locale === 'zh-cn' ? ((SIMPLIFICATIONS_ZH as Record<string, string>)[id] ?? en) : en;
}

export function notComparedText(locale: Locale): readonly string[] {
  return locale === 'zh-cn' ? NOT_COMPARED.map((t, i) => NOT_COMPARED_ZH[i] ?? t) : NOT_COMPARED;
}

export function programNotYet(id: string, locale: Locale): { why: string; needs: string } {
  const en = PROGRAMS_NOT_YET[id]!;
  return locale === 'zh-cn' ? (PROGRAMS_NOT_YET_ZH[id] ?? en) : en;
}
