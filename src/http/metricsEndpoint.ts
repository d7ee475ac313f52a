import type { ServerResponse } from 'node:http';
import type { Metrics } from '../observability/metrics.js';

/** GET /metrics: the registry in Prometheus' text format. */
export async function sendMetrics(res: ServerResponse, metrics: Metrics): Promise<void> {
  const text = await metrics.registry.metrics();
  res.writeHead(200, { 'content-type': metrics.registry.contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
