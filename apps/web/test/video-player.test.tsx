// @vitest-environment jsdom
/**
 * The video keeps playing across artifact-token refreshes: a new address is loaded when the viewer pauses,
 * or at once when the old address fails (an expired token), resuming from the same time.
 */
import { cleanup, render } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VideoPlayer } from '../components/VideoPlayer';

interface MediaState {
  paused: boolean;
  currentSrc: string;
  time: number;
  loads: string[];
  plays: number;
}

let media: MediaState;

function player(src: string) {
  return (
    <VideoPlayer
      src={src}
      language="en"
      title="job"
      captionsShown={false}
      downloadName="job.mp4"
      crossOrigin={false}
    />
  );
}

function videoOf(container: HTMLElement): HTMLVideoElement {
  const video = container.querySelector('video');
  if (!video) throw new Error('no video element');
  // jsdom does not play media: the element reports what this test says.
  Object.defineProperty(video, 'paused', { configurable: true, get: () => media.paused });
  Object.defineProperty(video, 'currentSrc', { configurable: true, get: () => media.currentSrc });
  Object.defineProperty(video, 'currentTime', {
    configurable: true,
    get: () => media.time,
    set: (value: number) => {
      media.time = value;
    },
  });
  video.load = () => {
    const src = video.querySelector('source')?.getAttribute('src') ?? '';
    media.loads.push(src);
    media.currentSrc = new URL(src, document.baseURI).href;
    media.time = 0;
  };
  video.play = () => {
    media.plays += 1;
    media.paused = false;
    return Promise.resolve();
  };
  return video;
}

describe('VideoPlayer address swap', () => {
  beforeEach(() => {
    media = { paused: false, currentSrc: '', time: 0, loads: [], plays: 0 };
  });
  afterEach(() => {
    cleanup();
    vi.restoreAllMocks();
  });

  it('waits for a pause before loading a refreshed address, keeping the time', () => {
    const { container, rerender } = render(player('/media/a.mp4?token=1'));
    const video = videoOf(container);
    media.currentSrc = new URL('/media/a.mp4?token=1', document.baseURI).href;
    media.time = 42;
    rerender(player('/media/a.mp4?token=2'));
    expect(media.loads).toEqual([]);
    video.dispatchEvent(new Event('pause'));
    expect(media.loads).toEqual(['/media/a.mp4?token=2']);
    video.dispatchEvent(new Event('loadedmetadata'));
    expect(media.time).toBe(42);
    expect(media.plays).toBe(0);
  });

  it('reloads at once and plays on when the old address fails during playback', () => {
    const { container, rerender } = render(player('/media/a.mp4?token=1'));
    const video = videoOf(container);
    media.currentSrc = new URL('/media/a.mp4?token=1', document.baseURI).href;
    media.time = 125.5;
    rerender(player('/media/a.mp4?token=2'));
    video.dispatchEvent(new Event('error'));
    expect(media.loads).toEqual(['/media/a.mp4?token=2']);
    video.dispatchEvent(new Event('loadedmetadata'));
    expect(media.time).toBe(125.5);
    expect(media.plays).toBe(1);
    // Only one reload: the pause listener went with the swap.
    video.dispatchEvent(new Event('pause'));
    expect(media.loads).toHaveLength(1);
  });

  it('loads a refreshed address at once while paused', () => {
    const { container, rerender } = render(player('/media/a.mp4?token=1'));
    videoOf(container);
    media.paused = true;
    media.currentSrc = new URL('/media/a.mp4?token=1', document.baseURI).href;
    rerender(player('/media/a.mp4?token=2'));
    expect(media.loads).toEqual(['/media/a.mp4?token=2']);
  });
});
