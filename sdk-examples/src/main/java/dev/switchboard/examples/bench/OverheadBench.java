package dev.switchboard.examples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.Switchboard;
import dev.switchboard.providers.openai.OpenAiProvider;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Client overhead of one chat call: Switchboard (through the whole chain, and the adapter alone)
 * against a hand-written {@code java.net.http} + Jackson call, in one run, against a loopback stub
 * in a separate process. Reports client CPU µs per call (this JVM's process CPU time, so JIT and GC
 * count too) and wall µs per call. Not a test: run it, read the ratios.
 *
 * <pre>mvn -B -q -Pdemo -DskipTests verify -Ddemo.mainClass=dev.switchboard.examples.bench.OverheadBench</pre>
 *
 * Arguments: {@code [calls per round, default 4000] [rounds, default 5] [warm-up calls, default 6000]}.
 * With {@code -Dbench.baseline=<core classes>:<providers classes>} another build's full chain runs
 * in the same rounds (before/after in one run).
 *
 * <p>"raw sendAsync" is the fair baseline for a non-blocking client: on JDK 17, {@code sendAsync}
 * hands its result to the common pool, which with parallelism 1 (2 CPUs) starts a thread per call;
 * the blocking {@code send} skips that.
 */
public final class OverheadBench {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  interface Client {
    String call() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 4000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 6000;

    Process stub = new ProcessBuilder(
        new File(System.getProperty("java.home"), "bin/java").getPath(),
        "-cp", System.getProperty("java.class.path"), StubServer.class.getName())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(stub.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      if (line == null || !line.startsWith("PORT ")) {
        throw new IllegalStateException("stub server did not start: " + line);
      }
      String baseUrl = "http://127.0.0.1:" + line.substring(5).trim() + "/v1";
      run(baseUrl, calls, rounds, warmup);
    } finally {
      stub.getOutputStream().close();
      stub.waitFor();
    }
  }

  private static void run(String baseUrl, int calls, int rounds, int warmup) throws Exception {
    HttpClient rawHttp = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI uri = URI.create(baseUrl + "/chat/completions");
    Client raw = () -> {
      ObjectNode body = MAPPER.createObjectNode().put("model", "gpt-4o-mini");
      body.putArray("messages").addObject().put("role", "user").put("content", "Why route LLM traffic by cost?");
      HttpRequest request = HttpRequest.newBuilder(uri)
          .header("Content-Type", "application/json")
          .header("Authorization", "Bearer bench-key")
          .POST(HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body)))
          .build();
      HttpResponse<byte[]> response = rawHttp.send(request, HttpResponse.BodyHandlers.ofByteArray());
      JsonNode json = MAPPER.readTree(response.body());
      json.path("usage").path("prompt_tokens").asLong();
      return json.path("choices").path(0).path("message").path("content").asText();
    };

    Client rawAsync = () -> {
      ObjectNode body = MAPPER.createObjectNode().put("model", "gpt-4o-mini");
      body.putArray("messages").addObject().put("role", "user").put("content", "Why route LLM traffic by cost?");
      HttpRequest request = HttpRequest.newBuilder(uri)
          .header("Content-Type", "application/json")
          .header("Authorization", "Bearer bench-key")
          .POST(HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body)))
          .build();
      JsonNode json = rawHttp.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
          .thenApply(r -> {
            try {
              return MAPPER.readTree(r.body());
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }).join();
      json.path("usage").path("prompt_tokens").asLong();
      return json.path("choices").path(0).path("message").path("content").asText();
    };

    OpenAiProvider adapter = OpenAiProvider.builder().name("openai").baseUrl(baseUrl)
        .apiKey(dev.switchboard.Secret.of("bench-key")).build();
    ChatRequest local = ChatRequest.of("gpt-4o-mini", "Why route LLM traffic by cost?");
    Client adapterOnly = () -> adapter.chat(local).join().text();

    Switchboard switchboard = Switchboard.builder().provider(OpenAiProvider.builder().name("openai")
        .baseUrl(baseUrl).apiKey(dev.switchboard.Secret.of("bench-key")).build()).build();
    ChatRequest routed = ChatRequest.of("openai/gpt-4o-mini", "Why route LLM traffic by cost?");
    Client chain = () -> {
      ChatResponse r = switchboard.chat(routed);
      return r.text();
    };

    Map<String, Client> clients = new LinkedHashMap<>();
    clients.put("raw java.net.http + Jackson", raw);
    clients.put("raw sendAsync + Jackson", rawAsync);
    clients.put("Switchboard adapter alone", adapterOnly);
    clients.put("Switchboard.chat (full chain)", chain);
    String baseline = System.getProperty("bench.baseline");
    if (baseline != null && !baseline.isBlank()) {
      clients.put("full chain, baseline build", baselineChain(baseline, baseUrl));
    }

    String only = System.getProperty("bench.only");
    if (only != null) {
      clients.keySet().removeIf(k -> !k.startsWith("raw java.net.http") && !k.contains(only));
    }
    for (Client c : clients.values()) {
      for (int i = 0; i < warmup; i++) {
        check(c.call());
      }
    }
    Map<String, long[][]> perRound = new LinkedHashMap<>(); // [round][cpu, wall] nanos
    clients.keySet().forEach(k -> perRound.put(k, new long[rounds][2]));
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    for (int round = 0; round < rounds; round++) {
      for (Map.Entry<String, Client> e : clients.entrySet()) {
        System.gc();
        long cpu0 = os.getProcessCpuTime();
        long wall0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
          check(e.getValue().call());
        }
        perRound.get(e.getKey())[round][0] = os.getProcessCpuTime() - cpu0;
        perRound.get(e.getKey())[round][1] = System.nanoTime() - wall0;
      }
    }
    long[][] rawRounds = perRound.get("raw java.net.http + Jackson");
    System.out.printf(Locale.ROOT, "%d calls x %d rounds each, after %d warm-up calls; Java %s, %d cores, "
        + "common pool parallelism %d; medians over the rounds%n", calls, rounds, warmup,
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
        java.util.concurrent.ForkJoinPool.getCommonPoolParallelism());
    System.out.printf(Locale.ROOT, "%-32s %14s %14s %14s%n", "client", "CPU us/call", "wall us/call",
        "CPU ratio");
    for (Map.Entry<String, long[][]> e : perRound.entrySet()) {
      double cpu = median(e.getValue(), 0, calls);
      double wall = median(e.getValue(), 1, calls);
      double[] ratios = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        ratios[r] = (double) e.getValue()[r][0] / rawRounds[r][0];
      }
      System.out.printf(Locale.ROOT, "%-32s %14.1f %14.1f %13.2fx%n", e.getKey(), cpu, wall, median(ratios));
    }
    switchboard.close();
    adapter.close();
  }

  /**
   * The full chain of another build of Switchboard (e.g. the last commit, for before/after in one
   * run): {@code classDirs} are that build's {@code sdk-core} and {@code sdk-providers} class
   * folders or jars, separated by the path separator. They load in a class loader of their own, with
   * this run's third-party jars (Jackson, SLF4J, Failsafe) and none of its Switchboard classes.
   */
  private static Client baselineChain(String classDirs, String baseUrl) throws Exception {
    java.util.List<java.net.URL> urls = new java.util.ArrayList<>();
    for (String dir : classDirs.split(File.pathSeparator)) {
      urls.add(new File(dir).toURI().toURL());
    }
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.contains("sdk-") && !entry.contains("switchboard")) {
        urls.add(new File(entry).toURI().toURL());
      }
    }
    ClassLoader loader = new java.net.URLClassLoader(urls.toArray(new java.net.URL[0]),
        ClassLoader.getPlatformClassLoader());
    Class<?> secret = loader.loadClass("dev.switchboard.Secret");
    Class<?> adapterType = loader.loadClass("dev.switchboard.spi.ProviderAdapter");
    Object providerBuilder = loader.loadClass("dev.switchboard.providers.openai.OpenAiProvider")
        .getMethod("builder").invoke(null);
    Class<?> pb = providerBuilder.getClass();
    pb.getMethod("name", String.class).invoke(providerBuilder, "openai");
    pb.getMethod("baseUrl", String.class).invoke(providerBuilder, baseUrl);
    pb.getMethod("apiKey", secret).invoke(providerBuilder, secret.getMethod("of", String.class).invoke(null, "bench-key"));
    Object provider = pb.getMethod("build").invoke(providerBuilder);
    Class<?> switchboardType = loader.loadClass("dev.switchboard.Switchboard");
    Object sbBuilder = switchboardType.getMethod("builder").invoke(null);
    sbBuilder.getClass().getMethod("provider", adapterType).invoke(sbBuilder, provider);
    Object sb = sbBuilder.getClass().getMethod("build").invoke(sbBuilder);
    Class<?> requestType = loader.loadClass("dev.switchboard.ChatRequest");
    Object request = requestType.getMethod("of", String.class, String.class)
        .invoke(null, "openai/gpt-4o-mini", "Why route LLM traffic by cost?");
    java.lang.reflect.Method chat = switchboardType.getMethod("chat", requestType);
    java.lang.reflect.Method text = loader.loadClass("dev.switchboard.ChatResponse").getMethod("text");
    return () -> (String) text.invoke(chat.invoke(sb, request));
  }

  /** The median over rounds of column {@code which}, in µs per call. */
  private static double median(long[][] rounds, int which, int calls) {
    double[] values = new double[rounds.length];
    for (int i = 0; i < rounds.length; i++) {
      values[i] = rounds[i][which] / 1000.0 / calls;
    }
    return median(values);
  }

  /** The median of {@code values} (sorted in place). */
  private static double median(double[] values) {
    java.util.Arrays.sort(values);
    int mid = values.length / 2;
    return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
  }

  private static void check(String text) {
    if (text == null || !text.startsWith("Routing by cost")) {
      throw new IllegalStateException("unexpected answer: " + text);
    }
  }
}
