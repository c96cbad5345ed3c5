/**
 * The machinery behind {@link dev.switchboard.providers.selfhosted.SelfHostedProvider}: the replica
 * pool and its per-replica state, the health/metrics/model requests, the Prometheus text parser and
 * the per-backend request-field mapping. Not API: not exported, may change at any time.
 */
package dev.switchboard.providers.selfhosted.internal;
