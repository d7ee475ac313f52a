/** The dashboard's entry: the Apollo client and the hash router. */
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ApolloProvider } from '@apollo/client/react';
import { createApolloClient } from './apollo';
import { DEFAULT_PROJECT, href, useRoute } from './router';
import { ProjectRuns } from './views/ProjectRuns';
import { RunPage } from './views/RunPage';
import { Compare } from './views/Compare';
import './styles.css';

function ProjectPicker(props: { entity: string; project: string }) {
  const [value, setValue] = useState(`${props.entity}/${props.project}`);
  return (
    <form
      className="picker"
      onSubmit={(e) => {
        e.preventDefault();
        const [entity, project] = value.split('/').map((s) => s.trim());
        if (entity && project) window.location.hash = href({ view: 'runs', entity, project });
      }}
    >
      <input aria-label="entity/project" value={value} onChange={(e) => setValue(e.target.value)} size={32} />
      <button>Open</button>
    </form>
  );
}

function App() {
  const route = useRoute();
  const current = route.view === 'run' ? { entity: route.path.split('/')[0], project: route.path.split('/')[1] } : route.view === 'runs' || route.view === 'compare' ? route : DEFAULT_PROJECT;
  return (
    <>
      <header>
        <a className="brand" href={href({ view: 'runs', ...current })}>
          W&amp;B runs
        </a>
        <ProjectPicker key={`${current.entity}/${current.project}`} entity={current.entity} project={current.project} />
      </header>
      <main>
        {route.view === 'runs' && <ProjectRuns key={`${route.entity}/${route.project}`} entity={route.entity} project={route.project} />}
        {route.view === 'run' && <RunPage key={route.path} path={route.path} />}
        {route.view === 'compare' && <Compare entity={route.entity} project={route.project} runIds={route.runIds} metric={route.key} />}
      </main>
    </>
  );
}

const client = createApolloClient();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApolloProvider client={client}>
      <App />
    </ApolloProvider>
  </StrictMode>,
);
