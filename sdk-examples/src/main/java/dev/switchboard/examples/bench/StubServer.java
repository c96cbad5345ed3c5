package dev.switchboard.examples.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A loopback OpenAI-compatible stub for benchmarks: answers every POST with the same small chat
 * completion. Runs in its own process so the client's CPU time is measured alone. Prints {@code
 * PORT <n>} and stops when its standard input closes.
 */
public final class StubServer {
  static final byte[] BODY = ("{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1732400000,"
      + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
      + "\"content\":\"Routing by cost sends easy queries to cheap models and saves the premium model for hard ones.\","
      + "\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":24,"
      + "\"completion_tokens\":18,\"total_tokens\":42,\"prompt_tokens_details\":{\"cached_tokens\":0},"
      + "\"completion_tokens_details\":{\"reasoning_tokens\":0}},\"system_fingerprint\":\"fp_bench\"}")
      .getBytes(StandardCharsets.UTF_8);

  public static void main(String[] args) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.createContext("/", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        in.readAllBytes();
      }
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.getResponseHeaders().add("x-request-id", "req_bench");
      exchange.sendResponseHeaders(200, BODY.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(BODY);
      }
    });
    server.start();
    System.out.println("PORT " + server.getAddress().getPort());
    System.out.flush();
    while (System.in.read() >= 0) {
      // wait for the parent to close our standard input
    }
    server.stop(0);
    System.exit(0);
  }
}
