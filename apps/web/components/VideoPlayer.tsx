'use client';
import { type RefObject, useEffect, useRef } from 'react';

/**
 * Points the video at a new address (a refreshed artifact token) without losing the viewer's place: the
 * element keeps the address it loaded until it is paused, then reloads from the new one at the same time.
 * When the old address fails first (its token expired under a long playback: a range request answered
 * 401), it reloads at once and plays on from where it was.
 */
function useSourceSwap(ref: RefObject<HTMLVideoElement | null>, src: string): void {
  useEffect(() => {
    const video = ref.current;
    if (!video || video.currentSrc === '' || video.currentSrc === new URL(src, document.baseURI).href) return;
    const swap = (resume: boolean) => {
      const time = video.currentTime;
      video.load();
      video.addEventListener(
        'loadedmetadata',
        () => {
          if (time > 0) video.currentTime = time;
          if (resume) video.play().catch(() => undefined);
        },
        { once: true },
      );
    };
    if (video.paused) {
      swap(false);
      return;
    }
    const onPause = () => {
      video.removeEventListener('error', onError);
      swap(false);
    };
    const onError = () => {
      video.removeEventListener('pause', onPause);
      swap(true);
    };
    video.addEventListener('pause', onPause, { once: true });
    video.addEventListener('error', onError, { once: true });
    return () => {
      video.removeEventListener('pause', onPause);
      video.removeEventListener('error', onError);
    };
  }, [ref, src]);
}

/** The finished video with its captions track (WebVTT), and links to download the video and the captions. */
export function VideoPlayer({
  src,
  captionsSrc,
  posterSrc,
  language,
  title,
  captionsShown,
  downloadName,
  crossOrigin,
}: {
  src: string;
  captionsSrc?: string;
  posterSrc?: string;
  language: string;
  title: string;
  /** Show the captions track at once (off when the captions are burned into the picture). */
  captionsShown: boolean;
  downloadName: string;
  crossOrigin: boolean;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  useSourceSwap(ref, src);
  return (
    <figure className="video">
      <video
        ref={ref}
        className="video__player"
        controls
        playsInline
        preload="metadata"
        poster={posterSrc}
        crossOrigin={crossOrigin ? 'anonymous' : undefined}
        aria-label={`Video: ${title}`}
      >
        <source src={src} type="video/mp4" />
        <track
          kind="captions"
          src={captionsSrc}
          srcLang={language}
          label="Captions"
          default={captionsShown}
        />
      </video>
      <figcaption className="video__actions">
        <a className="button button--primary" href={src} download={downloadName}>
          Download MP4
        </a>
        {captionsSrc ? (
          <a className="button" href={captionsSrc} download={downloadName.replace(/\.mp4$/, '.vtt')}>
            Captions (WebVTT)
          </a>
        ) : null}
      </figcaption>
    </figure>
  );
}
