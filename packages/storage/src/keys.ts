/**
 * Artifact keys: `jobs/<jobId>/<nodeId>/<name>`, built only from validated ids, so a key is safe as a
 * relative file path and as an S3 object key. The patterns are those of
 * packages/contracts/schemas/common.schema.json (JobId, NodeId) and artifact.schema.json (name), with
 * two more rules that keep a key from naming a parent or the same folder: a node id is never `.` or `..`,
 * and a name never contains `..`.
 */
import { MySpinBotError } from '@myspinbot/contracts';

export const JOB_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const NODE_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
export const ARTIFACT_NAME_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

/** The root segment every key and prefix starts with. */
export const KEYS_ROOT = 'jobs/';

/** The three parts of a valid key. */
export interface ArtifactKeyParts {
  jobId: string;
  nodeId: string;
  name: string;
}

/** What a valid prefix scopes: every job, one job, or one node of one job. */
export interface ArtifactPrefixParts {
  jobId?: string;
  nodeId?: string;
}

/** Quotes a rejected value for an error message, cut short so a huge input cannot flood a log. */
function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : `a ${typeof value}`;
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function invalid(what: string, value: unknown, reason: string): MySpinBotError {
  return new MySpinBotError('ARTIFACT_KEY_INVALID', `invalid artifact ${what} ${shown(value)}: ${reason}`, {
    details: { [what]: typeof value === 'string' ? value.slice(0, 400) : typeof value, reason },
  });
}

export function isJobId(value: unknown): value is string {
  return typeof value === 'string' && JOB_ID_PATTERN.test(value);
}

export function isNodeId(value: unknown): value is string {
  return typeof value === 'string' && NODE_ID_PATTERN.test(value) && value !== '.' && value !== '..';
}

export function isArtifactName(value: unknown): value is string {
  return typeof value === 'string' && ARTIFACT_NAME_PATTERN.test(value) && !value.includes('..');
}

function checkJobId(jobId: unknown, what: string, value: unknown): string {
  if (!isJobId(jobId)) throw invalid(what, value, 'the job id must be 1-64 of A-Z a-z 0-9 _ -');
  return jobId;
}

function checkNodeId(nodeId: unknown, what: string, value: unknown): string {
  if (!isNodeId(nodeId))
    throw invalid(what, value, "the node id must be 1-64 of A-Z a-z 0-9 _ . - and not '.' or '..'");
  return nodeId;
}

function checkName(name: unknown, what: string, value: unknown): string {
  if (!isArtifactName(name))
    throw invalid(
      what,
      value,
      "the name must be 1-128 of A-Z a-z 0-9 _ . -, must not start with '.' and must not contain '..'",
    );
  return name;
}

/** The key of an artifact; throws ARTIFACT_KEY_INVALID when an id or the name breaks the rules. */
export function artifactKey(jobId: string, nodeId: string, name: string): string {
  const key = `${KEYS_ROOT}${String(jobId)}/${String(nodeId)}/${String(name)}`;
  checkJobId(jobId, 'key', key);
  checkNodeId(nodeId, 'key', key);
  checkName(name, 'key', key);
  return key;
}

/**
 * The parts of a key; throws ARTIFACT_KEY_INVALID for anything that is not exactly
 * `jobs/<jobId>/<nodeId>/<name>` (absolute paths, backslashes, NUL, empty or dot segments, traversal).
 */
export function parseArtifactKey(key: unknown): ArtifactKeyParts {
  if (typeof key !== 'string') throw invalid('key', key, 'a key is a string');
  if (!key.startsWith(KEYS_ROOT)) throw invalid('key', key, "a key starts with 'jobs/'");
  const segments = key.slice(KEYS_ROOT.length).split('/');
  if (segments.length !== 3) throw invalid('key', key, 'a key is jobs/<jobId>/<nodeId>/<name>');
  const [jobId, nodeId, name] = segments;
  return {
    jobId: checkJobId(jobId, 'key', key),
    nodeId: checkNodeId(nodeId, 'key', key),
    name: checkName(name, 'key', key),
  };
}

/** True when parseArtifactKey accepts the value. */
export function isArtifactKey(key: unknown): key is string {
  try {
    parseArtifactKey(key);
    return true;
  } catch {
    return false;
  }
}

/** The prefix of every artifact of one job (for list and deletePrefix). */
export function jobPrefix(jobId: string): string {
  const prefix = `${KEYS_ROOT}${String(jobId)}/`;
  checkJobId(jobId, 'prefix', prefix);
  return prefix;
}

/** The prefix of every artifact one node of one job wrote. */
export function nodePrefix(jobId: string, nodeId: string): string {
  const prefix = `${KEYS_ROOT}${String(jobId)}/${String(nodeId)}/`;
  checkJobId(jobId, 'prefix', prefix);
  checkNodeId(nodeId, 'prefix', prefix);
  return prefix;
}

/**
 * The parts of a listing prefix; throws ARTIFACT_KEY_INVALID unless it is exactly 'jobs/',
 * 'jobs/<jobId>/' or 'jobs/<jobId>/<nodeId>/'.
 */
export function parseArtifactPrefix(prefix: unknown): ArtifactPrefixParts {
  if (typeof prefix !== 'string') throw invalid('prefix', prefix, 'a prefix is a string');
  if (!prefix.startsWith(KEYS_ROOT) || !prefix.endsWith('/'))
    throw invalid('prefix', prefix, "a prefix starts with 'jobs/' and ends with '/'");
  const inner = prefix.slice(KEYS_ROOT.length, -1);
  if (inner === '' && prefix === KEYS_ROOT) return {};
  const segments = inner.split('/');
  if (segments.length > 2)
    throw invalid('prefix', prefix, "a prefix is 'jobs/', 'jobs/<jobId>/' or 'jobs/<jobId>/<nodeId>/'");
  const [jobId, nodeId] = segments;
  const parts: ArtifactPrefixParts = { jobId: checkJobId(jobId, 'prefix', prefix) };
  if (segments.length === 2) parts.nodeId = checkNodeId(nodeId, 'prefix', prefix);
  return parts;
}
