/**
 * A run: its config and summary, history charts of chosen keys (exact rows
 * from the `history` connection, further pages fetched when the chart
 * needs them), system metrics, files, artifacts, notes and tags. While the
 * run is live, `runUpdated` keeps its state current and new rows are read
 * after the last cursor the chart has; a live run longer than one page is
 * charted by the tail each event carries.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { HistoryMoreQuery, RunPageQuery, RunUpdatedSubscription, UpdateRunMutation } from '../operations';
import type { ArtifactRowFragment } from '../gql/graphql';
import { Chart, type Series } from '../components/Chart';
import { asRecord, formatBytes, formatValue, numericKeys } from '../format';
import { href } from '../router';

const PAGE = 1000;
/** Rows a live chart shows of a run longer than one page: its latest. */
const TAIL = 1000;
const LIVE_STATES = new Set(['RUNNING', 'PENDING', 'PREEMPTING']);

export function RunPage(props: { path: string }) {
  const { data, loading, error, fetchMore } = useQuery(RunPageQuery, { variables: { path: props.path, historyFirst: PAGE } });
  const run = data?.run;
  const live = run ? LIVE_STATES.has(run.state) : false;
  const pageInfo = run?.history.pageInfo;
  // A live run longer than one page is charted by its tail, which each subscription event carries.
  const tailing = live && Boolean(pageInfo?.hasNextPage);
  // Updates are written into the cached run (same path); the page re-renders from the cache.
  const { data: update } = useSubscription(RunUpdatedSubscription, { variables: { path: props.path, withTail: tailing, tail: TAIL }, skip: !live });
  const [fetching, setFetching] = useState(false);
  const [chosen, setChosen] = useState<string[] | null>(null);

  const lastStep = update?.runUpdated.lastStep ?? run?.lastStep ?? null;
  const edges = tailing ? update?.runUpdated.tail?.edges : run?.history.edges;
  const rows = useMemo(() => (edges ?? []).map((e) => e.node), [edges]);
  const loadedTo = rows.length ? rows[rows.length - 1].step : -1;

  const loadMore = async () => {
    if (fetching || !pageInfo?.endCursor) return;
    setFetching(true);
    try {
      // HistoryMore returns the same run (same path) and its history with the same
      // key arguments, so relayStylePagination appends these rows to the list above.
      await fetchMore({ query: HistoryMoreQuery, variables: { path: props.path, historyFirst: PAGE, after: pageInfo.endCursor } });
    } finally {
      setFetching(false);
    }
  };
  const loadMoreRef = useRef(loadMore);
  loadMoreRef.current = loadMore;

  // Live: when the run reports a step the chart does not have yet, read the rows after the last cursor.
  useEffect(() => {
    if (!live || lastStep == null || pageInfo?.hasNextPage) return;
    if (lastStep > loadedTo) void loadMoreRef.current();
  }, [live, lastStep, loadedTo, pageInfo?.hasNextPage]);

  if (error) return <p className="error">{error.message}</p>;
  if (loading && !run) return <p>Loading…</p>;
  if (!run) return <p className="error">No run at {props.path}.</p>;

  const [entity, project] = run.path.split('/');
  const historyKeys = run.historyKeys.filter((k) => !k.key.startsWith('_') && k.types.includes('number')).map((k) => k.key);
  const keys = chosen ?? historyKeys.slice(0, 4);
  const seriesFor = (key: string): Series[] => {
    const x: number[] = [];
    const y: number[] = [];
    for (const row of rows) {
      const v = asRecord(row.values)[key];
      if (typeof v === 'number') {
        x.push(row.step);
        y.push(v);
      }
    }
    return [{ label: key, x, y }];
  };
  const onRange = (_min: number, max: number) => {
    // The user zoomed or panned to the end of what is loaded: read the next page.
    if (!tailing && pageInfo?.hasNextPage && max >= loadedTo) void loadMore();
  };
  const systemRows = run.systemHistory.map(asRecord);
  const systemKeys = numericKeys(systemRows).filter((k) => k !== '_runtime' && k !== '_timestamp');
  const systemSeries: Series[] = systemKeys.map((key) => {
    const points = systemRows.filter((r) => typeof r[key] === 'number' && typeof r._runtime === 'number');
    return { label: key, x: points.map((r) => r._runtime as number), y: points.map((r) => r[key] as number) };
  });

  return (
    <section>
      <p className="crumbs">
        <a href={href({ view: 'runs', entity, project })}>
          {entity}/{project}
        </a>{' '}
        / {run.runId}
      </p>
      <h1>
        {run.displayName ?? run.runId}{' '}
        <span className={`state ${run.state.toLowerCase()}`} data-testid="run-state">
          {run.state.toLowerCase()}
        </span>
        {live && <span className="live" data-testid="live-badge">● live</span>}
      </h1>
      <p className="meta">
        {run.path} · created {new Date(run.createdAt).toLocaleString()}
        {run.username && ` · by ${run.username}`}
        {run.group && ` · group ${run.group}`}
        {run.jobType && ` · ${run.jobType}`}
        {' · '}last step <span data-testid="last-step">{lastStep ?? '—'}</span>
        {' · '}
        <a href={run.url} target="_blank" rel="noreferrer">
          open in W&amp;B
        </a>
      </p>

      <EditNotesTags path={run.path} notes={run.notes ?? ''} tags={run.tags} />

      <h2>History</h2>
      <div className="keys">
        {historyKeys.map((key) => (
          <label key={key}>
            <input type="checkbox" checked={keys.includes(key)} onChange={() => setChosen(keys.includes(key) ? keys.filter((k) => k !== key) : [...keys, key])} /> {key}
          </label>
        ))}
      </div>
      <p className="count" data-testid="history-loaded">
        {tailing ? `latest ${rows.length} rows` : `${rows.length} rows loaded`} (steps {rows.length ? `${rows[0].step}–${loadedTo}` : '—'} of {lastStep ?? '—'})
        {!tailing && pageInfo?.hasNextPage && (
          <button data-testid="load-more" disabled={fetching} onClick={() => void loadMore()}>
            {fetching ? 'Loading…' : `Load next ${PAGE} rows`}
          </button>
        )}
      </p>
      <div className="charts">
        {keys.map((key) => (
          <Chart key={key} title={key} series={seriesFor(key)} testId={`history-chart-${key}`} onRange={onRange} />
        ))}
      </div>

      <h2>System metrics</h2>
      {systemSeries.length ? <Chart title="system (sampled)" xLabel="runtime (s)" series={systemSeries} testId="system-chart" /> : <p>No system metrics.</p>}
      <KeyValues object={run.systemMetrics} testId="system-metrics" />

      <div className="two">
        <div>
          <h2>Config</h2>
          <KeyValues object={run.config} testId="config" />
        </div>
        <div>
          <h2>Summary</h2>
          <KeyValues object={run.summary} testId="summary" />
        </div>
      </div>

      <h2>Files ({run.files.totalCount})</h2>
      <table data-testid="files">
        <tbody>
          {run.files.edges.map(({ node }) => (
            <tr key={node.id}>
              <td>{node.url ? <a href={node.url} download={node.name.split('/').pop()}>{node.name}</a> : node.name}</td>
              <td className="num">{formatBytes(node.sizeBytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <div className="two">
        <div>
          <h2>Logged artifacts ({run.loggedArtifacts.totalCount})</h2>
          <Artifacts list={run.loggedArtifacts.edges.map((e) => e.node)} testId="logged-artifacts" />
        </div>
        <div>
          <h2>Used artifacts ({run.usedArtifacts.totalCount})</h2>
          <Artifacts list={run.usedArtifacts.edges.map((e) => e.node)} testId="used-artifacts" />
        </div>
      </div>
    </section>
  );
}

function KeyValues(props: { object: unknown; testId: string }) {
  const entries = Object.entries(asRecord(props.object)).filter(([k]) => !k.startsWith('_'));
  if (!entries.length) return <p className="muted">none</p>;
  return (
    <table className="kv" data-testid={props.testId}>
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td>{formatValue(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Artifacts(props: { list: ArtifactRowFragment[]; testId: string }) {
  if (!props.list.length) return <p className="muted">none</p>;
  return (
    <table data-testid={props.testId}>
      <tbody>
        {props.list.map((a) => (
          <tr key={a.id}>
            <td>{a.qualifiedName}</td>
            <td>{a.type}</td>
            <td>{a.aliases.join(', ')}</td>
            <td className="num">{formatBytes(a.sizeBytes)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function EditNotesTags(props: { path: string; notes: string; tags: string[] }) {
  const [notes, setNotes] = useState(props.notes);
  const [tags, setTags] = useState(props.tags.join(', '));
  const [save, { loading, error, data }] = useMutation(UpdateRunMutation);
  // Follow the cached run when it changes elsewhere (another tab's edit arrives with a refetch).
  useEffect(() => setNotes(props.notes), [props.notes]);
  useEffect(() => setTags(props.tags.join(', ')), [props.tags]);
  const submit = () =>
    save({
      variables: {
        path: props.path,
        notes,
        tags: tags.split(',').map((t) => t.trim()).filter(Boolean),
      },
    }).catch(() => undefined);
  return (
    <form className="edit" onSubmit={(e) => (e.preventDefault(), void submit())}>
      <label>
        Notes
        <textarea data-testid="notes" value={notes} rows={2} onChange={(e) => setNotes(e.target.value)} />
      </label>
      <label>
        Tags
        <input data-testid="tags" value={tags} onChange={(e) => setTags(e.target.value)} />
      </label>
      <button data-testid="save" disabled={loading}>
        {loading ? 'Saving…' : 'Save'}
      </button>
      {error && <span className="error">{error.message}</span>}
      {data && !loading && !error && <span data-testid="saved">Saved</span>}
      <span className="tags-now" data-testid="tags-now">
        {props.tags.map((t) => (
          <span className="tag" key={t}>
            {t}
          </span>
        ))}
      </span>
    </form>
  );
}
