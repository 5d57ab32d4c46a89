import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './style.css';
import { checkToken, session, whenSessionEnds } from './api';
import { Applications, Flows, appTabNames, type AppTab } from './pages';
import { Editor } from './editor';
import { CallerBar } from './scope';
import { useHash, navigate } from './route';

/**
 * Takes a token from the address (#token=…), keeps it for this tab and
 * removes it from the address bar and the history before anything else
 * runs.
 */
function tokenFromAddress(): string | null {
  const m = /^#token=([^&]+)/.exec(location.hash);
  if (!m) return null;
  history.replaceState(null, '', location.pathname + location.search);
  return decodeURIComponent(m[1]);
}

/**
 * The first page after signing in: the applications, or for a token bound
 * to one application (which may not list applications), that application.
 */
export function home(): string {
  try {
    const claims = JSON.parse(atob((session.token() ?? '').split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    if (claims.ownerType === 'application' && /^[0-9a-f]{24}$/.test(claims.sub)) return `#/applications/${claims.sub}`;
  } catch {
    // not a JWT we can read: the applications page says what is wrong
  }
  return '#/';
}

function SignIn({ message, onSignedIn }: { message: string; onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState(message);
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await checkToken(token);
      session.signIn(token);
      onSignedIn();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin">
      <form onSubmit={submit} aria-label="Sign in">
        <h1>weir</h1>
        <p>Sign in with an API token: the owner token printed at first start, or one from <code>weir token create</code>.</p>
        {error && (
          <p className="error" role="alert" id="signin-error">
            {error}
          </p>
        )}
        <label>
          API token
          <textarea id="token" value={token} onChange={(e) => setToken(e.target.value)} rows={4} spellCheck={false} autoFocus />
        </label>
        <button type="submit" id="signin" disabled={busy || token.trim() === ''}>
          Sign in
        </button>
        <p className="hint">The token is kept in this tab only and forgotten when the tab closes.</p>
      </form>
    </main>
  );
}

function App({ initialMessage }: { initialMessage: string }) {
  const [signedIn, setSignedIn] = useState(() => session.token() !== null);
  const [message, setMessage] = useState(initialMessage);
  const route = useHash();
  useEffect(() => {
    whenSessionEnds((msg) => {
      session.signOut();
      setMessage(msg);
      setSignedIn(false);
    });
  }, []);
  if (!signedIn) {
    return (
      <SignIn
        message={message}
        onSignedIn={() => {
          setMessage('');
          setSignedIn(true);
          navigate(home());
        }}
      />
    );
  }
  const signOut = () => {
    session.signOut();
    setMessage('You signed out.');
    setSignedIn(false);
  };
  const parts = route.replace(/^#\/?/, '').split('/').filter(Boolean);
  let page: React.ReactNode;
  if (parts[0] === 'applications' && parts[1] && parts[2] === 'flows' && parts[3]) {
    page = <Editor key={parts[3]} appId={parts[1]} flowId={parts[3]} />;
    if (parts[4] === 'from' && parts[5]) page = <>{<CallerBar appId={parts[1]} from={parts[5]} />}{page}</>; // a custom node opened from a flow
  } else if (parts[0] === 'applications' && parts[1]) {
    const tab = (appTabNames.includes(parts[2]) ? parts[2] : 'flows') as AppTab;
    page = <Flows key={parts[1]} appId={parts[1]} tab={tab} item={tab === 'devices' || tab === 'tables' || tab === 'events' ? parts[3] : undefined} />;
  } else {
    page = <Applications />;
  }
  return (
    <div className="app">
      <header className="top">
        <a href="#/" className="brand">
          weir
        </a>
        <span className="spacer" />
        <button type="button" id="signout" onClick={signOut}>
          Sign out
        </button>
      </header>
      {page}
    </div>
  );
}

async function start() {
  const token = tokenFromAddress();
  let message = '';
  if (token !== null) {
    try {
      await checkToken(token);
      session.signIn(token);
      history.replaceState(null, '', location.pathname + location.search + home());
    } catch (err) {
      session.signOut();
      message = (err as Error).message;
    }
  }
  const root = createRoot(document.getElementById('root')!);
  root.render(
    <StrictMode>
      <App initialMessage={message} />
    </StrictMode>,
  );
}

start();
