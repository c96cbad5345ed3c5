package dev.switchboard.resilience;

import dev.switchboard.Attempt;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * A stream that plays a script, one step per poll: an event is returned, an exception thrown (and
 * the stream finished), a Runnable run before the next step (e.g. a close arriving from another
 * thread at that moment). It counts closes and may keep playing after one, like an exchange whose
 * cancellation has not landed yet.
 */
final class ScriptedStream implements ChatStream {
  private final Deque<Object> script = new ArrayDeque<>();
  private List<Attempt> attempts = List.of();
  private boolean finished;
  private boolean endsWhenEmpty;
  private boolean ignoresClose;
  private Runnable ready;
  int closes;

  static ScriptedStream of(Object... steps) {
    ScriptedStream s = new ScriptedStream();
    for (Object step : steps) {
      s.script.add(step);
    }
    return s;
  }

  /** Finishes (normally) once the script is played out. */
  ScriptedStream endsWhenEmpty() {
    endsWhenEmpty = true;
    return this;
  }

  /** Keeps playing after close, as if the cancellation had not reached the exchange yet. */
  ScriptedStream ignoresClose() {
    ignoresClose = true;
    return this;
  }

  ScriptedStream recorded(Attempt... recorded) {
    attempts = List.of(recorded);
    return this;
  }

  void add(Object step) {
    script.add(step);
    Runnable r = ready;
    ready = null;
    if (r != null) {
      r.run();
    }
  }

  @Override
  public ChatEvent poll() {
    while (!finished) {
      Object step = script.poll();
      if (step == null) {
        if (endsWhenEmpty) {
          finished = true;
        }
        return null;
      }
      if (step instanceof Runnable r) {
        r.run();
        continue;
      }
      if (step instanceof ChatException e) {
        finished = true;
        throw e;
      }
      return (ChatEvent) step;
    }
    return null;
  }

  @Override
  public boolean isFinished() {
    return finished;
  }

  @Override
  public void onReady(Runnable action) {
    if (!script.isEmpty() || finished) {
      action.run();
    } else {
      ready = action;
    }
  }

  @Override
  public List<Attempt> attempts() {
    return attempts;
  }

  @Override
  public void close() {
    closes++;
    if (!ignoresClose) {
      finished = true;
    }
  }
}
