/** Entry of `pnpm analytics` (see ANALYTICS_USAGE). */
import { runAnalyticsCli } from './analytics-cli.ts';

process.exitCode = runAnalyticsCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  now: Date.now,
});
