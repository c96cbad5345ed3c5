package dev.switchboard;

import dev.switchboard.stream.ChatStreams;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/** The pull-to-push derivations of {@link ChatStream}, written once. */
final class PullStreams {
  private PullStreams() {}

  static Iterator<ChatEvent> blockingIterator(ChatStream stream) {
    return new Iterator<>() {
      private ChatEvent next;

      @Override
      public boolean hasNext() {
        if (next != null) {
          return true;
        }
        while (true) {
          ChatEvent event = stream.poll();
          if (event != null) {
            next = event;
            return true;
          }
          if (stream.isFinished()) {
            return false;
          }
          awaitReady(stream);
        }
      }

      @Override
      public ChatEvent next() {
        if (!hasNext()) {
          throw new NoSuchElementException("the stream has no more events");
        }
        ChatEvent event = next;
        next = null;
        return event;
      }
    };
  }

  private static void awaitReady(ChatStream stream) {
    Thread waiter = Thread.currentThread();
    AtomicBoolean ready = new AtomicBoolean();
    stream.onReady(() -> {
      ready.set(true);
      LockSupport.unpark(waiter);
    });
    while (!ready.get()) {
      LockSupport.park(stream);
      if (Thread.interrupted()) {
        stream.close();
        Thread.currentThread().interrupt();
        throw new ChatException("interrupted while waiting for the stream; the stream was closed",
            ErrorDetails.of("", ""));
      }
    }
  }

  static ChatResponse collect(ChatStream stream) {
    try (stream) {
      ChatResponse response = null;
      for (ChatEvent event : stream) {
        if (event instanceof ChatEvent.Completed c) {
          response = c.response();
        }
      }
      if (response == null) {
        throw ChatStreams.closedByCaller();
      }
      return response;
    }
  }

  static void subscribe(ChatStream stream, ChatStreamHandler handler) {
    new Drain(stream, handler, null).run();
  }

  static Flow.Publisher<ChatEvent> publisher(ChatStream stream) {
    AtomicBoolean subscribed = new AtomicBoolean();
    return subscriber -> {
      if (!subscribed.compareAndSet(false, true)) {
        subscriber.onSubscribe(new Flow.Subscription() {
          @Override
          public void request(long n) {}

          @Override
          public void cancel() {}
        });
        subscriber.onError(new IllegalStateException("a ChatStream publisher takes a single subscriber"));
        return;
      }
      AtomicLong demand = new AtomicLong();
      AtomicBoolean terminated = new AtomicBoolean();
      Drain drain = new Drain(stream, new ChatStreamHandler() {
        @Override
        public void onEvent(ChatEvent event) {
          subscriber.onNext(event);
        }

        @Override
        public void onComplete(ChatResponse response) {
          if (terminated.compareAndSet(false, true)) {
            subscriber.onComplete();
          }
        }

        @Override
        public void onError(ChatException error) {
          if (terminated.compareAndSet(false, true)) {
            subscriber.onError(error);
          }
        }
      }, demand);
      subscriber.onSubscribe(new Flow.Subscription() {
        @Override
        public void request(long n) {
          if (n <= 0) {
            drain.cancel();
            if (terminated.compareAndSet(false, true)) {
              subscriber.onError(new IllegalArgumentException("Flow.Subscription.request(n) needs n > 0, got " + n));
            }
            return;
          }
          demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
          drain.run();
        }

        @Override
        public void cancel() {
          drain.cancel();
        }
      });
    };
  }

  /** Drains a stream into a handler whenever it is ready; re-entrant calls fold into one loop. */
  private static final class Drain implements Runnable {
    private final ChatStream stream;
    private final ChatStreamHandler handler;
    private final AtomicLong demand; // null: unbounded
    private final AtomicInteger wip = new AtomicInteger();
    private volatile boolean done;

    Drain(ChatStream stream, ChatStreamHandler handler, AtomicLong demand) {
      this.stream = stream;
      this.handler = handler;
      this.demand = demand;
    }

    void cancel() {
      done = true;
      stream.close();
    }

    @Override
    public void run() {
      if (wip.getAndIncrement() != 0) {
        return;
      }
      int missed = 1;
      do {
        drainOnce();
        missed = wip.addAndGet(-missed);
      } while (missed != 0);
    }

    private void drainOnce() {
      while (!done) {
        if (demand != null && demand.get() == 0) {
          return;
        }
        ChatEvent event;
        try {
          event = stream.poll();
        } catch (ChatException e) {
          done = true;
          handler.onError(e);
          return;
        } catch (RuntimeException e) {
          done = true;
          stream.close();
          handler.onError(new ChatException("the stream failed: " + e, ErrorDetails.of("", ""), e));
          return;
        }
        if (event == null) {
          if (stream.isFinished()) {
            done = true;
            handler.onError(ChatStreams.closedByCaller());
          } else {
            stream.onReady(this);
          }
          return;
        }
        if (demand != null) {
          demand.decrementAndGet();
        }
        try {
          handler.onEvent(event);
        } catch (RuntimeException e) {
          done = true;
          stream.close();
          handler.onError(e instanceof ChatException ce ? ce
              : new ChatException("the stream handler threw " + e, ErrorDetails.of("", ""), e));
          return;
        }
        if (event instanceof ChatEvent.Completed c) {
          // Completed is always the last event: finish without waiting for more demand.
          done = true;
          stream.close();
          handler.onComplete(c.response());
          return;
        }
      }
    }
  }
}
