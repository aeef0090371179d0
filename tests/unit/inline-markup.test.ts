import { describe, expect, it } from 'vitest';
import { inlineMarkup } from '../../src/components/lab/inline-markup.ts';

describe("a hint's inline markup", () => {
  it('shows **bold** as bold and `code` as code, in both languages', () => {
    expect(inlineMarkup('If a **GET** fails on a **reused** connection')).toBe('If a <strong>GET</strong> fails on a <strong>reused</strong> connection');
    expect(inlineMarkup('after the FIN it is no longer `ESTABLISHED`')).toBe('after the FIN it is no longer <code>ESTABLISHED</code>');
    expect(inlineMarkup('**GET** 请求在**复用**的连接上失败')).toBe('<strong>GET</strong> 请求在<strong>复用</strong>的连接上失败');
  });

  it('keeps asterisks inside code and lone asterisks as they are', () => {
    expect(inlineMarkup('`a ** b` and 2 * 3')).toBe('<code>a ** b</code> and 2 * 3');
    expect(inlineMarkup('** not bold **')).toBe('** not bold **');
  });

  it('lets no markup through but its own', () => {
    expect(inlineMarkup('<img src=x onerror=alert(1)> **<b>x</b>** `<script>`')).toBe(
      '&lt;img src=x onerror=alert(1)&gt; <strong>&lt;b&gt;x&lt;/b&gt;</strong> <code>&lt;script&gt;</code>',
    );
    expect(inlineMarkup('"quoted" & \'single\'')).toBe('&quot;quoted&quot; &amp; &#39;single&#39;');
  });
});
