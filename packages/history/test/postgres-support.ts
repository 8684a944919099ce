/**
 * Test databases: every PostgreSQL test gets its own database (hist_<random>), created on the server named
 * by DATABASE_TEST_URL and dropped afterwards, so runs sharing the server never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const DATABASE_TEST_URL =
  process.env.DATABASE_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(body: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: DATABASE_TEST_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `hist_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(DATABASE_TEST_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** Runs one query on a test database (for looking at the schema behind the store's back). */
export async function queryDatabase<R>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query(text, values);
    return result.rows as R[];
  } finally {
    await client.end();
  }
}
