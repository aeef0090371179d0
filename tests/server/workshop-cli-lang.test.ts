// `closing-time workshop create --lang zh-CN`: the links it prints open the Chinese edition.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cli } from '../cli/run-cli.ts';

const data = mkdtempSync(path.join(tmpdir(), 'ct-cli-lang-'));

beforeAll(() => buildCli(), 120_000);
afterAll(() => rmSync(data, { recursive: true, force: true }));

describe('closing-time workshop create', () => {
  it('prints the Chinese join and instructor links with --lang zh-CN, the English ones without', async () => {
    const zh = JSON.parse((await cli(['workshop', 'create', '周五 TCP 工作坊', '--data', data, '--url', 'http://10.0.0.5:4321/', '--lang', 'zh-CN', '--json'])).stdout);
    expect(zh.joinUrl).toBe(`http://10.0.0.5:4321/zh-cn/workshop/?code=${zh.code}`);
    expect(new URL(zh.instructorUrl).pathname).toBe('/zh-cn/workshop/instructor/');
    const en = JSON.parse((await cli(['workshop', 'create', 'Friday', '--data', data, '--url', 'http://10.0.0.5:4321/', '--json'])).stdout);
    expect(en.joinUrl).toBe(`http://10.0.0.5:4321/workshop/?code=${en.code}`);
    expect(new URL(en.instructorUrl).pathname).toBe('/workshop/instructor/');
  });

  it('refuses a language it does not have, saying which it has (exit 2)', async () => {
    const r = await cli(['workshop', 'create', 'X', '--data', data, '--lang', 'tlh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--lang is one of en, zh-CN/);
  });
});
