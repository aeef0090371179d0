#!/usr/bin/env node
// Records that the Simplified Chinese edition follows the English text as it is now.
// docs/translations.json holds, for each English lesson and lab file, the SHA-256 of
// the text its index.zh-cn.mdx / lab.zh-cn.mdx was last brought up to date with;
// tests/unit/zh-cn-completeness.test.ts fails when an English file no longer matches,
// so a change to a lesson cannot land without its translation.
//
//   node scripts/translations-synced.mjs content/time-wait/index.mdx   # after updating that translation
//   node scripts/translations-synced.mjs --all                          # every pair (first set-up only)
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ledgerFile = path.join(root, 'docs', 'translations.json');

export const sha256 = (file) => createHash('sha256').update(readFileSync(path.join(root, file))).digest('hex');

/** Every English file that has a translation beside it, as project-relative paths. */
export function translatedPairs() {
  const out = [];
  for (const [dir, en, zh] of [['content', 'index.mdx', 'index.zh-cn.mdx'], ['labs', 'lab.mdx', 'lab.zh-cn.mdx']]) {
    for (const d of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      if (d.isDirectory() && existsSync(path.join(root, dir, d.name, en)) && existsSync(path.join(root, dir, d.name, zh)))
        out.push(`${dir}/${d.name}/${en}`);
    }
  }
  return out.sort();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  if (args.length === 0) {
    console.error('usage: node scripts/translations-synced.mjs <content/x/index.mdx | labs/x/lab.mdx> ... | --all');
    process.exit(2);
  }
  const ledger = existsSync(ledgerFile) ? JSON.parse(readFileSync(ledgerFile, 'utf8')) : {};
  const files = args.includes('--all') ? translatedPairs() : args.map((a) => path.relative(root, path.resolve(a)));
  for (const f of files) {
    if (!translatedPairs().includes(f)) {
      console.error(`${f}: not an English lesson or lab file with a zh-CN translation beside it`);
      process.exit(2);
    }
    ledger[f] = sha256(f);
    console.log(`${f}: translation recorded as up to date`);
  }
  const sorted = Object.fromEntries(Object.keys(ledger).sort().map((k) => [k, ledger[k]]));
  writeFileSync(ledgerFile, JSON.stringify(sorted, null, 2) + '\n');
}
