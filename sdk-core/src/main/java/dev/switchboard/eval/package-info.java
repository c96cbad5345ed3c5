/**
 * Routers measured offline, without calling a model: a {@link dev.switchboard.eval.RoutingTable}
 * of prompts with every model's quality and cost on each (RouterBench, an arena judge matrix, or
 * your own), the {@link dev.switchboard.eval.RoutingCurve} a router traces as its threshold sweeps
 * (PGR, APGR, CPT, the premium share for a share of the strong model's quality), and {@link
 * dev.switchboard.eval.RouterEvaluation}, which sets routers beside random routing and the oracle
 * and writes Markdown, JSON and an SVG chart. All values are immutable and thread-safe.
 */
package dev.switchboard.eval;
