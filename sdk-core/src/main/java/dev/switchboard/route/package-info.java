/**
 * Where a call goes: {@link dev.switchboard.route.ModelRef} (a provider and its model), the
 * replaceable {@link dev.switchboard.route.ModelDirectory} that resolves model strings and aliases,
 * {@link dev.switchboard.route.Router} (a pure decision, and the interceptor that applies it), and
 * the typed request tags {@link dev.switchboard.route.Target}, {@link
 * dev.switchboard.route.Candidates} and {@link dev.switchboard.route.CallMetadata}. All values are
 * immutable and thread-safe.
 */
package dev.switchboard.route;
