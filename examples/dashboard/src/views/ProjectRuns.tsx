/**
 * The runs table of a project: sortable by any config or summary column,
 * filtered by state, tags and a summary metric threshold, paged by cursor
 * (pages already read are kept in the cache; Previous sends no request).
 */
import { useMemo, useState } from 'react';
import { useQuery } from '@apollo/client/react';
import { ProjectRunsQuery } from '../operations';
import { href } from '../router';
import { formatValue, numericKeys, scalarKeys, asRecord } from '../format';
import type { RunState, RunWhere } from '../gql/graphql';

const PAGE_SIZE = 20;
const STATES = ['RUNNING', 'FINISHED', 'FAILED', 'CRASHED', 'KILLED', 'PENDING', 'PREEMPTED'];

interface Filters {
  state: string;
  tags: string;
  metric: string;
  op: 'gte' | 'lte';
  threshold: string;
}

/** The filters as the typed `where` of Query.runs; null when none is set. */
export function runWhere(f: Filters): RunWhere | null {
  const where: RunWhere = {};
  if (f.state) where.state = f.state as RunState;
  const tags = f.tags.split(',').map((t) => t.trim()).filter(Boolean);
  if (tags.length) where.tagsAny = tags;
  const threshold = Number(f.threshold);
  if (f.metric && f.threshold.trim() !== '' && Number.isFinite(threshold)) where.summary = [{ key: f.metric, [f.op]: threshold }];
  return Object.keys(where).length ? where : null;
}

type Column = { kind: 'config' | 'summary'; key: string };

function orderFor(column: Column, descending: boolean): string {
  const field = column.kind === 'config' ? `config.${column.key}.value` : `summary_metrics.${column.key}`;
  return `${descending ? '-' : '+'}${field}`;
}

export function ProjectRuns(props: { entity: string; project: string }) {
  const [filters, setFilters] = useState<Filters>({ state: '', tags: '', metric: '', op: 'gte', threshold: '' });
  const [order, setOrder] = useState('-created_at');
  const [page, setPage] = useState(0);
  const [selected, setSelected] = useState<string[]>([]);
  const [columns, setColumns] = useState<Column[] | null>(null);
  const where = useMemo(() => runWhere(filters), [filters]);
  const variables = { entity: props.entity, project: props.project, first: PAGE_SIZE, where, order };
  const { data, loading, error, fetchMore } = useQuery(ProjectRunsQuery, { variables, notifyOnNetworkStatusChange: true });
  const [fetching, setFetching] = useState(false);

  const connection = data?.runs;
  const edges = connection?.edges ?? [];
  const total = connection?.totalCount ?? 0;
  const rows = edges.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  const configKeys = useMemo(() => scalarKeys(edges.map((e) => e.node.config)), [edges]);
  const summaryKeys = useMemo(() => numericKeys(edges.map((e) => e.node.summary)), [edges]);
  const shown: Column[] = columns ?? [
    ...configKeys.slice(0, 4).map((key) => ({ kind: 'config' as const, key })),
    ...[...summaryKeys.filter((k) => k.startsWith('val/')), ...summaryKeys.filter((k) => !k.startsWith('val/'))].slice(0, 4).map((key) => ({ kind: 'summary' as const, key })),
  ];

  const change = (next: Partial<Filters>) => {
    setFilters((f) => ({ ...f, ...next }));
    setPage(0);
  };
  const sortBy = (field: string) => {
    setOrder((o) => (o === `-${field}` ? `+${field}` : `-${field}`));
    setPage(0);
  };
  const sortByColumn = (column: Column) => {
    setOrder((o) => orderFor(column, o !== orderFor(column, true)));
    setPage(0);
  };
  const arrow = (field: string) => (order === `-${field}` ? ' ▼' : order === `+${field}` ? ' ▲' : '');
  const next = async () => {
    if ((page + 1) * PAGE_SIZE < edges.length) return setPage(page + 1);
    if (!connection?.pageInfo.hasNextPage) return;
    setFetching(true);
    try {
      await fetchMore({ variables: { after: connection.pageInfo.endCursor } });
      setPage(page + 1);
    } finally {
      setFetching(false);
    }
  };
  const toggle = (runId: string) => setSelected((s) => (s.includes(runId) ? s.filter((r) => r !== runId) : [...s, runId]));
  const toggleColumn = (column: Column) =>
    setColumns(shown.some((c) => c.kind === column.kind && c.key === column.key) ? shown.filter((c) => !(c.kind === column.kind && c.key === column.key)) : [...shown, column]);
  const hasNext = (page + 1) * PAGE_SIZE < edges.length || Boolean(connection?.pageInfo.hasNextPage);

  return (
    <section>
      <h1>
        {props.entity}/{props.project}
      </h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          State{' '}
          <select data-testid="filter-state" value={filters.state} onChange={(e) => change({ state: e.target.value })}>
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tags{' '}
          <input data-testid="filter-tags" placeholder="baseline, prod-candidate" defaultValue="" onBlur={(e) => change({ tags: e.target.value })} onKeyDown={(e) => e.key === 'Enter' && change({ tags: e.currentTarget.value })} />
        </label>
        <label>
          Metric{' '}
          <select data-testid="filter-metric" value={filters.metric} onChange={(e) => change({ metric: e.target.value })}>
            <option value="">—</option>
            {summaryKeys.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
        <select data-testid="filter-op" value={filters.op} onChange={(e) => change({ op: e.target.value as Filters['op'] })}>
          <option value="gte">≥</option>
          <option value="lte">≤</option>
        </select>
        <input data-testid="filter-threshold" size={8} placeholder="0.8" defaultValue="" onBlur={(e) => change({ threshold: e.target.value })} onKeyDown={(e) => e.key === 'Enter' && change({ threshold: e.currentTarget.value })} />
        <details className="columns">
          <summary>Columns</summary>
          {configKeys.map((key) => (
            <label key={`c.${key}`}>
              <input type="checkbox" checked={shown.some((c) => c.kind === 'config' && c.key === key)} onChange={() => toggleColumn({ kind: 'config', key })} /> config.{key}
            </label>
          ))}
          {summaryKeys.map((key) => (
            <label key={`s.${key}`}>
              <input type="checkbox" checked={shown.some((c) => c.kind === 'summary' && c.key === key)} onChange={() => toggleColumn({ kind: 'summary', key })} /> {key}
            </label>
          ))}
        </details>
        <a
          className={`button${selected.length < 1 ? ' disabled' : ''}`}
          data-testid="compare"
          href={href({ view: 'compare', entity: props.entity, project: props.project, runIds: selected, key: null })}
        >
          Compare {selected.length} selected
        </a>
      </form>
      {error && <p className="error">{error.message}</p>}
      <p className="count" data-testid="runs-count">
        {loading && !data ? 'Loading…' : total === 0 ? 'No runs match.' : `Runs ${page * PAGE_SIZE + 1}–${page * PAGE_SIZE + rows.length} of ${total}`}
      </p>
      <div className="table-wrap">
        <table data-testid="runs-table">
          <thead>
            <tr>
              <th />
              <th className="sortable" onClick={() => sortBy('display_name')}>
                Name{arrow('display_name')}
              </th>
              <th>State</th>
              <th>Tags</th>
              <th className="sortable" onClick={() => sortBy('created_at')}>
                Created{arrow('created_at')}
              </th>
              {shown.map((c) => {
                const o = orderFor(c, true).slice(1);
                return (
                  <th key={`${c.kind}.${c.key}`} className={`sortable ${c.kind}`} data-testid={`col-${c.kind}-${c.key}`} onClick={() => sortByColumn(c)}>
                    {c.kind === 'config' ? `config.${c.key}` : c.key}
                    {arrow(o)}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {rows.map(({ node }) => (
              <tr key={node.path} data-testid="run-row" data-run-id={node.runId}>
                <td>
                  <input type="checkbox" aria-label={`select ${node.runId}`} checked={selected.includes(node.runId)} onChange={() => toggle(node.runId)} />
                </td>
                <td>
                  <a href={href({ view: 'run', path: node.path })}>{node.displayName ?? node.runId}</a>
                </td>
                <td>
                  <span className={`state ${node.state.toLowerCase()}`}>{node.state.toLowerCase()}</span>
                </td>
                <td>
                  {node.tags.map((t) => (
                    <span className="tag" key={t}>
                      {t}
                    </span>
                  ))}
                </td>
                <td>{new Date(node.createdAt).toLocaleString()}</td>
                {shown.map((c) => (
                  <td key={`${c.kind}.${c.key}`} className="num">
                    {formatValue(asRecord(c.kind === 'config' ? node.config : node.summary)[c.key])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="pager">
        <button data-testid="prev" disabled={page === 0} onClick={() => setPage(page - 1)}>
          ← Previous
        </button>
        <span>
          Page {page + 1} of {Math.max(1, Math.ceil(total / PAGE_SIZE))}
        </span>
        <button data-testid="next" disabled={!hasNext || fetching} onClick={next}>
          Next →
        </button>
      </div>
    </section>
  );
}
