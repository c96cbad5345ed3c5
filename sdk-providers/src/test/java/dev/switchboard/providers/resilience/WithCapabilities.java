package dev.switchboard.providers.resilience;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.spi.Capabilities;
import dev.switchboard.spi.ProviderAdapter;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** An adapter that declares the given context windows per model and otherwise delegates. */
final class WithCapabilities implements ProviderAdapter {
  private final ProviderAdapter delegate;
  private final Map<String, Integer> contextWindows;

  WithCapabilities(ProviderAdapter delegate, Map<String, Integer> contextWindows) {
    this.delegate = delegate;
    this.contextWindows = contextWindows;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public CompletableFuture<ChatResponse> chat(ChatRequest request) {
    return delegate.chat(request);
  }

  @Override
  public ChatStream stream(ChatRequest request) {
    return delegate.stream(request);
  }

  @Override
  public Capabilities capabilities(String model) {
    Integer window = contextWindows.get(model);
    return window == null ? Capabilities.UNKNOWN : Capabilities.builder().maxContextTokens(window).build();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
