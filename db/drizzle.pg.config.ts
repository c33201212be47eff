import { defineConfig } from 'drizzle-kit';

/** PostgreSQL's migrations, generated from schema.pg.ts into their own folder. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema.pg.ts',
  out: './migrations-pg',
});
