package dev.switchboard;

/** The provider's answer could not be understood: malformed JSON, a missing field it promised, or a body over the size limit. Not retryable by default. */
public class DecodingException extends ChatException {
  private static final long serialVersionUID = 1L;

  public DecodingException(String message, ErrorDetails details) {
    super(message, details);
  }

  public DecodingException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }
}
