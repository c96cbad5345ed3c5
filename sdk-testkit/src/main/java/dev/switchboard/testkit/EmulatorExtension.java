package dev.switchboard.testkit;

import java.util.Objects;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Runs one {@link ProviderEmulator} for a JUnit 5 test class: started before the first test,
 * reset (queue and recorded requests) before each test, closed after the last.
 *
 * <pre>{@code
 * class MyAdapterTest {
 *   @RegisterExtension
 *   static EmulatorExtension<OpenAiEmulator> openAi = EmulatorExtension.openAi();
 *
 *   @Test
 *   void answers(OpenAiEmulator emulator) {   // or openAi.emulator()
 *     emulator.enqueue(Reply.text("Hello"));
 *     ...
 *   }
 * }
 * }</pre>
 *
 * <p>Registered on a static field it lives for the whole class (nested classes share it);
 * registered on an instance field it runs one emulator per test. Test methods receive the
 * emulator as a parameter of its concrete type (or of type {@link ProviderEmulator}, when only one
 * emulator extension is registered). Tests sharing one emulator must not run concurrently, since
 * each test resets it. Thread-safe for that use.
 *
 * @param <E> the emulator type
 */
public final class EmulatorExtension<E extends ProviderEmulator>
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {

  private final Class<E> type;
  private final Supplier<? extends E> starter;
  private E emulator;
  private String ownerId;
  private boolean perTest;

  private EmulatorExtension(Class<E> type, Supplier<? extends E> starter) {
    this.type = Objects.requireNonNull(type, "type");
    this.starter = Objects.requireNonNull(starter, "starter");
  }

  /** An extension running an {@link OpenAiEmulator}. */
  public static EmulatorExtension<OpenAiEmulator> openAi() {
    return of(OpenAiEmulator.class, OpenAiEmulator::start);
  }

  /** One {@link AnthropicEmulator} per test class. */
  public static EmulatorExtension<AnthropicEmulator> anthropic() {
    return of(AnthropicEmulator.class, AnthropicEmulator::start);
  }

  /** One {@link OllamaEmulator} per test class. */
  public static EmulatorExtension<OllamaEmulator> ollama() {
    return of(OllamaEmulator.class, OllamaEmulator::start);
  }

  /** One {@link SelfHostedEmulator} playing vLLM per test class. */
  public static EmulatorExtension<SelfHostedEmulator> vllm() {
    return of(SelfHostedEmulator.class, SelfHostedEmulator::start);
  }

  /** An extension running the emulator {@code starter} starts, resolved as parameters of {@code type}. */
  public static <E extends ProviderEmulator> EmulatorExtension<E> of(Class<E> type, Supplier<? extends E> starter) {
    return new EmulatorExtension<>(type, starter);
  }

  /**
   * The running emulator.
   *
   * @throws IllegalStateException outside the tests of the class that registered this extension
   */
  public synchronized E emulator() {
    if (emulator == null) {
      throw new IllegalStateException("the " + type.getSimpleName() + " is not running: use emulator() inside a test "
          + "of the class that registers this extension with @RegisterExtension");
    }
    return emulator;
  }

  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    if (emulator == null) {
      emulator = starter.get();
      ownerId = context.getUniqueId();
    }
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (emulator != null && context.getUniqueId().equals(ownerId)) {
      stop();
    }
  }

  @Override
  public synchronized void beforeEach(ExtensionContext context) {
    if (emulator == null) {
      // Registered on an instance field: beforeAll is not called, so the emulator lives for one test.
      emulator = starter.get();
      perTest = true;
    }
    emulator.reset();
  }

  @Override
  public synchronized void afterEach(ExtensionContext context) {
    if (perTest) {
      stop();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> wanted = parameter.getParameter().getType();
    return wanted == type || wanted == ProviderEmulator.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return emulator();
  }

  private void stop() {
    try {
      emulator.close();
    } finally {
      emulator = null;
      ownerId = null;
      perTest = false;
    }
  }

  @Override
  public synchronized String toString() {
    return "EmulatorExtension[" + (emulator == null ? type.getSimpleName() + ", stopped" : emulator) + "]";
  }
}
