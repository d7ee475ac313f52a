import { createServer, type Server } from 'node:http';
import type { Metrics } from '../observability/metrics.js';
import { sendJson } from './json.js';
import { listen, origin } from './listen.js';
import { sendMetrics } from './metricsEndpoint.js';

export interface MetricsServer {
  /** `http://host:port/metrics`. */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/**
 * A listener of its own for GET /metrics (METRICS_PORT), so that scraping
 * can be kept off the port that serves callers; anything else is 404.
 */
export async function startMetricsServer(metrics: Metrics, port: number, host: string): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') return sendJson(res, 404, { error: 'not found; this port serves /metrics only' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
    sendMetrics(res, metrics).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'metrics unavailable' });
      else res.destroy();
    });
  });
  const bound = await listen(server, port, host);
  return {
    url: `${origin(host, bound)}/metrics`,
    port: bound,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
