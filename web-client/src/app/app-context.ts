import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { BrowserSession, SessionState } from '../session/browser-session.ts';
import type { AppLocation, HistoryRouter } from './history-router.ts';

export interface AppServices {
  session: BrowserSession;
  router: HistoryRouter;
}

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error('useApp() outside <AppContext.Provider>');
  return services;
}

/** The current location; re-renders on every navigation. */
export function useLocation(): AppLocation {
  const { router } = useApp();
  const [location, setLocation] = useState(router.location);
  useEffect(() => {
    setLocation(router.location);
    return router.subscribe(setLocation);
  }, [router]);
  return location;
}

/** The session's state; re-renders on sign-in, sign-out and user changes. */
export function useSessionState(): SessionState {
  const { session } = useApp();
  const [state, setState] = useState(session.state);
  useEffect(() => {
    setState(session.state);
    return session.subscribe(setState);
  }, [session]);
  return state;
}

/** `navigate(to)` for buttons that move elsewhere (links need nothing: the router catches them). */
export function useNavigate(): (to: string, options?: { replace?: boolean }) => void {
  const { router } = useApp();
  return (to, options) => router.navigate(to, options);
}
