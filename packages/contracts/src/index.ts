export * from './errors.js';
export * from './types.generated.js';
export * from './validate.js';
