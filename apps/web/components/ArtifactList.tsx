import type { ApiClient } from '../lib/api';
import { formatBytes } from '../lib/format';
import type { ArtifactLink, NodeState } from '../lib/types';
import { TextPreview } from './TextPreview';

function kind(artifact: ArtifactLink): string {
  const type = artifact.contentType.split(';')[0] ?? artifact.contentType;
  if (type === 'video/mp4') return 'MP4 video';
  if (type === 'text/vtt') return 'WebVTT captions';
  if (type.startsWith('audio/')) return 'Audio';
  if (type.startsWith('image/')) return 'Image';
  if (type === 'application/json') return 'JSON';
  if (type.startsWith('text/')) return 'Text';
  return type;
}

const isText = (a: ArtifactLink) =>
  a.size <= 256 * 1024 &&
  (a.contentType.startsWith('text/plain') || a.contentType.startsWith('application/json'));

/** Every file of a job (uploads, intermediate results, the video), by step, to open or download. */
export function ArtifactList({
  api,
  artifacts,
  nodes,
  token = null,
}: {
  api: ApiClient;
  artifacts: readonly ArtifactLink[];
  nodes: readonly NodeState[];
  /** The job's artifact token, for the links (when a key is in use). */
  token?: string | null;
}) {
  if (artifacts.length === 0) return null;
  const stepName = (nodeId: string) =>
    nodeId === 'input' ? 'Upload' : (nodes.find((n) => n.id === nodeId)?.name ?? nodeId);
  return (
    <ul className="artifacts">
      {artifacts.map((artifact) => {
        const href = api.artifactUrl(artifact, token);
        return (
          <li key={artifact.key} className="artifact">
            <div className="artifact__head">
              <a className="artifact__name" href={href} download={artifact.name}>
                {artifact.name}
              </a>
              <span className="artifact__meta">
                {stepName(artifact.nodeId)} · {kind(artifact)} · {formatBytes(artifact.size)}
              </span>
            </div>
            {isText(artifact) ? <TextPreview api={api} artifact={artifact} label="Show the text" /> : null}
          </li>
        );
      })}
    </ul>
  );
}
