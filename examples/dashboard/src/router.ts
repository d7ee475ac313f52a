/**
 * Hash routes, so the app works from any base path with no server rewrites:
 *   #/p/<entity>/<project>                 runs table
 *   #/r/<entity>/<project>/<runId>         run page
 *   #/compare/<entity>/<project>?runs=a,b  compare sampled histories
 */
import { useEffect, useState } from 'react';

export type Route =
  | { view: 'runs'; entity: string; project: string }
  | { view: 'run'; path: string }
  | { view: 'compare'; entity: string; project: string; runIds: string[]; key: string | null };

export const DEFAULT_PROJECT = { entity: 'acme-ml', project: 'image-classification' };

export function parseRoute(hash: string): Route {
  const [pathPart, queryPart = ''] = hash.replace(/^#\/?/, '').split('?');
  const parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(queryPart);
  if (parts[0] === 'r' && parts.length === 4) return { view: 'run', path: parts.slice(1).join('/') };
  if (parts[0] === 'compare' && parts.length === 3) {
    const runIds = (query.get('runs') ?? '').split(',').filter(Boolean).slice(0, 20);
    return { view: 'compare', entity: parts[1], project: parts[2], runIds, key: query.get('key') };
  }
  if (parts[0] === 'p' && parts.length === 3) return { view: 'runs', entity: parts[1], project: parts[2] };
  return { view: 'runs', ...DEFAULT_PROJECT };
}

export function href(route: Route): string {
  const e = encodeURIComponent;
  switch (route.view) {
    case 'runs':
      return `#/p/${e(route.entity)}/${e(route.project)}`;
    case 'run':
      return `#/r/${route.path.split('/').map(e).join('/')}`;
    case 'compare': {
      const query = new URLSearchParams({ runs: route.runIds.join(',') });
      if (route.key) query.set('key', route.key);
      return `#/compare/${e(route.entity)}/${e(route.project)}?${query}`;
    }
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
