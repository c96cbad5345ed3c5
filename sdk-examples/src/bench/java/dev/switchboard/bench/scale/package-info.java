/**
 * The scale test of issue 8: {@link dev.switchboard.bench.scale.ScaleTest} holds thousands of
 * concurrent streams open through one {@code Switchboard} against {@link
 * dev.switchboard.bench.scale.DripServer}, a slow-drip OpenAI SSE stub in its own process, and
 * records platform threads and heap.
 */
package dev.switchboard.bench.scale;
