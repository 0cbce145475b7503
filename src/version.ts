/**
 * Version numbers: ours, and the Redis API level we implement (what HELLO and INFO report as
 * `version`/`redis_version`, so clients enable the features of that Redis).
 *
 * @module
 */

/** miniredis's own version (INFO miniredis_version, `--version`). */
export const MINIREDIS_VERSION = "0.1.0";

/** The Redis version whose behaviour we implement. */
export const REDIS_VERSION = "7.0.15";
