package dev.switchboard;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Where a {@link ChatException} happened and, when the provider or mapper said so, whether trying
 * again can help (else the exception's type decides, see {@link ChatException#isRetryable()}).
 * Immutable and thread-safe.
 */
public final class ErrorDetails {
  private final String provider;
  private final String model;
  private final int statusCode;
  private final int statusInBody;
  private final String requestId;
  private final String providerCode;
  private final Boolean retryable; // null: not stated
  private final Duration retryAfter;

  private ErrorDetails(Builder b) {
    this.provider = b.provider;
    this.model = b.model;
    this.statusCode = b.statusCode;
    this.statusInBody = b.statusInBody;
    this.requestId = b.requestId;
    this.providerCode = b.providerCode;
    this.retryable = b.retryable;
    this.retryAfter = b.retryAfter;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Details for a failure of {@code provider}/{@code model} before any HTTP status was seen. */
  public static ErrorDetails of(String provider, String model) {
    return builder().provider(provider).model(model).build();
  }

  public String provider() {
    return provider;
  }

  public String model() {
    return model;
  }

  /** The HTTP status, if one was received. */
  public OptionalInt statusCode() {
    return statusCode == 0 ? OptionalInt.empty() : OptionalInt.of(statusCode);
  }

  /**
   * For an error object that arrived inside a 2xx answer (an error event in a stream, an error body
   * with status 200): the status it carried or stands for, e.g. 529 for Anthropic's {@code
   * overloaded_error}, while {@link #statusCode()} stays the HTTP status. Empty for an error status.
   */
  public OptionalInt statusInBody() {
    return statusInBody == 0 ? OptionalInt.empty() : OptionalInt.of(statusInBody);
  }

  public Optional<String> requestId() {
    return Optional.ofNullable(requestId);
  }

  /** The provider's machine-readable error code or type, e.g. {@code insufficient_quota}. */
  public Optional<String> providerCode() {
    return Optional.ofNullable(providerCode);
  }

  /**
   * Whether trying again can help, as stated by whoever made the details; empty when not stated,
   * and then the exception's type decides ({@link ChatException#isRetryable()}).
   */
  public Optional<Boolean> retryable() {
    return Optional.ofNullable(retryable);
  }

  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.provider = provider;
    b.model = model;
    b.statusCode = statusCode;
    b.statusInBody = statusInBody;
    b.requestId = requestId;
    b.providerCode = providerCode;
    b.retryable = retryable;
    b.retryAfter = retryAfter;
    return b;
  }

  @Override
  public String toString() {
    return "ErrorDetails[" + provider + "/" + model
        + (statusCode == 0 ? "" : ", status=" + statusCode)
        + (statusInBody == 0 ? "" : ", statusInBody=" + statusInBody)
        + (providerCode == null ? "" : ", code=" + providerCode)
        + (requestId == null ? "" : ", requestId=" + requestId)
        + (retryable == null ? "" : ", retryable=" + retryable)
        + (retryAfter == null ? "" : ", retryAfter=" + retryAfter) + "]";
  }

  /** Not thread-safe. */
  public static final class Builder {
    private String provider = "";
    private String model = "";
    private int statusCode;
    private int statusInBody;
    private String requestId;
    private String providerCode;
    private Boolean retryable;
    private Duration retryAfter;

    private Builder() {}

    public Builder provider(String provider) {
      this.provider = Objects.requireNonNull(provider, "provider");
      return this;
    }

    public Builder model(String model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    public Builder statusCode(int statusCode) {
      this.statusCode = statusCode;
      return this;
    }

    /** See {@link ErrorDetails#statusInBody()}. */
    public Builder statusInBody(int statusInBody) {
      this.statusInBody = statusInBody;
      return this;
    }

    public Builder requestId(String requestId) {
      this.requestId = requestId;
      return this;
    }

    public Builder providerCode(String providerCode) {
      this.providerCode = providerCode;
      return this;
    }

    /** States whether trying again can help, overriding what the exception's type says. */
    public Builder retryable(boolean retryable) {
      this.retryable = retryable;
      return this;
    }

    public Builder retryAfter(Duration retryAfter) {
      this.retryAfter = retryAfter;
      return this;
    }

    public ErrorDetails build() {
      return new ErrorDetails(this);
    }
  }
}
