package dev.switchboard.providers.selfhosted;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.testkit.ManualClock;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatStreamException;
import dev.switchboard.TransportException;
import dev.switchboard.testkit.EmulatorExtension;
import dev.switchboard.testkit.Fault;
import dev.switchboard.testkit.Reply;
import dev.switchboard.testkit.SelfHostedEmulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The replica pool against three emulated vLLM servers, on a manual scheduler and ticker: routing by
 * load, in-flight accounting, health and recovery. Nothing sleeps; every wait is for a local HTTP
 * exchange and bounded by the class timeout.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReplicaPoolTest {
  private static final Duration SCRAPE = Duration.ofSeconds(1);
  private static final Duration RETRY = Duration.ofSeconds(10);

  @RegisterExtension
  static final EmulatorExtension<SelfHostedEmulator> A = EmulatorExtension.of(SelfHostedEmulator.class, SelfHostedEmulator::start);

  @RegisterExtension
  static final EmulatorExtension<SelfHostedEmulator> B = EmulatorExtension.of(SelfHostedEmulator.class, SelfHostedEmulator::start);

  @RegisterExtension
  static final EmulatorExtension<SelfHostedEmulator> C = EmulatorExtension.of(SelfHostedEmulator.class, SelfHostedEmulator::start);

  private SelfHostedEmulator a;
  private SelfHostedEmulator b;
  private SelfHostedEmulator c;
  private ManualClock scheduler;
  private SelfHostedProvider provider;

  @BeforeEach
  void startPool() {
    a = A.emulator();
    b = B.emulator();
    c = C.emulator();
    scheduler = new ManualClock();
    provider = SelfHostedProvider.builder()
        .name("vllm")
        .backend(Backend.VLLM)
        .replica(a.baseUrl())
        .replica(b.baseUrl())
        .replica(c.baseUrl())
        .scrapeInterval(SCRAPE)
        .unhealthyRetryInterval(RETRY)
        .scheduler(scheduler)
        .ticker(scheduler)
        .build();
  }

  @AfterEach
  void closePool() {
    provider.close();
  }

  private static ChatRequest request() {
    return ChatRequest.of("test-model", "Hello");
  }

  private void chat(int times) {
    for (int i = 0; i < times; i++) {
      provider.chat(request()).join();
    }
  }

  private ReplicaStatus status(int index) {
    return provider.replicas().get(index);
  }

  /** Moves the fake clock, letting the background round that comes due finish before going on. */
  private void advance(Duration d) {
    scheduler.advance(d);
    provider.lastBackgroundRound().join();
  }

  @Test
  void replicaStatus_readsThePrefixCacheHitRate_fromVllmsCounters() {
    a.setPrefixCache(7_500, 10_000);
    provider.refreshNow().join();

    assertThat(status(0).prefixCacheHitRate()).hasValue(0.75);
    assertThat(status(1).prefixCacheHitRate()).isEmpty();
  }

  @Test
  void sendsCallsToTheLeastLoadedReplica_countingTheCallsInFlight() {
    a.setLoad(0, 0, 0.10);
    b.setLoad(3, 1, 0.55);
    c.setLoad(6, 4, 0.90);
    provider.refreshNow().join();

    assertThat(provider.replicas()).extracting(ReplicaStatus::running, ReplicaStatus::waiting, ReplicaStatus::loadScore)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0, 0, 0),
            org.assertj.core.groups.Tuple.tuple(3, 1, 4),
            org.assertj.core.groups.Tuple.tuple(6, 4, 10));
    assertThat(status(2).kvCacheUsage()).hasValue(0.90);
    assertThat(status(0).sinceLastScrape()).contains(Duration.ZERO);
    assertThat(status(0).prefixCacheHitRate()).as("not exported").isEmpty();

    // Ten streams held open: each counts on its replica until it ends. A fills up from 0 to B's 4,
    // then A and B share the rest, and C (at 10) gets none: A 7, B 3, C 0.
    List<ChatStream> open = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      open.add(provider.stream(request()));
    }
    assertThat(provider.replicas()).extracting(ReplicaStatus::inFlight).containsExactly(7, 3, 0);
    assertThat(provider.replicas()).extracting(ReplicaStatus::loadScore).containsExactly(7, 7, 10);
    assertThat(provider.load("any-model")).as("what a router sees through CallContext.load")
        .contains(new dev.switchboard.route.Load(3, 3, 9, 5, 10));

    for (ChatStream stream : open) {
      assertThat(stream.collect().text()).isNotEmpty();
    }
    assertThat(provider.replicas()).extracting(ReplicaStatus::inFlight).containsExactly(0, 0, 0);
    assertThat(List.of(a.requestCount(), b.requestCount(), c.requestCount())).containsExactly(7, 3, 0);

    // Calls one after another are never in flight together, so the idle replica takes all of them.
    chat(5);

    assertThat(List.of(a.requestCount(), b.requestCount(), c.requestCount())).containsExactly(12, 3, 0);
    assertThat(provider.replicas()).extracting(ReplicaStatus::inFlight).containsExactly(0, 0, 0);
  }

  @Test
  void followsTheLoadAsItChanges_atEachScrape() {
    a.setLoad(5, 5, 0.5);
    b.setLoad(0, 0, 0.1);
    c.setLoad(2, 0, 0.2);
    provider.refreshNow().join();
    chat(2);
    assertThat(List.of(a.requestCount(), b.requestCount(), c.requestCount())).containsExactly(0, 2, 0);

    b.setLoad(8, 8, 0.9);
    advance(SCRAPE); // a scrape interval later the background round reads the new load
    chat(2);

    assertThat(List.of(a.requestCount(), b.requestCount(), c.requestCount())).containsExactly(0, 2, 2);
    assertThat(status(1).loadScore()).isEqualTo(16);
  }

  @Test
  void breaksTiesRoundRobin() {
    provider.refreshNow().join();

    chat(6);

    assertThat(List.of(a.requestCount(), b.requestCount(), c.requestCount())).containsExactly(2, 2, 2);
  }

  @Test
  void aReplicaFailingHealth_getsNoCallsUntilItAnswers200Again() {
    a.setHealthy(false);
    provider.refreshNow().join();

    assertThat(status(0).healthy()).isFalse();
    assertThat(status(0).lastError()).hasValueSatisfying(e -> assertThat(e).contains("503"));
    chat(6);
    assertThat(List.of(a.requestCount(), b.requestCount(), c.requestCount())).containsExactly(0, 3, 3);

    a.setHealthy(true);
    b.setLoad(2, 0, 0.3);
    c.setLoad(2, 0, 0.3);
    provider.refreshNow().join();

    assertThat(status(0).healthy()).isTrue();
    chat(3);
    assertThat(List.of(a.requestCount(), b.requestCount(), c.requestCount())).containsExactly(3, 3, 3);
  }

  @Test
  void aReplicaThatResetsConnections_isMarkedUnhealthy_andProbedAgainAfterTheRetryInterval() {
    b.setLoad(1, 0, 0.2);
    c.setLoad(5, 0, 0.5);
    provider.refreshNow().join();
    a.enqueue(Reply.fault(Fault.CONNECTION_RESET));

    assertThatThrownBy(() -> provider.chat(request()).join()).isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(TransportException.class);

    assertThat(status(0).healthy()).isFalse();
    assertThat(status(0).inFlight()).isZero();
    assertThat(status(0).lastError()).hasValueSatisfying(e -> assertThat(e).contains("TransportException"));
    chat(1);
    assertThat(List.of(a.requestCount(), b.requestCount(), c.requestCount())).containsExactly(1, 1, 0);

    // Background rounds every second scrape the healthy replicas but leave A alone until 10 s passed.
    int probesOfA = a.healthChecks();
    int scrapesOfB = b.metricsScrapes();
    for (int second = 0; second < 10; second++) {
      advance(second == 0 ? Duration.ZERO : SCRAPE);
      assertThat(status(0).healthy()).as("A after %s s", second).isFalse();
    }
    assertThat(a.healthChecks()).isEqualTo(probesOfA);
    assertThat(b.metricsScrapes()).isGreaterThan(scrapesOfB);

    advance(SCRAPE); // 10 s after the failure: A is probed, answers 200 and rejoins

    assertThat(a.healthChecks()).isEqualTo(probesOfA + 1);
    assertThat(status(0).healthy()).isTrue();
    chat(1);
    assertThat(List.of(a.requestCount(), b.requestCount(), c.requestCount())).containsExactly(2, 1, 0);
  }

  @Test
  void aStreamThatLosesItsConnection_marksItsReplicaUnhealthy() {
    b.setLoad(1, 0, 0.2);
    c.setLoad(1, 0, 0.2);
    provider.refreshNow().join();
    a.enqueue(Reply.fault(Fault.CONNECTION_RESET));

    ChatStream stream = provider.stream(request());
    assertThat(provider.replicas()).extracting(ReplicaStatus::inFlight).containsExactly(1, 0, 0);
    assertThatThrownBy(stream::collect).isInstanceOfAny(TransportException.class, ChatStreamException.class);

    assertThat(status(0).healthy()).isFalse();
    assertThat(status(0).inFlight()).isZero();
  }

  @Test
  void closingAStreamEarly_endsItsInFlightCount() {
    provider.refreshNow().join();

    ChatStream stream = provider.stream(request());
    assertThat(status(0).inFlight() + status(1).inFlight() + status(2).inFlight()).isEqualTo(1);
    stream.close();
    stream.close();

    assertThat(provider.replicas()).extracting(ReplicaStatus::inFlight).containsExactly(0, 0, 0);
  }

  @Test
  void whenEveryReplicaIsUnhealthy_triesTheLeastRecentlyFailed() {
    a.setLoad(0, 0, 0);
    b.setLoad(1, 0, 0);
    c.setLoad(2, 0, 0);
    provider.refreshNow().join();
    a.enqueue(Reply.fault(Fault.CONNECTION_RESET));
    b.enqueue(Reply.fault(Fault.CONNECTION_RESET));
    c.enqueue(Reply.fault(Fault.CONNECTION_RESET));

    for (int i = 0; i < 3; i++) { // A fails at t, B at t+1s, C at t+2s
      if (i > 0) {
        advance(SCRAPE);
      }
      assertThatThrownBy(() -> provider.chat(request()).join()).hasCauseInstanceOf(TransportException.class);
    }
    assertThat(provider.replicas()).extracting(ReplicaStatus::healthy).containsExactly(false, false, false);

    assertThat(provider.chat(request()).join().text()).isNotEmpty();

    assertThat(List.of(a.requestCount(), b.requestCount(), c.requestCount())).containsExactly(2, 1, 1);
  }

  @Test
  void listsModelsFromHealthyReplicas_andReportsMaxModelLenAsTheContext() {
    b.setHealthy(false);
    provider.refreshNow().join();

    assertThat(provider.listModels().join()).containsExactly("test-model", "simulated-model");
    assertThat(b.modelListings()).isZero();
    assertThat(provider.capabilities("test-model").maxContextTokens()).hasValue(SelfHostedEmulator.DEFAULT_MAX_MODEL_LEN);
    assertThat(provider.capabilities("test-model").jsonSchema()).contains(true);
    assertThat(provider.capabilities("unknown-model").maxContextTokens()).isEmpty();
    assertThat(a.requestCount()).as("background traffic is not recorded").isZero();
  }

  @Test
  void theBackgroundRefresh_runsOnTheInjectedScheduler_oneRoundAtATime_andStopsOnClose() {
    assertThat(scheduler.pendingTasks()).as("the first round, due at once").isEqualTo(1);
    assertThat(a.healthChecks()).isZero();

    advance(Duration.ZERO);

    assertThat(List.of(a.healthChecks(), b.healthChecks(), c.healthChecks())).containsExactly(1, 1, 1);
    assertThat(List.of(a.metricsScrapes(), b.metricsScrapes(), c.metricsScrapes())).containsExactly(1, 1, 1);
    assertThat(List.of(a.modelListings(), b.modelListings(), c.modelListings())).containsExactly(1, 1, 1);
    assertThat(scheduler.pendingTasks()).as("the next round, scheduled when this one finished").isEqualTo(1);

    advance(SCRAPE);
    assertThat(List.of(a.healthChecks(), a.metricsScrapes(), a.modelListings())).containsExactly(2, 2, 1);

    provider.close();

    assertThat(scheduler.pendingTasks()).isZero();
    assertThatThrownBy(() -> provider.refreshNow().join()).hasCauseInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> provider.chat(request()).join()).hasCauseInstanceOf(ChatException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void aReplicaThatCannotBeReached_isUnhealthy_andTheOthersServe() {
    SelfHostedProvider withDeadReplica = SelfHostedProvider.builder()
        .backend(Backend.VLLM)
        .replica("http://127.0.0.1:1") // nothing listens on port 1
        .replica(b.baseUrl())
        .scheduler(scheduler)
        .ticker(scheduler)
        .healthTimeout(Duration.ofSeconds(5))
        .build();
    try {
      withDeadReplica.refreshNow().join();

      assertThat(withDeadReplica.replicas().get(0).healthy()).isFalse();
      assertThat(withDeadReplica.replicas().get(0).lastError()).hasValueSatisfying(e -> assertThat(e)
          .contains("health probe failed"));
      withDeadReplica.chat(request()).join();
      assertThat(b.requestCount()).isEqualTo(1);
      assertThat(withDeadReplica.listModels().join()).contains("test-model");
      assertThat(withDeadReplica.toString()).contains("http://127.0.0.1:1", b.baseUrl(), "vllm");
    } finally {
      withDeadReplica.close();
    }
  }

  @Test
  void builderValidatesAndNamesTheField() {
    assertThatThrownBy(() -> SelfHostedProvider.builder().replica("http://h:8000").build())
        .hasMessageContaining("backend");
    assertThatThrownBy(() -> SelfHostedProvider.builder().backend(Backend.VLLM).build())
        .hasMessageContaining("replica");
    assertThatThrownBy(() -> SelfHostedProvider.builder().backend(Backend.VLLM).replica("http://h:8000/v1/").build())
        .hasMessageContaining("without /v1");
    assertThatThrownBy(() -> SelfHostedProvider.builder().backend(Backend.VLLM).replica("h:8000").build())
        .hasMessageContaining("http(s)");
    assertThatThrownBy(() -> SelfHostedProvider.builder().backend(Backend.VLLM).replica("http://h:8000")
        .replica("http://h:8000/").build()).hasMessageContaining("twice");
    assertThatThrownBy(() -> SelfHostedProvider.builder().backend(Backend.VLLM).replica("http://h:8000")
        .scrapeInterval(Duration.ZERO).build()).hasMessageContaining("scrapeInterval");
    assertThatThrownBy(() -> SelfHostedProvider.builder().backend(Backend.VLLM).replica("http://h:8000")
        .name("bad name").build()).hasMessageContaining("name");
  }
}
