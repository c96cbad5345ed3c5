package dev.switchboard.testkit;

/**
 * A provider failure named independently of any wire protocol, for {@link Reply#error(ErrorKind)}.
 * Each {@link ProviderEmulator} renders a kind as its provider does: status, headers and error
 * body. The exception each kind should become is checked by {@link ProviderContractTest}.
 * Immutable and thread-safe, as enums are.
 */
public enum ErrorKind {
  /** The prompt does not fit the context window (OpenAI: 400 {@code context_length_exceeded}). */
  CONTEXT_LENGTH,
  /** The prompt was rejected by the provider's content filter (OpenAI/Azure: 400 {@code content_filter}). */
  CONTENT_FILTER,
  /** A malformed request, e.g. an out-of-range parameter (400). */
  INVALID_REQUEST,
  /** The API key is missing or wrong (401). */
  AUTHENTICATION,
  /** The key may not use this model or endpoint (403). */
  PERMISSION,
  /** The provider does not serve the model (404). */
  MODEL_NOT_FOUND,
  /** The provider gave up waiting for the request (408). */
  REQUEST_TIMEOUT,
  /** A transient conflict on the provider's side (409). */
  CONFLICT,
  /** Too many requests or tokens per minute (429); may carry a retry-after hint. */
  RATE_LIMIT,
  /** The account is out of credit (OpenAI: 429 {@code insufficient_quota}). */
  QUOTA,
  /** An internal error of the provider (500). */
  SERVER_ERROR,
  /** A gateway in front of the provider failed and answered with an HTML page (502). */
  BAD_GATEWAY_HTML,
  /** The provider is down or restarting (503). */
  SERVICE_UNAVAILABLE,
  /** The provider is overloaded (529, as Anthropic and some gateways send it). */
  OVERLOADED
}
