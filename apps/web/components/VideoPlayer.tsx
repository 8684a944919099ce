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
  return (
    <figure className="video">
      <video
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
