import { parseArgs } from 'node:util';
import { z } from 'zod';
import { REPORT_GROUPINGS, openReadOnlyDatabase, sessionDurationReport } from '@attune/db';
import { type CsvCell, toCsv } from '../analytics/csv.ts';
import { reportJson } from '../analytics/report-json.ts';
import { REPORT_COLUMNS, reportRows } from '../analytics/report-table.ts';
import { instantSchema, resolvePeriod } from '../sessions/period.ts';

export const ANALYTICS_USAGE = `Usage: pnpm analytics [options]

Session durations from the Attune database (read-only), as a table, CSV or JSON.

  --from <date>        start of the period, inclusive: YYYY-MM-DD or ISO date-time (default: 30 days before --to)
  --to <date>          end of the period, exclusive (default: now)
  --group-by <g>       day | user | room (default: day)
  --user <id>          only this user id
  --room <name>        only this room
  --format <f>         table | csv | json (default: table)
  --db <path>          the SQLite file (default: $DATABASE_PATH or ./data/attune.db)
  -h, --help           this text
`;

const optionsSchema = z.strictObject({
  from: instantSchema.optional(),
  to: instantSchema.optional(),
  'group-by': z.enum(REPORT_GROUPINGS).default('day'),
  user: z.string().min(1).max(64).optional(),
  room: z.string().min(1).max(128).optional(),
  format: z.enum(['table', 'csv', 'json']).default('table'),
  db: z.string().min(1).optional(),
  help: z.boolean().optional(),
});

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  now: () => number;
}

/** Columns padded to their widest cell; numbers right-aligned. */
function table(header: readonly string[], rows: CsvCell[][]): string {
  const text = [
    header.map(String),
    ...rows.map((row) => row.map((cell) => (cell === null ? '–' : String(cell)))),
  ];
  const widths = header.map((_, i) => Math.max(...text.map((row) => row[i]!.length)));
  const numeric = header.map((_, i) =>
    rows.every((row) => row[i] === null || typeof row[i] === 'number'),
  );
  return text
    .map((row) =>
      row
        .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

/** `pnpm analytics`: returns the exit code. */
export function runAnalyticsCli(argv: string[], io: CliIo): number {
  let options: z.infer<typeof optionsSchema>;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        'group-by': { type: 'string' },
        user: { type: 'string' },
        room: { type: 'string' },
        format: { type: 'string' },
        db: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    const parsed = optionsSchema.safeParse(values);
    if (!parsed.success) {
      throw new Error(
        parsed.error.issues
          .map((issue) => `--${issue.path.join('.')}: ${issue.message}`)
          .join('\n'),
      );
    }
    options = parsed.data;
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${ANALYTICS_USAGE}`);
    return 2;
  }
  if (options.help) {
    io.stdout(ANALYTICS_USAGE);
    return 0;
  }

  const period = (() => {
    try {
      return resolvePeriod(options.from, options.to, io.now());
    } catch (error) {
      io.stderr(`${(error as Error).message}\n`);
      return null;
    }
  })();
  if (!period) return 2;

  const path = options.db ?? io.env.DATABASE_PATH ?? './data/attune.db';
  let database;
  try {
    database = openReadOnlyDatabase(path);
  } catch (error) {
    io.stderr(
      `cannot open the database at ${path}: ${(error as Error).message}. Pass --db or set DATABASE_PATH.\n`,
    );
    return 1;
  }
  try {
    const groupBy = options['group-by'];
    // Throws here, not at open, when the file is not an Attune database (or not SQLite at all).
    const report = sessionDurationReport(
      database.db,
      { ...period, userId: options.user, roomName: options.room },
      groupBy,
    );
    if (options.format === 'json')
      io.stdout(`${JSON.stringify(reportJson(report, period, groupBy), null, 2)}\n`);
    else if (options.format === 'csv') io.stdout(toCsv(REPORT_COLUMNS, reportRows(report)));
    else {
      io.stdout(
        `Sessions ${new Date(period.fromMs).toISOString()} → ${new Date(period.toMs).toISOString()}, by ${groupBy} (durations in seconds)\n\n`,
      );
      io.stdout(table(REPORT_COLUMNS, reportRows(report)));
    }
    return 0;
  } catch (error) {
    io.stderr(
      `cannot read sessions from ${path}: ${(error as Error).message}. Is it the Attune database?\n`,
    );
    return 1;
  } finally {
    database.close();
  }
}
