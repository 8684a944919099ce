export { ENV_OVERRIDES, type EnvOverride } from './env-overrides.js';
export {
  ConfigError,
  DEFAULT_CONFIG_FILE,
  type LoadConfigOptions,
  loadConfig,
  mergeConfig,
  type ProcessRole,
} from './load-config.js';
