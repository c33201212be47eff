// `pnpm start` runs this first: builds the web client when its sources changed since the last build.
import { DEFAULT_OUT_DIR, buildWebClientIfNeeded } from './build-web-client.ts';

try {
  const outcome = await buildWebClientIfNeeded();
  if (outcome === 'up-to-date') console.log(`web client: ${DEFAULT_OUT_DIR} is up to date`);
} catch (error) {
  console.error(`web client: the build failed: ${(error as Error).message}`);
  process.exit(1);
}
