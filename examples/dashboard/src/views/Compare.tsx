/**
 * Compare runs: the sampled history of one key for every chosen run,
 * overlaid in one chart, read in one request (`runs` filtered to the runs'
 * ids, each with `sampledHistory`).
 */
import { useQuery } from '@apollo/client/react';
import { CompareRunsQuery } from '../operations';
import { Chart, type Series } from '../components/Chart';
import { asRecord } from '../format';
import { href } from '../router';

const SAMPLES = 500;

export function Compare(props: { entity: string; project: string; runIds: string[]; metric: string | null }) {
  const metric = props.metric ?? 'val/acc';
  const { data, loading, error } = useQuery(CompareRunsQuery, {
    variables: { entity: props.entity, project: props.project, runIds: props.runIds, first: props.runIds.length || 1, keys: [metric], samples: SAMPLES },
    skip: props.runIds.length === 0,
  });
  const runs = data?.runs.nodes ?? [];
  const series: Series[] = runs.map((run) => {
    const rows = run.sampledHistory.map(asRecord).filter((r) => typeof r._step === 'number' && typeof r[metric] === 'number');
    return { label: run.displayName ?? run.runId, x: rows.map((r) => r._step as number), y: rows.map((r) => r[metric] as number) };
  });
  const go = (key: string) => {
    window.location.hash = href({ view: 'compare', entity: props.entity, project: props.project, runIds: props.runIds, key });
  };

  return (
    <section>
      <p className="crumbs">
        <a href={href({ view: 'runs', entity: props.entity, project: props.project })}>
          {props.entity}/{props.project}
        </a>{' '}
        / compare
      </p>
      <h1>Compare {props.runIds.length} runs</h1>
      <form className="filters" onSubmit={(e) => (e.preventDefault(), go(String(new FormData(e.currentTarget).get('metric') ?? '')))}>
        <label>
          Metric <input name="metric" data-testid="compare-metric" defaultValue={metric} />
        </label>
        <button>Show</button>
      </form>
      {props.runIds.length === 0 && <p>Select runs in the table first.</p>}
      {error && <p className="error">{error.message}</p>}
      {loading && <p>Loading…</p>}
      {runs.length > 0 && <Chart title={`${metric} (sampled, ≤ ${SAMPLES} points per run)`} series={series} height={360} testId="compare-chart" />}
      <ul className="legend">
        {runs.map((run, i) => (
          <li key={run.path}>
            <a href={href({ view: 'run', path: run.path })}>{run.displayName ?? run.runId}</a> — {series[i].x.length} points, {run.state.toLowerCase()}
          </li>
        ))}
      </ul>
    </section>
  );
}
