/**
 * The API key the user entered, kept in this browser's local storage (per origin) so a reload does not
 * ask again. It goes in the x-api-key header and on /ws only, never into media or download URLs.
 */
const STORAGE_KEY = 'myspinbot.apiKey';

function storage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null; // storage disabled (privacy settings)
  }
}

export function readApiKey(): string | null {
  const value = storage()?.getItem(STORAGE_KEY) ?? null;
  return value ? value : null;
}

export function writeApiKey(key: string | null): void {
  const store = storage();
  if (!store) return;
  try {
    if (key) store.setItem(STORAGE_KEY, key);
    else store.removeItem(STORAGE_KEY);
  } catch {
    // Full or disabled: the key lasts for this page only.
  }
}
