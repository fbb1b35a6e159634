import { useCallback, useMemo, useState } from 'preact/hooks';
import { createApi, isUnauthorized } from './api.js';
import { Dashboard, type DashboardContext } from './context.js';
import { DeliveriesPage } from './pages/deliveries.js';
import { DeliveryPage } from './pages/delivery.js';
import { EndpointPage } from './pages/endpoint.js';
import { EndpointFormPage } from './pages/endpoint-form.js';
import { EndpointsPage } from './pages/endpoints.js';
import { SignIn } from './pages/sign-in.js';
import { href, type Route, useRoute } from './router.js';
import {
  type Credential,
  clearCredential,
  loadCredential,
  saveCredential,
  takeTokenFromUrl,
} from './session.js';

export function App() {
  const [credential, setCredential] = useState<Credential | null>(
    () => takeTokenFromUrl() ?? loadCredential(),
  );
  const [notice, setNotice] = useState<string | null>(null);
  const signOut = useCallback((why: string | null) => {
    clearCredential();
    setCredential(null);
    setNotice(why);
  }, []);
  if (!credential) {
    return (
      <SignIn
        notice={notice}
        onSignIn={(c) => {
          saveCredential(c);
          setNotice(null);
          setCredential(c);
        }}
      />
    );
  }
  return <Shell credential={credential} signOut={signOut} />;
}

function Shell({ credential, signOut }: { credential: Credential; signOut: (why: string | null) => void }) {
  const route = useRoute();
  const api = useMemo(() => createApi(credential.token), [credential.token]);
  const [flashSecret, setFlashSecret] = useState<DashboardContext['flashSecret']>(null);
  const onError = useCallback(
    (err: unknown) => {
      if (isUnauthorized(err)) {
        signOut(
          credential.kind === 'portal'
            ? 'This dashboard link has expired or is no longer valid. Ask for a new link.'
            : 'The API key was rejected (revoked or expired). Sign in again.',
        );
      }
    },
    [signOut, credential.kind],
  );
  const ctx = useMemo(() => ({ api, onError, flashSecret, setFlashSecret }), [api, onError, flashSecret]);
  const section = route.name.startsWith('deliver') ? 'deliveries' : 'endpoints';
  return (
    <Dashboard.Provider value={ctx}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <span class="brand">Webhooks</span>
        <nav aria-label="Main">
          <a href={href.endpoints()} aria-current={section === 'endpoints' ? 'page' : undefined}>
            Endpoints
          </a>
          <a href={href.deliveries()} aria-current={section === 'deliveries' ? 'page' : undefined}>
            Deliveries
          </a>
        </nav>
        <button type="button" class="secondary" onClick={() => signOut(null)}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </Dashboard.Provider>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'endpoint-new':
      return <EndpointFormPage />;
    case 'endpoint-edit':
      return <EndpointFormPage id={route.id} key={route.id} />;
    case 'endpoint':
      return <EndpointPage id={route.id} key={route.id} />;
    case 'deliveries':
      return <DeliveriesPage query={route.query} />;
    case 'delivery':
      return <DeliveryPage id={route.id} key={route.id} />;
    default:
      return <EndpointsPage />;
  }
}
