/** METRICS_PORT: /metrics on a listener of its own, and no longer on the port that serves callers. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, subgraphClient, type Stack } from '../helpers/stack.js';

describe('metrics on their own port', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ subgraph: { metricsPort: 0 } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('serves /metrics on the metrics port and counts requests made on the main port', async () => {
    const metricsUrl = new URL(stack.subgraph.metricsUrl);
    expect(metricsUrl.pathname).toBe('/metrics');
    expect(Number(metricsUrl.port)).not.toBe(stack.subgraph.port);
    const answer = await subgraphClient(stack)('{ run(path: "acme-ml/image-classification/nonexistent") { id } }');
    expect(answer.status).toBe(200);
    const res = await fetch(metricsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toMatch(/^graphql_requests_total\{[^}]*operation_type="query"[^}]*\} [1-9]/m);
  });

  it('does not serve /metrics on the main port, nor anything else on the metrics port', async () => {
    const main = await fetch(new URL('/metrics', stack.subgraph.url));
    expect(main.status).toBe(404);
    expect((await fetch(new URL('/graphql', stack.subgraph.metricsUrl))).status).toBe(404);
    expect((await fetch(stack.subgraph.metricsUrl, { method: 'POST', body: '{}' })).status).toBe(405);
    // Probes stay on the main port.
    expect((await fetch(new URL('/health', stack.subgraph.url))).status).toBe(200);
  });

  it('without metricsPort, /metrics is on the main port', async () => {
    const plain = await startStack();
    try {
      expect(plain.subgraph.metricsUrl).toBe(new URL('/metrics', plain.subgraph.url).href);
      expect((await fetch(plain.subgraph.metricsUrl)).status).toBe(200);
    } finally {
      await plain.close();
    }
  });

  it('closes the metrics listener on shutdown', async () => {
    const other = await startStack({ subgraph: { metricsPort: 0 } });
    const url = other.subgraph.metricsUrl;
    expect((await fetch(url)).status).toBe(200);
    await other.close();
    await expect(fetch(url)).rejects.toThrow();
  });
});
