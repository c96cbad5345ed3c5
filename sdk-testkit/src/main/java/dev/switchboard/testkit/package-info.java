/**
 * Test support for Switchboard and its provider adapters.
 *
 * <ul>
 *   <li>{@link dev.switchboard.testkit.ScriptedProvider}: an in-memory {@link
 *       dev.switchboard.spi.ProviderAdapter} that serves queued answers, failures and stream
 *       scripts and records every request, in the style of OkHttp's MockWebServer.
 *   <li>{@link dev.switchboard.testkit.ProviderEmulator}: a real HTTP server on 127.0.0.1 that
 *       speaks one provider's wire protocol ({@link dev.switchboard.testkit.OpenAiEmulator}),
 *       serves provider-neutral {@link dev.switchboard.testkit.Reply} scripts including error
 *       statuses and transport faults, and answers as a small deterministic simulated model when
 *       nothing is queued.
 *   <li>{@link dev.switchboard.testkit.EmulatorExtension}: a JUnit 5 extension that runs one
 *       emulator per test class.
 *   <li>{@link dev.switchboard.testkit.RecordingListener}: records every listener event of every
 *       call as text and checks that each call ended exactly once.
 *   <li>{@link dev.switchboard.testkit.ManualClock}: a ticker and scheduler that move only when the
 *       test advances them.
 *   <li>{@link dev.switchboard.testkit.ProviderContractTest}: the contract test (TCK) every
 *       provider adapter extends; each case runs through {@code chat()} and {@code stream()}.
 * </ul>
 *
 * <p>The testkit ships no {@code module-info.java}: it depends on {@code wiremock-standalone}
 * 3.x, a shaded jar with no stable module name. Its manifest has no {@code Automatic-Module-Name}
 * and the only descriptor inside is Guava's, left at {@code META-INF/versions/9} by the shading (and
 * ignored, as the jar is not multi-release), so on the module path its name would be derived from
 * the jar's file name and a {@code requires} clause would break with any renaming. Use the testkit
 * on the class path, as Maven Surefire and Gradle do by default. It still uses no non-exported
 * package of {@code switchboard-core}, so moving it to the module path later needs no code change.
 * Everything under {@code dev.switchboard.testkit.internal} is not API.
 */
package dev.switchboard.testkit;
