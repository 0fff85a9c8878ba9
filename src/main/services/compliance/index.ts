/** The compliance rules engine: pure functions, no database, no UI. */
export * from './types';
export * from './dates';
export * from './deadlines';
export * from './status';
export * from './authorization';
export * from './consent';
export * from './representative';
export * from './rulepacks';
export * from './scope';
export * from './unencrypted-email';
export * from './release-gate';
