package dev.switchboard.spi.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.ChatException;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStreamException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.spi.http.WireJson;
import java.io.IOException;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The provider-neutral failures of a stream decoder: before the first event a failure is the
 * mapped error as is (so it may be retried or fallen back from); afterwards a {@link
 * ChatStreamException} carrying the partial answer. Stateless and thread-safe.
 */
public final class StreamFailures {
  private StreamFailures() {}

  /** The JSON object an error event carries, or {@code {"message": data}} when it is not one. */
  public static JsonNode errorObject(String data) {
    try {
      JsonNode node = WireJson.MAPPER.readTree(data);
      if (node != null && node.isObject()) {
        return node;
      }
    } catch (IOException | RuntimeException notJson) {
      // fall through: the data is the message
    }
    return WireJson.MAPPER.createObjectNode().put("message", data.isEmpty() ? "error event without data" : data);
  }

  /** {@code mapped} before any event, else wrapped with the partial answer. */
  public static ChatException midStreamError(ChatException mapped, String provider, String model, int eventCount,
      Supplier<ChatResponse> partial) {
    if (eventCount == 0) {
      return mapped;
    }
    return new ChatStreamException(provider + " sent an error in the middle of the stream for model '" + model
        + "' after " + eventCount + " events. The partial answer is attached. " + mapped.getMessage(),
        mapped.details(), partial.get(), mapped);
  }

  /** A stream that could not be decoded after {@code eventCount} events; {@code detail} says why. */
  public static ChatStreamException brokenAfterEvents(String detail, String provider, String model, int eventCount,
      UnaryOperator<String> redact, ErrorDetails details, ChatResponse partial, Throwable cause) {
    return new ChatStreamException(redact.apply(provider + " sent a stream for model '" + model
        + "' that broke after " + eventCount + " events: " + detail + ". The partial answer is attached."),
        details, partial, cause);
  }

  /** A connection that failed with {@code error} after {@code eventCount} events. */
  public static ChatStreamException connectionBroke(Throwable error, String provider, String model, int eventCount,
      UnaryOperator<String> redact, ErrorDetails details, ChatResponse partial) {
    String cause = error.getMessage() == null ? error.getClass().getSimpleName()
        : error.getClass().getSimpleName() + ": " + WireJson.excerpt(error.getMessage(), 200);
    return new ChatStreamException(redact.apply("the connection to " + provider + " broke in the middle of the stream "
        + "for model '" + model + "' after " + eventCount + " events (" + cause
        + "). The partial answer is attached; retrying repeats the whole request."), details, partial, error);
  }
}
