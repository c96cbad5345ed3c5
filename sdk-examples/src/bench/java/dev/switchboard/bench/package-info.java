/**
 * Benchmarks that compare Switchboard with peer SDKs (openai-java, langchain4j) and with raw
 * {@code java.net.http}, and JMH micro-benchmarks of the hot paths. Compiled and run only under
 * the {@code bench} Maven profile, so the peers never reach a user's dependency tree.
 */
package dev.switchboard.bench;
