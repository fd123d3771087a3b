// Prisma CLI configuration (Prisma 7 reads the datasource URL from here, not from schema.prisma).
// The CLI is used for `generate` only on this kind of machine; migrations go through scripts/migrate.ts.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: {
    // The Prisma CLI runs outside the app's config module.
    url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/course_supporter',
  },
});
