package dev.switchboard.providers.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ConfiguredSwitchboard;
import dev.switchboard.testkit.OpenAiEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A Switchboard from a configuration file over two emulated providers, swapped while calls run. */
@Timeout(60)
class ConfiguredSwitchboardTest {
  private final OpenAiEmulator first = OpenAiEmulator.start();
  private final OpenAiEmulator second = OpenAiEmulator.start();
  @TempDir
  Path dir;

  @AfterEach
  void close() {
    first.close();
    second.close();
  }

  private String config(String rankerModel) {
    return """
        {
          "providers": {
            "a": {"type": "openai-compatible", "baseUrl": "%s"},
            "b": {"type": "openai-compatible", "baseUrl": "%s"}
          },
          "aliases": {"ranker": "%s"},
          "routes": {"answer": {"models": ["a/test-model", "b/test-model"]}}
        }""".formatted(first.baseUrl(), second.baseUrl(), rankerModel);
  }

  @Test
  void changingAnAliasInTheFile_movesLaterCalls_andNoCallFailsBecauseOfTheReload() throws Exception {
    Path file = dir.resolve("switchboard.json");
    Files.writeString(file, config("a/test-model"));
    try (ConfiguredSwitchboard configured = ConfiguredSwitchboard.load(file)) {
      AtomicBoolean reloaded = new AtomicBoolean();
      AtomicBoolean stop = new AtomicBoolean();
      CountDownLatch running = new CountDownLatch(8);
      CountDownLatch oldVersionCalls = new CountDownLatch(40);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<List<String>>> workers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        workers.add(pool.submit(() -> {
          List<String> seen = new ArrayList<>(); // "after:provider" for calls started after the reload
          running.countDown();
          int after = 0;
          while (after < 20 && !stop.get()) {
            boolean startedAfter = reloaded.get();
            ChatResponse r;
            try {
              r = configured.switchboard().chat(ChatRequest.of("ranker", "rank this"));
            } catch (RuntimeException e) {
              stop.set(true);
              throw e;
            }
            seen.add((startedAfter ? "after:" : "before:") + r.provider());
            oldVersionCalls.countDown();
            after += startedAfter ? 1 : 0;
          }
          return seen;
        }));
      }
      running.await();
      // let calls run on the old version first; a call that fails stops the workers and shows below
      oldVersionCalls.await(20, java.util.concurrent.TimeUnit.SECONDS);
      Files.writeString(file, config("b/test-model"));
      configured.reload();
      reloaded.set(true);

      List<String> all = new ArrayList<>();
      for (Future<List<String>> w : workers) {
        all.addAll(w.get()); // a call that failed would throw here
      }
      stop.set(true);
      pool.shutdown();
      assertThat(all).filteredOn(s -> s.startsWith("after:")).hasSizeGreaterThanOrEqualTo(160)
          .allMatch(s -> s.equals("after:b"), "every call started after the reload went to b");
      assertThat(all).contains("before:a");
    }
  }

  @Test
  void aRouteTriesItsModelsInOrder() {
    Path file = dir.resolve("switchboard.json");
    try {
      Files.writeString(file, config("a/test-model"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    first.enqueue(dev.switchboard.testkit.Reply.error(dev.switchboard.testkit.ErrorKind.SERVER_ERROR));
    try (ConfiguredSwitchboard configured = ConfiguredSwitchboard.load(file)) {
      ChatResponse r = configured.switchboard().chat(ChatRequest.of("answer", "hi"));
      assertThat(r.provider()).isEqualTo("b");
      assertThat(r.attempts()).extracting(a -> a.provider()).containsExactly("a", "b");
    }
  }

  @Test
  void aBrokenOrFixedSectionChange_isRefused_andTheRunningVersionStays() throws Exception {
    Path file = dir.resolve("switchboard.json");
    Files.writeString(file, config("a/test-model"));
    try (ConfiguredSwitchboard configured = ConfiguredSwitchboard.load(file)) {
      Files.writeString(file, config("deepseak/v4"));
      assertThatThrownBy(configured::reload).isInstanceOf(ConfigException.class)
          .hasMessageContaining("aliases.ranker: unknown provider \"deepseak\"");
      Files.writeString(file, config("b/test-model").replace("\"b\": {\"type\"", "\"c\": {\"type\""));
      assertThatThrownBy(configured::reload).isInstanceOf(ConfigException.class);
      assertThat(configured.switchboard().chat(ChatRequest.of("ranker", "hi")).provider()).isEqualTo("a");
    }
  }

  @Test
  void aProviderSettingAtFault_isNamedWithItsPlace() throws Exception {
    Path file = dir.resolve("switchboard.json");
    Files.writeString(file, """
        {"providers": {"gpu": {"type": "vllm", "replicas": []}, "x": {"type": "openai", "colour": "red"}}}""");
    assertThatThrownBy(() -> ConfiguredSwitchboard.load(file)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("providers.gpu.replicas: required for type vllm");
  }
}
