package dev.switchboard.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A hosted model simulated over HTTP on 127.0.0.1 (an {@link OpenAiEmulator} underneath), for
 * demos and load tests that need providers that behave like real ones: a latency distribution
 * (log-normal through a median and a 99th percentile), a rate limit that answers 429 with
 * {@code Retry-After}, an outage window that answers 503, usage counted from the prompt and the
 * answer, and answers made by a function of the prompt (so quality can be simulated too).
 * Everything random is drawn from a hash of the request's sequence number and prompt with a
 * seed, so a run is repeatable; time runs at {@link Builder#timeScale} (0.05: twenty times faster
 * than the latencies given). Thread-safe.
 *
 * <pre>{@code
 * SimulatedLlm cheap = SimulatedLlm.builder("deepseek-v4-flash").latency(Duration.ofMillis(350), Duration.ofMillis(1500))
 *     .rateLimit(200).answers(prompt -> "ranked: " + prompt).build();
 * }</pre>
 */
public final class SimulatedLlm implements AutoCloseable {
  private final OpenAiEmulator emulator;
  private final String model;
  private final double mu;
  private final double sigma;
  private final double timeScale;
  private final int rateLimit;
  private final long outageFrom;
  private final long outageTo;
  private final Function<String, String> answers;
  private final java.util.function.BooleanSupplier down;
  private final long seed;
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong limited = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final long[] window = new long[2]; // {second, count}, guarded by itself

  private SimulatedLlm(Builder b) {
    this.model = b.model;
    // log-normal: median = e^mu; p99 = e^(mu + 2.326 sigma)
    this.mu = Math.log(b.median.toNanos());
    this.sigma = Math.max(0, (Math.log(b.p99.toNanos()) - mu) / 2.3263);
    this.timeScale = b.timeScale;
    this.rateLimit = b.rateLimit;
    this.outageFrom = b.outageFrom;
    this.outageTo = b.outageTo;
    this.answers = b.answers;
    this.down = b.down;
    this.seed = b.seed;
    this.emulator = OpenAiEmulator.start(List.of(b.model)).keepRequests(false);
    emulator.respondWith(this::reply);
  }

  public static Builder builder(String model) {
    return new Builder(model);
  }

  /** The base URL to give an OpenAI-compatible provider. */
  public String baseUrl() {
    return emulator.baseUrl();
  }

  public String model() {
    return model;
  }

  /** Requests answered, refused by the rate limit, and failed by the outage. */
  public long served() {
    return served.get();
  }

  public long rateLimited() {
    return limited.get();
  }

  public long failedInOutage() {
    return failed.get();
  }

  private Reply reply(RecordedRequest request) {
    long n = sequence.incrementAndGet();
    if ((n > outageFrom && n <= outageTo) || down.getAsBoolean()) {
      failed.incrementAndGet();
      return Reply.error(ErrorKind.SERVICE_UNAVAILABLE);
    }
    if (rateLimit > 0 && overLimit()) {
      limited.incrementAndGet();
      return Reply.error(ErrorKind.RATE_LIMIT, Duration.ofMillis(Math.max(1, (long) (1000 * timeScale))));
    }
    String prompt = request.lastUserText();
    double u = unit(mix(seed ^ n * 0x9e3779b97f4a7c15L ^ prompt.hashCode()));
    double z = gaussian(u, unit(mix(seed + n)));
    long nanos = (long) (Math.exp(mu + sigma * z) * timeScale);
    served.incrementAndGet();
    return Reply.builder().text(answers.apply(prompt)).model(model).delay(Duration.ofNanos(nanos)).build();
  }

  private boolean overLimit() {
    long second = System.nanoTime() / (long) (1_000_000_000L * timeScale);
    synchronized (window) {
      if (window[0] != second) {
        window[0] = second;
        window[1] = 0;
      }
      return ++window[1] > rateLimit;
    }
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private static double unit(long bits) {
    return ((bits >>> 11) + 0.5) * 0x1.0p-53;
  }

  /** Box–Muller: a standard normal from two uniforms in (0, 1). */
  private static double gaussian(double u1, double u2) {
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  @Override
  public void close() {
    emulator.close();
  }

  @Override
  public String toString() {
    return "SimulatedLlm[" + model + ", " + baseUrl() + "]";
  }

  /** Not thread-safe. */
  public static final class Builder {
    private final String model;
    private Duration median = Duration.ofMillis(500);
    private Duration p99 = Duration.ofMillis(2000);
    private double timeScale = 1;
    private int rateLimit;
    private long outageFrom = Long.MAX_VALUE;
    private long outageTo = Long.MAX_VALUE;
    private Function<String, String> answers = prompt -> "A simulated answer.";
    private java.util.function.BooleanSupplier down = () -> false;
    private long seed = 1;

    private Builder(String model) {
      this.model = Objects.requireNonNull(model, "model");
    }

    /** The latency's median and 99th percentile (log-normal between them). */
    public Builder latency(Duration median, Duration p99) {
      if (p99.compareTo(median) < 0) {
        throw new IllegalArgumentException("p99 " + p99 + " is below the median " + median);
      }
      this.median = median;
      this.p99 = p99;
      return this;
    }

    /** How fast simulated time runs: latencies and the rate limit's window are multiplied by it. */
    public Builder timeScale(double scale) {
      if (!(scale > 0 && scale <= 1)) {
        throw new IllegalArgumentException("timeScale must be within (0, 1], got " + scale);
      }
      this.timeScale = scale;
      return this;
    }

    /** At most this many requests per (simulated) second; more get 429 with a Retry-After. 0: none. */
    public Builder rateLimit(int requestsPerSecond) {
      this.rateLimit = requestsPerSecond;
      return this;
    }

    /** Requests {@code fromRequest + 1} to {@code toRequest} (counting from 1) get 503: an outage. */
    public Builder outage(long fromRequest, long toRequest) {
      this.outageFrom = fromRequest;
      this.outageTo = toRequest;
      return this;
    }

    /** While {@code down} says so, every request gets 503 (an outage on the caller's timeline). */
    public Builder down(java.util.function.BooleanSupplier down) {
      this.down = Objects.requireNonNull(down, "down");
      return this;
    }

    /** The answer to a prompt (the last user message). Must be thread-safe. */
    public Builder answers(Function<String, String> answers) {
      this.answers = Objects.requireNonNull(answers, "answers");
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public SimulatedLlm build() {
      return new SimulatedLlm(this);
    }
  }
}
