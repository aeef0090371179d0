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
  'fin-ack-in-fin-wait-1':
    '一个同时确认了我方 FIN 的 FIN，会让模拟器从 FIN_WAIT_1 直接进入 TIME_WAIT；Linux 会在途中经过 FIN_WAIT_2（tcp_rcv_state_process 在 tcp_fin() 运行之前就设置了它），RFC 9293 的说法也一样。有了延迟确认，这正是常见的三报文段关闭；内核运行在两次调用之间更慢，常常改为单独发出 ACK',
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
    why: 'Linux 把 6000 字节切成 724 字节的报文段（最多为服务器通告过的最大窗口的一半，tcp_bound_to_half_wnd），并按它测得的开销（scaling_ratio）由翻倍后的 SO_RCVBUF 算出窗口，放进去 2172 字节；模拟器则按恰好为设置值 2000 的窗口发出 1460 和 540 字节，所以一次 recv() 在 Linux 上返回 1448 字节，在模拟器中返回 2000 字节。此外 Linux 还会对服务器的最后一个报文段再回一个 RST',
    needs: '在模拟器的发送路径中，让报文段不超过对端最大窗口的一半，以及扣除时间戳选项后的 MSS（1448 字节）；按测得的缩放比例计算接收窗口；然后再看第二个 RST',
  },
  'dead-peers/user-timeout': {
    why: '随课程一起加入；它与内核运行的第一次比较显示出尚未分析的差异',
    needs: '阅读比较结果（对这一课的程序运行 closing-time compare），逐条修正或列出每个差异',
  },
  'dead-peers/orphan-zero-window': {
    why: '随课程一起加入；它与内核运行的第一次比较显示出尚未分析的差异',
    needs: '阅读比较结果（对这一课的程序运行 closing-time compare），逐条修正或列出每个差异',
  },
  'diagnosing/diagnosing-pileup': {
    why: '随课程一起加入；它与内核运行的第一次比较显示出尚未分析的差异',
    needs: '阅读比较结果（对这一课的程序运行 closing-time compare），逐条修正或列出每个差异',
  },
  'diagnosing/diagnosing-timers': {
    why: '随课程一起加入；它与内核运行的第一次比较显示出尚未分析的差异',
    needs: '阅读比较结果（对这一课的程序运行 closing-time compare），逐条修正或列出每个差异',
  },
  'http-keep-alive/keep-alive-who-closes': {
    why: '随课程一起加入；它与内核运行的第一次比较显示出尚未分析的差异',
    needs: '阅读比较结果（对这一课的程序运行 closing-time compare），逐条修正或列出每个差异',
  },
  'http-keep-alive/keep-alive-lingering-close': {
    why: '随课程一起加入；它与内核运行的第一次比较显示出尚未分析的差异',
    needs: '阅读比较结果（对这一课的程序运行 closing-time compare），逐条修正或列出每个差异',
  },
  'nat-and-load-balancers/shared-source': {
    why: '内核运行在 sim.host() 里同步创建每台主机的网络命名空间，而防忙等的检查把这段时间算在程序头上：在繁忙的机器上四台主机就超过了它的 2 s，于是运行在默认导出函数里就被停止，一个报文段也没发出',
    needs: '在内核运行中，先建好命名空间再开始计程序的时间（或者在 sim.host() 创建命名空间时暂停这项检查）',
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
