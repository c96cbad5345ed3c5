/**
 * What calls cost: {@link dev.switchboard.cost.ModelPrice} per model (dollars per million tokens of
 * each kind), the {@link dev.switchboard.cost.PriceCatalog} that holds them (a bundled catalog,
 * overrides, LiteLLM's catalog format), the {@link dev.switchboard.cost.Cost} of one usage, and the
 * API-versus-self-hosted {@link dev.switchboard.cost.Crossover}.
 */
package dev.switchboard.cost;
