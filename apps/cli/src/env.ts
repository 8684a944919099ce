/**
 * The CLI's environment, mapped to option defaults. This is the only module of the CLI that reads
 * process.env (the server roles read theirs through @myspinbot/config): MYSPINBOT_API_KEY is the key sent to
 * --server when --api-key is not given.
 */
export interface EnvironmentDefaults {
  apiKey?: string;
}

export function environmentDefaults(
  env: Readonly<Record<string, string | undefined>> = process.env,
): EnvironmentDefaults {
  const apiKey = env.MYSPINBOT_API_KEY?.trim();
  return apiKey ? { apiKey } : {};
}
