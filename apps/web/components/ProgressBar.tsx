/** A progress bar with the ARIA progressbar role; `value` is a fraction 0..1. */
export function ProgressBar({
  value,
  label,
  size = 'regular',
  tone = 'active',
}: {
  value: number;
  label: string;
  size?: 'regular' | 'small';
  tone?: 'active' | 'done' | 'failed' | 'idle';
}) {
  const percent = Math.round(Math.min(1, Math.max(0, value)) * 100);
  return (
    <div
      className={`progress progress--${size} progress--${tone}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={`${percent}%`}
    >
      <div className="progress__fill" style={{ width: `${percent}%` }} />
    </div>
  );
}
