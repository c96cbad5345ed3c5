/**
 * Measuring models and routers on your own data.
 *
 * <p>The evaluation harness runs a {@link dev.switchboard.eval.Dataset} (JSON Lines of {@link
 * dev.switchboard.eval.Example}s) through a few models with an {@link
 * dev.switchboard.eval.Evaluation} (bounded concurrency, per-provider rate limits, a resumable run
 * file), scores each answer with a {@link dev.switchboard.eval.Scorer} (exact, normalized, regex,
 * numeric, JSON fields, NDCG, an {@link dev.switchboard.eval.LlmJudge}, or your own), and reports
 * per model in an {@link dev.switchboard.eval.EvalReport}: quality with a confidence interval,
 * cost per 1,000 requests, latency percentiles, tokens, errors by type and the cost–quality Pareto
 * frontier, as Markdown, CSV and self-contained HTML.
 *
 * <p>Routers are measured offline, without calling a model: a {@link
 * dev.switchboard.eval.RoutingTable} of prompts with every model's quality and cost on each
 * (RouterBench, an arena judge matrix, or your own), the {@link dev.switchboard.eval.RoutingCurve}
 * a router traces as its threshold sweeps (PGR, APGR, CPT, the premium share for a share of the
 * strong model's quality), and {@link dev.switchboard.eval.RouterEvaluation}, which sets routers
 * beside random routing and the oracle and writes Markdown, JSON and an SVG chart.
 *
 * <p>Values are immutable and thread-safe; scorers must be thread-safe.
 */
package dev.switchboard.eval;
