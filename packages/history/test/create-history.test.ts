import { isAbsolute, resolve } from 'node:path';
import { MySpinBotError } from '@myspinbot/contracts';
import { describe, expect, it } from 'vitest';
import { createJobHistory } from '../src/create-history.js';
import { PostgresJobHistory } from '../src/postgres/postgres-history.js';
import { redactUrl } from '../src/redact.js';
import { SqliteJobHistory } from '../src/sqlite/sqlite-history.js';

function configError(url: string): MySpinBotError {
  try {
    createJobHistory(url);
  } catch (error) {
    if (error instanceof MySpinBotError) return error;
    throw error;
  }
  throw new Error(`${url} was accepted`);
}

describe('createJobHistory', () => {
  it('opens SQLite for sqlite:<relative path> (against the working directory) and sqlite:/absolute', async () => {
    const relative = createJobHistory('sqlite:./data/history.sqlite');
    expect(relative).toBeInstanceOf(SqliteJobHistory);
    expect(relative.kind).toBe('sqlite');
    expect(relative instanceof SqliteJobHistory && relative.file).toBe(resolve('data', 'history.sqlite'));
    const absolute = createJobHistory('sqlite:/var/lib/myspinbot/history.sqlite');
    expect(absolute instanceof SqliteJobHistory && absolute.file).toBe('/var/lib/myspinbot/history.sqlite');
    expect(absolute instanceof SqliteJobHistory && isAbsolute(absolute.file)).toBe(true);
    // Nothing is opened until init(): closing an unused store touches no file.
    await relative.close();
    await absolute.close();
  });

  it('opens PostgreSQL for postgres:// and postgresql://', async () => {
    for (const url of ['postgres://postgres@127.0.0.1:5432/db', 'postgresql://u:p@db.example:6543/history']) {
      const store = createJobHistory(url, { poolSize: 3 });
      expect(store).toBeInstanceOf(PostgresJobHistory);
      expect(store.kind).toBe('postgres');
      await store.close();
    }
  });

  it('refuses anything else with CONFIG_INVALID naming the value, password masked', () => {
    for (const url of [
      '',
      'history.sqlite',
      'sqlite:',
      'sqlite://host/file',
      'redis://127.0.0.1:6379',
      'file:/x',
    ]) {
      const error = configError(url);
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.message).toContain(`'${url}'`);
    }
    const secret = configError('mysql://admin:hunter2@db.example/history');
    expect(secret.code).toBe('CONFIG_INVALID');
    expect(secret.message).toContain('mysql://admin:***@db.example/history');
    expect(secret.message).not.toContain('hunter2');
    expect(JSON.stringify(secret.details)).not.toContain('hunter2');
    expect(redactUrl('postgres://u:p%40ss@h/db')).toBe('postgres://u:***@h/db');
    expect(redactUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
  });
});
