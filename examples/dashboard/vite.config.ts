/**
 * Vite config. The built app is served by `npm start` under /dashboard/ of
 * the subgraph (same origin as /graphql), so assets use relative URLs.
 * `npm run dev -w wandb-runs-dashboard` serves it with hot reload and proxies
 * /graphql (HTTP and WebSocket) to SUBGRAPH_URL (default the demo's 4001).
 */
import { defineConfig } from 'vite';

const subgraph = process.env.SUBGRAPH_URL ?? 'http://127.0.0.1:4001';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  server: { proxy: { '/graphql': { target: subgraph, ws: true } } },
});
