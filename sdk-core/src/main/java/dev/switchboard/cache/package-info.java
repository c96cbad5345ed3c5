/**
 * Response caches: exact (a canonical hash of everything that changes the answer) and semantic
 * (near-duplicate questions within the same partition), in process and shared through Redis, for
 * calls and streams.
 */
package dev.switchboard.cache;
