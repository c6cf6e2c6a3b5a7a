package dev.portico.gateway.pipeline;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The due times of one event loop's exchanges (a backend's response timeout, then its body's idle
 * timeout), without a timer per request. Exchanges waiting with the same timeout wait in one FIFO
 * list: each joins its tail when it starts waiting, so the list is in due order and its head is due
 * first. One Vert.x timer per list is armed for the head's due time; when it fires, every waiter
 * due by then expires and the timer is armed again for the new head. A waiter that stops waiting
 * leaves its list in constant time (it is its own list node: nothing is allocated), and no timer is
 * cancelled: one that fires early finds nothing due and is armed again for the head.
 *
 * <p>A request thus costs no timer (Vert.x keeps each timer in a map shared by every event loop,
 * and in its loop's scheduled-task queue); a busy loop arms about one timer per timeout period.
 * Confined to its event loop (one instance per routing verticle): no synchronisation.
 */
final class Deadlines {

  private static final Logger log = LoggerFactory.getLogger(Deadlines.class);

  /** What waits: an exchange. */
  abstract static class Waiter {
    private Waiter prev;
    private Waiter next;
    private Queue queue;
    private long due;

    /**
     * Its due time passed while it was still waiting. Called on the loop, after it left its list.
     */
    abstract void expired(long nowNanos);

    /** Whether it is waiting now. */
    final boolean waiting() {
      return queue != null;
    }
  }

  private final Vertx vertx;

  /** By timeout: a handful at most (one per distinct response timeout), searched linearly. */
  private Queue[] queues = new Queue[0];

  Deadlines(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * {@code w} waits (again) for {@code timeoutMs} from {@code nowNanos}: it leaves its list, if in
   * one, and joins the tail of the list of that timeout.
   */
  void wait(Waiter w, long timeoutMs, long nowNanos) {
    cancel(w);
    queue(timeoutMs).add(w, nowNanos);
  }

  /** {@code w} waits for its current timeout again, from {@code nowNanos} (progress was made). */
  void renew(Waiter w, long nowNanos) {
    Queue q = w.queue;
    if (q != null) {
      q.remove(w);
      q.add(w, nowNanos);
    }
  }

  /** {@code w} stops waiting (no-op when it was not). */
  void cancel(Waiter w) {
    Queue q = w.queue;
    if (q != null) {
      q.remove(w);
    }
  }

  private Queue queue(long timeoutMs) {
    Queue[] qs = queues;
    for (Queue q : qs) {
      if (q.timeoutMs == timeoutMs) {
        return q;
      }
    }
    Queue q = new Queue(timeoutMs);
    Queue[] grown = new Queue[qs.length + 1];
    System.arraycopy(qs, 0, grown, 0, qs.length);
    grown[qs.length] = q;
    queues = grown;
    return q;
  }

  private final class Queue implements Handler<Long> {
    final long timeoutMs;
    final long timeoutNanos;
    Waiter head;
    Waiter tail;

    /** Whether a timer is armed for this list. */
    boolean armed;

    Queue(long timeoutMs) {
      this.timeoutMs = timeoutMs;
      this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    }

    void add(Waiter w, long nowNanos) {
      w.due = nowNanos + timeoutNanos;
      w.queue = this;
      w.prev = tail;
      w.next = null;
      if (tail == null) {
        head = w;
      } else {
        tail.next = w;
      }
      tail = w;
      if (!armed) {
        arm(head.due, nowNanos);
      }
    }

    void remove(Waiter w) {
      if (w.prev == null) {
        head = w.next;
      } else {
        w.prev.next = w.next;
      }
      if (w.next == null) {
        tail = w.prev;
      } else {
        w.next.prev = w.prev;
      }
      w.prev = null;
      w.next = null;
      w.queue = null;
    }

    private void arm(long due, long nowNanos) {
      armed = true;
      // a timer fires at the earliest after its delay: rounding up never expires anything early
      long delayMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(due - nowNanos + 999_999));
      vertx.setTimer(delayMs, this);
    }

    /** The list's timer fired. */
    @Override
    public void handle(Long timerId) {
      armed = false;
      long now = System.nanoTime();
      Waiter w;
      while ((w = head) != null && w.due - now <= 0) {
        remove(w);
        try {
          w.expired(now);
        } catch (RuntimeException e) {
          // one failing waiter must not strand the others (nor the list without a timer)
          log.warn("a waiter failed on expiry", e);
        }
      }
      // expired() may have made others wait (a retry) and so armed the timer again
      if (head != null && !armed) {
        arm(head.due, now);
      }
    }
  }
}
