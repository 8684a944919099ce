/** Database URLs go into messages and logs only with the password masked; anything else is shown as given. */
export function redactUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not a URL: it has no password component to mask; long values are cut.
    return value.length > 200 ? `${value.slice(0, 200)}...` : value;
  }
  if (url.password === '') return value;
  const masked = value.replace(`:${url.password}@`, ':***@');
  if (masked !== value) return masked;
  url.password = '***';
  return url.toString();
}
