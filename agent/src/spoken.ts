/** Small formatters for text the assistant says out loud. */

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** "4 minutes and 12 seconds", "1 hour and 3 minutes", "less than a second". */
export function spokenDuration(ms: number): string {
  const totalSeconds = Math.floor(Math.max(0, ms) / 1000);
  if (totalSeconds === 0) return 'less than a second';
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const parts =
    hours > 0 ? [plural(hours, 'hour'), minutes > 0 ? plural(minutes, 'minute') : ''] : [];
  if (hours === 0 && minutes > 0)
    parts.push(plural(minutes, 'minute'), seconds > 0 ? plural(seconds, 'second') : '');
  if (hours === 0 && minutes === 0) parts.push(plural(seconds, 'second'));
  return parts.filter(Boolean).join(' and ');
}

const DAY = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** "3 March 2026" (UTC: the server does not know the listener's time zone). */
export function spokenDate(ms: number): string {
  return DAY.format(new Date(ms));
}

/** Cuts `text` to about `max` characters at a word boundary, with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > max / 2 ? cut.slice(0, lastSpace) : cut).replace(/[\s,.;:]+$/, '')}…`;
}
