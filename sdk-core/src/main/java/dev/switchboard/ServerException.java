package dev.switchboard;

import java.util.List;

/** The provider failed on its side (5xx other than 503) or reported a transient conflict (409). Retryable. Capacity problems are {@link OverloadedException}. */
public class ServerException extends ChatException {
  private static final long serialVersionUID = 1L;

  public ServerException(String message, ErrorDetails details) {
    super(message, details);
  }

  public ServerException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }

  /** A copy of {@code original} that lists {@code attempts}; see {@link ChatException#withAttempts}. */
  protected ServerException(ServerException original, List<Attempt> attempts) {
    super(original, attempts);
  }

  @Override
  public ServerException withAttempts(List<Attempt> attempts) {
    return new ServerException(this, attempts);
  }

  @Override
  protected boolean retryableByDefault() {
    return true;
  }
}
