import { render } from 'preact';
import { createAuthApi } from './api/auth-api.ts';
import { App } from './app/app.tsx';
import { HistoryRouter } from './app/history-router.ts';
import { BrowserSession, browserSessionEnvironment } from './session/browser-session.ts';
import './styles/account.css';
import './styles/admin.css';
import './styles/app.css';
import './styles/tokens.css';

const api = createAuthApi('', (input, init) => fetch(input, init), { refreshCookie: true });
const session = new BrowserSession(api, browserSessionEnvironment());
const router = new HistoryRouter(window);

// The shell shows a quiet loading state until the refresh cookie has been tried.
void session.restore();
render(<App session={session} router={router} />, document.getElementById('app')!);
