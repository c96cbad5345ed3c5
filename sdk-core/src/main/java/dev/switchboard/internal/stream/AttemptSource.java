package dev.switchboard.internal.stream;

import dev.switchboard.Attempt;
import dev.switchboard.ChatStream;
import java.util.List;

/** A stream that knows the exchanges it made so far (recorded when each ended). Not API. */
public interface AttemptSource {
  List<Attempt> attempts();

  /** The attempts {@code stream} recorded, if it knows them. */
  static List<Attempt> of(ChatStream stream) {
    return stream instanceof AttemptSource s ? s.attempts() : List.of();
  }
}
