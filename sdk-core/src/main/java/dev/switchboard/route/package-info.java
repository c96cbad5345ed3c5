/**
 * Where a call goes: {@link dev.switchboard.route.ModelRef} (a provider and its model), the
 * replaceable {@link dev.switchboard.route.ModelDirectory} that resolves model strings and aliases,
 * {@link dev.switchboard.route.Router} (a pure decision, and the interceptor that applies it), the
 * typed request tags {@link dev.switchboard.route.Target}, {@link
 * dev.switchboard.route.Candidates} and {@link dev.switchboard.route.CallMetadata}, and the
 * complexity router: {@link dev.switchboard.route.TieredRouter} with its {@link
 * dev.switchboard.route.ComplexityScorer}s, the built-in heuristic and the trained {@link
 * dev.switchboard.route.ComplexityModel}. All values are immutable and thread-safe.
 */
package dev.switchboard.route;
