import { useEffect, useState } from 'preact/hooks';
import type { ApiUser } from '../api/auth-api.ts';
import type { BrowserSession } from '../session/browser-session.ts';
import { LoadFailed, LoadingBlock } from '../ui/feedback.tsx';

type TalkModule = typeof import('../talk/talk-page.tsx');

let loading: Promise<TalkModule> | undefined;

/**
 * The Talk page's code (livekit-client is most of the bundle) in its own chunk, so the sign-in
 * and other pages load without it; it is fetched the first time Talk opens.
 */
function loadTalkPage(): Promise<TalkModule> {
  loading ??= import('../talk/talk-page.tsx').catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

export function LazyTalkPage(props: { session: BrowserSession; user: ApiUser }) {
  const [module, setModule] = useState<TalkModule | undefined>();
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    loadTalkPage().then(
      (loaded) => live && setModule(loaded),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [attempt]);

  if (module) return <module.TalkPage session={props.session} user={props.user} />;
  return (
    <div class="page">
      <section class="card" aria-label="Talk">
        {failed ? (
          <LoadFailed
            message="The Talk page could not be loaded. Check your connection and try again."
            onRetry={() => {
              setFailed(false);
              setAttempt((n) => n + 1);
            }}
          />
        ) : (
          <LoadingBlock label="Getting the room ready…" />
        )}
      </section>
    </div>
  );
}
