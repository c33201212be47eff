/** The History page's data: sessions from /me/sessions, transcripts from /me/history. */

export type SessionStatus = 'issued' | 'active' | 'ended' | 'expired';

export interface SessionItem {
  id: string;
  user_id: string;
  room_name: string;
  status: SessionStatus;
  issued_at: string;
  session_start: string | null;
  session_end: string | null;
  duration_seconds: number | null;
  end_reason: string | null;
}

export interface SessionPage {
  sessions: SessionItem[];
  next_cursor: string | null;
}

export interface Turn {
  role: 'user' | 'assistant';
  text: string;
  created_at: string;
}

export interface HistoryGroup {
  session_id: string | null;
  started_at: string;
  turns: Turn[];
}

export interface HistoryPage {
  history: HistoryGroup[];
  next_cursor: string | null;
}

/** A session someone actually joined (as opposed to a token minted at sign-in and never used). */
export function wasJoined(session: SessionItem): boolean {
  return session.status === 'active' || session.status === 'ended';
}

/** The status as the list shows it, beside or instead of the duration. */
export function statusLabel(status: SessionStatus): string {
  switch (status) {
    case 'active':
      return 'In progress';
    case 'ended':
      return 'Ended';
    case 'issued':
      return 'Not joined yet';
    case 'expired':
      return 'Never joined';
  }
}

/** When the session happened: its start, or when its token was minted if it never started. */
export function sessionTime(session: SessionItem): string {
  return session.session_start ?? session.issued_at;
}

/**
 * Transcripts by session id, filled a page of /me/history at a time. History and sessions are both
 * newest first, so the transcript of a listed session is usually on the first page or two; `find`
 * loads pages until it turns up or there are no more.
 */
export class TranscriptIndex {
  readonly #bySession = new Map<string, Turn[]>();
  #cursor: string | null | undefined = undefined;
  #loading: Promise<void> | undefined;

  constructor(private readonly loadPage: (cursor: string | undefined) => Promise<HistoryPage>) {}

  /** Whether every page has been read. */
  get complete(): boolean {
    return this.#cursor === null;
  }

  /** The transcript if it is loaded already (undefined: not known yet). */
  peek(sessionId: string): Turn[] | undefined {
    const turns = this.#bySession.get(sessionId);
    if (turns) return turns;
    return this.complete ? [] : undefined;
  }

  /** The session's turns (empty when nothing was said in it). */
  async find(sessionId: string): Promise<Turn[]> {
    while (!this.#bySession.has(sessionId) && !this.complete) await this.#next();
    return this.#bySession.get(sessionId) ?? [];
  }

  /** Forgets everything (after the history was deleted). */
  reset(): void {
    this.#bySession.clear();
    this.#cursor = undefined;
    this.#loading = undefined;
  }

  #next(): Promise<void> {
    this.#loading ??= this.loadPage(this.#cursor ?? undefined)
      .then((page) => {
        for (const group of page.history) {
          if (group.session_id === null) continue;
          const known = this.#bySession.get(group.session_id) ?? [];
          this.#bySession.set(group.session_id, [...known, ...group.turns]);
        }
        this.#cursor = page.next_cursor;
      })
      .finally(() => {
        this.#loading = undefined;
      });
    return this.#loading;
  }
}
