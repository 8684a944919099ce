/** Building multipart bodies and reading test data for HTTP tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './processes.js';

/** ../shared/testdata from the repository root (read in place, never copied). */
export const TESTDATA = join(ROOT, '..', 'shared', 'testdata');

export function testdata(name: string): Buffer {
  return readFileSync(join(TESTDATA, name));
}

export type FormValue = string | { filename: string; contentType: string; data: Buffer };

/** A multipart/form-data body for fetch or Fastify inject. */
export function multipart(fields: Record<string, FormValue>): { body: Buffer; contentType: string } {
  const boundary = `----myspinbot${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\n`));
    if (typeof value === 'string') {
      parts.push(Buffer.from(`Content-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
    } else {
      parts.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${name}"; filename="${value.filename}"\r\nContent-Type: ${value.contentType}\r\n\r\n`,
        ),
        value.data,
        Buffer.from('\r\n'),
      );
    }
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
