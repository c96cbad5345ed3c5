package dev.switchboard;

import dev.switchboard.stream.PushChatStream;
import dev.switchboard.spi.ProviderAdapter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A provider whose exchanges the test completes by hand. */
public class FakeAdapter implements ProviderAdapter {
  final String name;
  public final List<ChatRequest> requests = new CopyOnWriteArrayList<>();
  public final List<CompletableFuture<ChatResponse>> calls = new CopyOnWriteArrayList<>();
  public final List<dev.switchboard.stream.PushChatStream> streams = new ArrayList<>();
  public final java.util.Map<String, dev.switchboard.spi.Capabilities> capabilities = new java.util.HashMap<>();
  boolean closed;

  public FakeAdapter(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CompletableFuture<ChatResponse> chat(ChatRequest request) {
    requests.add(request);
    CompletableFuture<ChatResponse> f = new CompletableFuture<>();
    calls.add(f);
    return f;
  }

  @Override
  public ChatStream stream(ChatRequest request) {
    requests.add(request);
    PushChatStream s = new PushChatStream();
    streams.add(s);
    return s;
  }

  @Override
  public dev.switchboard.spi.Capabilities capabilities(String model) {
    return capabilities.getOrDefault(model, dev.switchboard.spi.Capabilities.UNKNOWN);
  }

  public static ChatResponse answer(String text) {
    return ChatResponse.builder().id("r1").model("m").text(text).usage(Usage.of(3, 2)).build();
  }

  @Override
  public void close() {
    closed = true;
  }
}
