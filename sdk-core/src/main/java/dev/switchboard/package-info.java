/**
 * The API a service calls: {@link dev.switchboard.ChatClient} and its implementation {@link
 * dev.switchboard.Switchboard} (providers, aliases, interceptors, listeners, a call deadline), the
 * immutable request and response values ({@link dev.switchboard.ChatRequest}, {@link
 * dev.switchboard.ChatResponse}, {@link dev.switchboard.Usage}, {@link dev.switchboard.Attempt}),
 * the pull {@link dev.switchboard.ChatStream} with its events, and the unchecked, immutable
 * {@link dev.switchboard.ChatException} hierarchy every failure is one of. Values are immutable and
 * thread-safe; each type's javadoc states its own thread-safety.
 */
package dev.switchboard;
