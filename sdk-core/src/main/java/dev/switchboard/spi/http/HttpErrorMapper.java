package dev.switchboard.spi.http;

import dev.switchboard.ChatException;
import dev.switchboard.ChatTimeoutException;
import dev.switchboard.ErrorDetails;
import java.net.http.HttpHeaders;
import java.time.Duration;

/**
 * A provider's one error mapper: decides which {@link ChatException} subtype a failed exchange
 * becomes and whether it is retryable. Implementations are stateless or immutable, thread-safe,
 * never throw, and never put secrets into messages ({@link ErrorMapping#redact}).
 */
public interface HttpErrorMapper {

  /** A non-2xx answer with (the start of) its body. */
  ChatException map(int status, HttpHeaders headers, byte[] body, String provider, String model);

  /** A failure without an answer: connect, TLS, reset, a timeout, or what a body reader threw. */
  ChatException mapFailure(Throwable failure, String provider, String model);

  /** The exchange did not finish within {@code limit} and was cancelled. */
  ChatTimeoutException timeout(Duration limit, String provider, String model);

  /** The provider's request id in response headers, or {@code null}. */
  String requestId(HttpHeaders headers);

  /**
   * What an error object inside a 2xx answer means (an error event in a stream, an error body with
   * status 200; {@code origin} says which, for the message). {@link ErrorDetails#statusCode()}
   * stays {@code httpStatus}; {@link ErrorDetails#statusInBody()} is the status it stands for. By
   * default it is mapped as a 500 body: a server failing mid-answer.
   */
  default ChatException mapBodyError(int httpStatus, HttpHeaders headers, com.fasterxml.jackson.databind.JsonNode error,
      String provider, String model, String origin) {
    return map(500, headers, WireJson.write(error).getBytes(java.nio.charset.StandardCharsets.UTF_8), provider, model);
  }

  /** {@code text} without the mapper's secrets and anything that looks like a key or token. */
  default String redact(String text) {
    return ErrorMapping.redact(text, null);
  }

  /** This mapper bound to one request's provider and model, as {@link HttpTransport} asks for it. */
  static HttpTransport.Errors bind(HttpErrorMapper mapper, String provider, String model) {
    return new HttpTransport.Errors() {
      @Override
      public ChatException status(int status, HttpHeaders headers, byte[] body) {
        return mapper.map(status, headers, body, provider, model);
      }

      @Override
      public ChatException failure(Throwable failure) {
        return mapper.mapFailure(failure, provider, model);
      }

      @Override
      public ChatException timeout(Duration limit) {
        return mapper.timeout(limit, provider, model);
      }

      @Override
      public ErrorDetails details(int status, HttpHeaders headers) {
        return ErrorDetails.builder().provider(provider).model(model).statusCode(status)
            .requestId(mapper.requestId(headers)).build();
      }
    };
  }
}
