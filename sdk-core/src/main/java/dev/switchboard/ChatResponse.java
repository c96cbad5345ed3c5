package dev.switchboard;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The model's answer, normalized across providers. Immutable and thread-safe.
 *
 * <p>{@link #attempts()} lists every exchange that produced this answer (one, unless retries,
 * fallbacks or hedges happened); {@link #usage()} is the usage of the answering attempt. A request
 * for several alternative answers ({@link ChatRequest#choices()}) gets them all in {@link
 * #choices()}; the response's own text, tool calls, reasoning and finish reason are choice 0.
 */
public final class ChatResponse {
  private final String id;
  private final String provider;
  private final String model;
  private final Message message;
  private final String reasoning;
  private final String refusal;
  private final FinishReason finishReason;
  private final String rawFinishReason;
  private final Usage usage;
  private final String requestId;
  private final List<Attempt> attempts;
  private final List<Choice> otherChoices; // index 1 and up
  private final CacheHit cacheHit;
  private final RouteChoice routing;

  /**
   * One alternative answer of a request for several ({@link ChatRequest#choices()}).
   *
   * @param index the provider's choice index, 0 for the response's own answer
   * @param reasoning the choice's reasoning, or {@code null}
   */
  public record Choice(int index, Message message, String reasoning, FinishReason finishReason) {
    public Choice {
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(finishReason, "finishReason");
    }

    public String text() {
      return message.text();
    }
  }

  private ChatResponse(Builder b) {
    this.id = b.id;
    this.provider = b.provider;
    this.model = b.model;
    this.message = b.thinking.isEmpty() ? Message.assistant(b.text.toString(), b.toolCalls)
        : Message.assistant(b.text.toString(), b.toolCalls).toBuilder().thinking(b.thinking).build();
    this.reasoning = b.reasoning;
    this.refusal = b.refusal;
    this.finishReason = b.finishReason;
    this.rawFinishReason = b.rawFinishReason;
    this.usage = b.usage;
    this.requestId = b.requestId;
    this.attempts = List.copyOf(b.attempts);
    this.otherChoices = List.copyOf(b.otherChoices);
    this.cacheHit = b.cacheHit;
    this.routing = b.routing;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The provider's id of this completion, or "" when it gave none. */
  public String id() {
    return id;
  }

  /** The provider name as registered with {@link Switchboard}, e.g. {@code "openai"}. */
  public String provider() {
    return provider;
  }

  /** The model that answered, as the provider named it. */
  public String model() {
    return model;
  }

  /** The assistant turn; append it to the conversation to continue. */
  public Message message() {
    return message;
  }

  public String text() {
    return message.text();
  }

  public List<ToolCall> toolCalls() {
    return message.toolCalls();
  }

  /** The model's reasoning, where the provider exposes it (DeepSeek {@code reasoning_content}, Anthropic thinking). */
  public Optional<String> reasoning() {
    return Optional.ofNullable(reasoning);
  }

  /** The model's refusal message, where the provider reports one separately (OpenAI {@code refusal}). */
  public Optional<String> refusal() {
    return Optional.ofNullable(refusal);
  }

  public FinishReason finishReason() {
    return finishReason;
  }

  /** The provider's own finish word, e.g. {@code "end_turn"}. */
  public Optional<String> rawFinishReason() {
    return Optional.ofNullable(rawFinishReason);
  }

  public Usage usage() {
    return usage;
  }

  /** The provider's request id (e.g. {@code x-request-id}), for support tickets. */
  public Optional<String> requestId() {
    return Optional.ofNullable(requestId);
  }

  public List<Attempt> attempts() {
    return attempts;
  }

  /**
   * What the call cost at the {@code Switchboard}'s prices: the sum over {@link #attempts()} that
   * have a {@linkplain Attempt#cost() cost}, failed, cancelled and fallen-back ones included.
   * {@link Cost#ZERO} when no attempt has one: none was priced, or the answer came from a cache.
   * Estimated when any part is.
   */
  public Cost cost() {
    Cost sum = Cost.ZERO;
    for (Attempt a : attempts) {
      if (a.cost().isPresent()) {
        sum = sum.plus(a.cost().get());
      }
    }
    return sum;
  }

  /**
   * Set when this answer came from a cache rather than a provider: which lookup, the similarity,
   * when it was stored and what it saved. Such a response lists no attempts and costs nothing.
   */
  public Optional<CacheHit> cacheHit() {
    return Optional.ofNullable(cacheHit);
  }

  /** Why the call went to this model, when a router decided it. */
  public Optional<RouteChoice> routing() {
    return Optional.ofNullable(routing);
  }

  /** This answer with {@code routing} as the reason it went where it went; shares everything else. */
  public ChatResponse withRouting(RouteChoice routing) {
    return Objects.equals(routing, this.routing) ? this : new ChatResponse(this, provider, attempts, routing);
  }

  /** Every alternative answer, by index: this response's own as choice 0, then any others. */
  public List<Choice> choices() {
    Choice first = new Choice(0, message, reasoning, finishReason);
    if (otherChoices.isEmpty()) {
      return List.of(first);
    }
    List<Choice> all = new ArrayList<>(1 + otherChoices.size());
    all.add(first);
    all.addAll(otherChoices);
    return List.copyOf(all);
  }

  /** This answer as sent by {@code provider}; shares everything else (no copy of the text). */
  public ChatResponse withProvider(String provider) {
    Objects.requireNonNull(provider, "provider");
    return provider.equals(this.provider) ? this : new ChatResponse(this, provider, attempts);
  }

  /** This answer with {@code attempts} as its list of exchanges; shares everything else. */
  public ChatResponse withAttempts(List<Attempt> attempts) {
    List<Attempt> copy = List.copyOf(attempts);
    return copy.equals(this.attempts) ? this : new ChatResponse(this, provider, copy);
  }

  private ChatResponse(ChatResponse from, String provider, List<Attempt> attempts) {
    this(from, provider, attempts, from.routing);
  }

  private ChatResponse(ChatResponse from, String provider, List<Attempt> attempts, RouteChoice routing) {
    this.id = from.id;
    this.provider = provider;
    this.model = from.model;
    this.message = from.message;
    this.reasoning = from.reasoning;
    this.refusal = from.refusal;
    this.finishReason = from.finishReason;
    this.rawFinishReason = from.rawFinishReason;
    this.usage = from.usage;
    this.requestId = from.requestId;
    this.attempts = attempts;
    this.otherChoices = from.otherChoices;
    this.cacheHit = from.cacheHit;
    this.routing = routing;
  }

  public Builder toBuilder() {
    Builder b = new Builder()
        .id(id)
        .provider(provider)
        .model(model)
        .text(message.text())
        .toolCalls(message.toolCalls())
        .thinking(message.thinking())
        .reasoning(reasoning)
        .refusal(refusal)
        .finishReason(finishReason)
        .rawFinishReason(rawFinishReason)
        .usage(usage)
        .requestId(requestId)
        .attempts(attempts)
        .cacheHit(cacheHit)
        .routing(routing);
    b.otherChoices.addAll(otherChoices);
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChatResponse r
        && id.equals(r.id)
        && provider.equals(r.provider)
        && model.equals(r.model)
        && message.equals(r.message)
        && Objects.equals(reasoning, r.reasoning)
        && Objects.equals(refusal, r.refusal)
        && finishReason == r.finishReason
        && Objects.equals(rawFinishReason, r.rawFinishReason)
        && usage.equals(r.usage)
        && Objects.equals(requestId, r.requestId)
        && attempts.equals(r.attempts)
        && otherChoices.equals(r.otherChoices)
        && Objects.equals(cacheHit, r.cacheHit);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, provider, model, message, reasoning, refusal, finishReason, usage, attempts);
  }

  @Override
  public String toString() {
    String text = message.text();
    return "ChatResponse[" + provider + "/" + model
        + ", finish=" + finishReason
        + ", text=" + (text.length() > 80 ? text.substring(0, 80) + "…" : text)
        + (message.toolCalls().isEmpty() ? "" : ", toolCalls=" + message.toolCalls().size())
        + (refusal == null ? "" : ", refusal")
        + (otherChoices.isEmpty() ? "" : ", choices=" + (1 + otherChoices.size()))
        + ", " + usage + (cost().isZero() ? "" : ", " + cost())
        + (cacheHit == null ? "" : ", " + cacheHit.cache() + " cache hit") + "]";
  }

  /** Not thread-safe. */
  public static final class Builder {
    private String id = "";
    private String provider = "";
    private String model = "";
    private final StringBuilder text = new StringBuilder();
    private final List<ToolCall> toolCalls = new ArrayList<>();
    private String reasoning;
    private String refusal;
    private FinishReason finishReason = FinishReason.STOP;
    private String rawFinishReason;
    private Usage usage = Usage.ZERO;
    private String requestId;
    private final List<Attempt> attempts = new ArrayList<>();
    private final List<Choice> otherChoices = new ArrayList<>();
    private final List<Message.Thinking> thinking = new ArrayList<>();
    private CacheHit cacheHit;
    private RouteChoice routing;

    private Builder() {}

    /** Why the call went to this model ({@code null}: no router decided). */
    public Builder routing(RouteChoice routing) {
      this.routing = routing;
      return this;
    }

    /** Marks the response as answered from a cache ({@code null}: not). */
    public Builder cacheHit(CacheHit cacheHit) {
      this.cacheHit = cacheHit;
      return this;
    }

    /**
     * The reasoning blocks with the provider's signatures, kept on {@link #message()} so that a
     * tool loop can send them back; {@link #reasoning(String)} is their readable text.
     */
    public Builder thinking(List<Message.Thinking> blocks) {
      thinking.clear();
      thinking.addAll(blocks);
      return this;
    }

    public Builder addThinking(Message.Thinking block) {
      thinking.add(Objects.requireNonNull(block, "thinking"));
      return this;
    }

    public Builder id(String id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    public Builder provider(String provider) {
      this.provider = Objects.requireNonNull(provider, "provider");
      return this;
    }

    public Builder model(String model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    public Builder text(String text) {
      this.text.setLength(0);
      this.text.append(Objects.requireNonNull(text, "text"));
      return this;
    }

    public Builder appendText(CharSequence delta) {
      this.text.append(delta);
      return this;
    }

    public Builder toolCalls(List<ToolCall> toolCalls) {
      this.toolCalls.clear();
      this.toolCalls.addAll(toolCalls);
      return this;
    }

    public Builder addToolCall(ToolCall toolCall) {
      this.toolCalls.add(Objects.requireNonNull(toolCall, "toolCall"));
      return this;
    }

    public Builder reasoning(String reasoning) {
      this.reasoning = reasoning;
      return this;
    }

    public Builder refusal(String refusal) {
      this.refusal = refusal;
      return this;
    }

    public Builder finishReason(FinishReason finishReason) {
      this.finishReason = Objects.requireNonNull(finishReason, "finishReason");
      return this;
    }

    public Builder rawFinishReason(String rawFinishReason) {
      this.rawFinishReason = rawFinishReason;
      return this;
    }

    public Builder usage(Usage usage) {
      this.usage = Objects.requireNonNull(usage, "usage");
      return this;
    }

    public Builder requestId(String requestId) {
      this.requestId = requestId;
      return this;
    }

    public Builder attempts(List<Attempt> attempts) {
      this.attempts.clear();
      this.attempts.addAll(attempts);
      return this;
    }

    public Builder addAttempt(Attempt attempt) {
      this.attempts.add(Objects.requireNonNull(attempt, "attempt"));
      return this;
    }

    /** Another alternative answer, index 1 and up; choice 0 is what the rest of the builder holds. */
    public Builder addChoice(Choice choice) {
      if (choice.index() < 1) {
        throw new IllegalArgumentException("ChatResponse.addChoice takes choices 1 and up (choice 0 is the response's "
            + "own text), got index " + choice.index());
      }
      this.otherChoices.add(choice);
      return this;
    }

    public ChatResponse build() {
      return new ChatResponse(this);
    }
  }
}
