/** The texts of --help and --version (the README's "Command line" section says the same). */
import { readFileSync } from 'node:fs';
import { DEFAULT_SERVER, DEFAULT_TIMEOUT_S } from './args.js';
import { trainOptionNames } from './train-options.js';

/** The CLI package's version (apps/cli/package.json). */
export function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
}

const EXIT_CODES = `Exit codes:
  0    success
  1    unexpected internal error
  2    usage error (bad or missing arguments, invalid configuration)
  3    input rejected (file missing/unreadable, wrong type or size, any other 4xx of the server)
  4    job failed (the message names the node, the error code and the reason)
  5    job cancelled (by someone else)
  6    server unreachable, 5xx or 429, or --timeout reached
  7    unauthorized (401: missing or wrong API key)
  130  interrupted (Ctrl-C / SIGTERM; the job is cancelled)`;

export const MAIN_HELP = `myspinbot - narrated talking-portrait videos from a photo and a prompt

Usage:
  myspinbot generate --image <photo> --prompt <text> [options] [-o out.mp4]
  myspinbot status <jobId> [--server <url>] [--json]
  myspinbot serve     all-in-one server (API + both executors, in-memory bus; same as npm start)
  myspinbot api       the control plane (HTTP API + control executor) on Redis
  myspinbot worker    one data-plane worker on Redis
  myspinbot --help | --version

Run 'myspinbot <command> --help' for a command's options.

${EXIT_CODES}`;

export const GENERATE_HELP = `Usage: myspinbot generate --image <photo> --prompt <text> [options]

Turns a portrait photo and a prompt into a narrated talking-portrait MP4. Without --server the engine runs
in this process (nothing else needed); with --server the job runs on that MySpinBot server.

Inputs:
  --image <file>          portrait (JPEG, PNG or WebP); required unless --pipeline names one that needs none
  --prompt <text>         what the portrait should say (or what the script should be about)
  --prompt-file <file>    the prompt from a file ('-' reads standard input)
  --voice <file.wav>      a voice sample to speak with (WAV, 1..180 s)
  --voice-text <text>     the transcript of --voice
  --pipeline <name>       a pipeline of the server's catalog (default: the catalog's default)
  --option key=value      job option, repeatable; keys: ${trainOptionNames().join(', ')}

Where and how:
  --server <url>          run the job on this server (e.g. http://127.0.0.1:3000) instead of in process
  --api-key <key>         API key for --server (default: the MYSPINBOT_API_KEY environment variable)
  -o, --output <file>     where to write the video (default: <jobId>.mp4); written atomically
  --timeout <s>           give up (and cancel the job) after this many seconds (default ${DEFAULT_TIMEOUT_S}; 0 = never)
  --json                  print one JSON line on stdout at the end (on failure too)
  -q, --quiet             no progress and no summary on stderr (errors still)
  -h, --help              this help

Output: the video's path on stdout (one JSON line with --json); progress on stderr (a bar on a terminal,
one line per step otherwise).

${EXIT_CODES}`;

export const STATUS_HELP = `Usage: myspinbot status <jobId> [--server <url>] [--api-key <key>] [--json]

Prints a job's state: status, progress and current step (the whole state as one JSON line with --json).
--server defaults to ${DEFAULT_SERVER}; --api-key to MYSPINBOT_API_KEY.

Exit codes: 0 queued, running or completed; 4 failed; 5 cancelled; 3 no such job (or another 4xx);
6 server unreachable, 5xx or 429; 7 unauthorized.`;

export const ROLE_HELP = `Usage: myspinbot serve|api|worker [--host <addr>] [--port <n>] [--config <file.json>]

  serve   the all-in-one process (API, control and data executors; in-memory bus unless REDIS_URL is set)
  api     the control plane: HTTP API, WebSocket and control executor, on the Redis bus
  worker  one data-plane worker (its /health and /metrics on port 3001 by default), on the Redis bus

Configuration as for npm start: config/default.json, then --config (or CONFIG_FILE), then the environment
variables (PORT, REDIS_URL, STORAGE_URL, DATABASE_URL, API_KEYS, ...; docs/operations.md), then --host and
--port. Stops gracefully on SIGINT/SIGTERM (a second signal exits at once).

Exit codes: 0 stopped gracefully; 78 invalid configuration; 1 failed to start; 130 second signal.`;
