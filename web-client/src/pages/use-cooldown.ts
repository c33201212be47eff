import { useEffect, useState } from 'preact/hooks';

/** Seconds left of a rate-limit wait, counting down once a second (0 when free to try). */
export function useCooldown(): [number, (seconds: number | undefined) => void] {
  const [until, setUntil] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until <= now) return;
    const timer = window.setTimeout(() => setNow(Date.now()), 1000);
    return () => window.clearTimeout(timer);
  }, [until, now]);
  const left = Math.max(0, Math.ceil((until - now) / 1000));
  return [
    left,
    (seconds) => {
      const at = Date.now();
      setNow(at);
      setUntil(seconds ? at + seconds * 1000 : 0);
    },
  ];
}
