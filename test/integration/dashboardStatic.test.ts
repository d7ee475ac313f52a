/**
 * The subgraph serving a built dashboard under /dashboard/ (the demo's),
 * over real HTTP: its files with their types and caching, nothing outside
 * its directory, and only when configured.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { startStack, type Stack } from '../helpers/stack.js';

/** A raw GET (fetch would normalise the path before sending it). */
function rawGet(url: string, path: string, method = 'GET'): Promise<{ status: number; type: string | undefined; cache: string | undefined; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], cache: res.headers['cache-control'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard files', () => {
  let stack: Stack;
  let plain: Stack;
  let dir: string;

  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'dashboard-'));
    dir = join(root, 'dist');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>runs</title>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(root, 'secret.txt'), 'not served');
    stack = await startStack({ subgraph: { dashboardDir: dir } });
    plain = await startStack();
  }, 60_000);
  afterAll(async () => {
    await stack.close();
    await plain.close();
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('serves index.html and hashed assets with their types and caching', async () => {
    const index = await rawGet(stack.subgraph.url, '/dashboard/');
    expect(index).toMatchObject({ status: 200, type: 'text/html; charset=utf-8', cache: 'no-cache' });
    expect(index.body).toContain('<title>runs</title>');
    const asset = await rawGet(stack.subgraph.url, '/dashboard/assets/index-abc123.js');
    expect(asset).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8', cache: 'public, max-age=31536000, immutable', body: 'console.log(1)' });
    expect((await rawGet(stack.subgraph.url, '/dashboard')).status).toBe(301);
    expect(await rawGet(stack.subgraph.url, '/dashboard/', 'HEAD')).toMatchObject({ status: 200, body: '' });
  });

  it('serves nothing outside its directory, and refuses other methods', async () => {
    for (const path of ['/dashboard/../secret.txt', '/dashboard/%2e%2e/secret.txt', '/dashboard/..%2fsecret.txt', '/dashboard/%00', '/dashboard/%E0%A4%A', '/dashboard/nope.js', '/dashboard/assets']) {
      const res = await rawGet(stack.subgraph.url, path);
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('not served');
    }
    expect((await rawGet(stack.subgraph.url, '/dashboard/', 'POST')).status).toBe(405);
    // GraphQL is untouched.
    const gql = await fetch(stack.subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(gql.status).toBe(200);
  });

  it('is not served unless configured', async () => {
    expect((await rawGet(plain.subgraph.url, '/dashboard/')).status).toBe(404);
  });
});
