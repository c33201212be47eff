/** A preference as GET /me/preferences lists it. */
export interface Preference {
  key: string;
  value: string;
  updated_at: string;
}

/** By key, as the service lists them, so a saved or added one lands where a reload would put it. */
export function sortPreferences(list: readonly Preference[]): Preference[] {
  return [...list].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The list with `saved` in it: replacing the one of the same (normalised) key, else added. */
export function upsertPreference(list: readonly Preference[], saved: Preference): Preference[] {
  return sortPreferences([...list.filter((p) => p.key !== saved.key), saved]);
}
