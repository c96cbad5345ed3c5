package dev.switchboard.eval;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ErrorDetails;
import dev.switchboard.ManualTime;
import dev.switchboard.Message;
import dev.switchboard.Role;
import dev.switchboard.Usage;
import dev.switchboard.spi.ProviderAdapter;
import dev.switchboard.stream.PushChatStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

/**
 * A provider whose answers, usage and latency are scripted per (model, last user message) and
 * arrive on a {@link ManualTime}: a call sent at t answers at t + latency; a stream sends its first
 * half of text at t + time-to-first-token and the rest at t + latency. Records what was asked, when,
 * and how many calls were in flight at most.
 */
final class TimedProvider implements ProviderAdapter {
  private record Script(String text, long in, long out, Duration latency, Duration ttft,
      BiFunction<String, ErrorDetails, ChatException> error) {}

  /** One request as it arrived: the model, the last user message, the system prompt and when. */
  record Sent(String model, String prompt, String system, Duration at, Double temperature) {}

  private final String name;
  private final ManualTime time;
  private final Map<String, Script> scripts = new ConcurrentHashMap<>();
  final List<Sent> sent = new CopyOnWriteArrayList<>();
  final List<CompletableFuture<ChatResponse>> pending = new CopyOnWriteArrayList<>();
  private int inFlight;
  private int maxInFlight;

  TimedProvider(String name, ManualTime time) {
    this.name = name;
    this.time = time;
  }

  TimedProvider answer(String model, String prompt, String text, long in, long out, long latencyMs) {
    return answer(model, prompt, text, in, out, latencyMs, latencyMs);
  }

  TimedProvider answer(String model, String prompt, String text, long in, long out, long latencyMs, long ttftMs) {
    scripts.put(model + "|" + prompt, new Script(text, in, out, Duration.ofMillis(latencyMs),
        Duration.ofMillis(ttftMs), null));
    return this;
  }

  TimedProvider fail(String model, String prompt, BiFunction<String, ErrorDetails, ChatException> error,
      long latencyMs) {
    scripts.put(model + "|" + prompt, new Script("", 0, 0, Duration.ofMillis(latencyMs), Duration.ofMillis(latencyMs),
        error));
    return this;
  }

  /** Calls to {@code model} with {@code prompt} never answer (until cancelled). */
  TimedProvider hang(String model, String prompt) {
    scripts.put(model + "|" + prompt, new Script("", 0, 0, null, null, null));
    return this;
  }

  synchronized int maxInFlight() {
    return maxInFlight;
  }

  @Override
  public String name() {
    return name;
  }

  private Script script(ChatRequest request) {
    String prompt = "";
    String system = null;
    for (Message m : request.messages()) {
      if (m.role() == Role.USER) {
        prompt = m.text();
      } else if (m.role() == Role.SYSTEM && system == null) {
        system = m.text();
      }
    }
    sent.add(new Sent(request.model(), prompt, system, Duration.ofNanos(time.read()),
        request.temperature().orElse(null)));
    Script s = scripts.get(request.model() + "|" + prompt);
    if (s == null) {
      throw new AssertionError("no script for " + request.model() + " asked '" + prompt + "'");
    }
    synchronized (this) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
    }
    return s;
  }

  private synchronized void ended() {
    inFlight--;
  }

  private ChatResponse response(ChatRequest request, Script s) {
    return ChatResponse.builder().id("r-" + sent.size()).model(request.model()).text(s.text())
        .usage(Usage.of(s.in(), s.out())).build();
  }

  @Override
  public CompletableFuture<ChatResponse> chat(ChatRequest request) {
    Script s = script(request);
    CompletableFuture<ChatResponse> f = new CompletableFuture<>();
    AtomicBoolean over = new AtomicBoolean();
    Runnable end = () -> {
      if (over.compareAndSet(false, true)) {
        ended();
      }
    };
    f.whenComplete((r, e) -> end.run()); // a cancel
    pending.add(f);
    if (s.latency() == null) {
      return f;
    }
    time.schedule(s.latency(), () -> {
      end.run(); // before completing: the caller's callbacks may send the next request at once
      if (s.error() != null) {
        f.completeExceptionally(s.error().apply(name + " says no", ErrorDetails.of(name, request.model())));
      } else {
        f.complete(response(request, s));
      }
    });
    return f;
  }

  @Override
  public ChatStream stream(ChatRequest request) {
    Script s = script(request);
    PushChatStream stream = new PushChatStream();
    AtomicBoolean over = new AtomicBoolean();
    Runnable end = () -> {
      if (over.compareAndSet(false, true)) {
        ended();
      }
    };
    stream.onCancel(end);
    if (s.latency() == null) {
      return stream;
    }
    if (s.error() != null) {
      time.schedule(s.latency(), () -> {
        end.run();
        stream.fail(s.error().apply(name + " says no", ErrorDetails.of(name, request.model())));
      });
      return stream;
    }
    int half = s.text().length() / 2;
    time.schedule(s.ttft(), () -> stream.emit(new ChatEvent.TextDelta(s.text().substring(0, half))));
    time.schedule(s.latency(), () -> {
      end.run();
      stream.emit(new ChatEvent.TextDelta(s.text().substring(half)));
      stream.emit(new ChatEvent.UsageReport(Usage.of(s.in(), s.out())));
      stream.emit(new ChatEvent.Completed(response(request, s)));
      stream.complete();
    });
    return stream;
  }

  /** What was asked, as "model prompt" strings, in order. */
  List<String> asked() {
    List<String> list = new ArrayList<>();
    sent.forEach(s -> list.add(s.model() + " " + s.prompt()));
    return list;
  }
}
