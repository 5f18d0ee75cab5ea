import { defineConfig } from 'prisma/config';

// Only `prisma generate` is used; the schema has no URL because the app connects through
// driver adapters (embedded PGlite by default, PostgreSQL when DATABASE_URL is set).
export default defineConfig({ schema: 'prisma/schema.prisma' });
