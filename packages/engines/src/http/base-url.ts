/** The base URL every HTTP engine adapter is configured with. */
import { MySpinBotError } from '@myspinbot/contracts';

/** The server root without trailing slashes; CONFIG_INVALID unless it is an http(s) URL. */
export function normaliseBaseUrl(baseUrl: string, engine: string): string {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch (error) {
    throw new MySpinBotError('CONFIG_INVALID', `${engine}: baseUrl "${baseUrl}" is not a URL`, {
      cause: error,
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new MySpinBotError('CONFIG_INVALID', `${engine}: baseUrl must be http(s), got "${baseUrl}"`);
  }
  return baseUrl.replace(/\/+$/, '');
}
