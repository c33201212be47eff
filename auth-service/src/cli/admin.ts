/** Entry of `pnpm admin` (see ADMIN_USAGE). */
import { text } from 'node:stream/consumers';
import { runAdminCli } from './admin-cli.ts';

process.exitCode = await runAdminCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(line),
  stderr: (line) => process.stderr.write(line),
  env: process.env,
  readStdin: () => text(process.stdin),
  now: Date.now,
});
