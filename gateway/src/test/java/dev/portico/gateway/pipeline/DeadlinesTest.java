package dev.portico.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Exchange timeouts without a timer per exchange: who expires, in which order (no timing asserted).
 */
@ExtendWith(VertxExtension.class)
class DeadlinesTest {

  private static final class Named extends Deadlines.Waiter {
    final String name;
    final List<String> expired;

    Named(String name, List<String> expired) {
      this.name = name;
      this.expired = expired;
    }

    @Override
    void expired(long nowNanos) {
      expired.add(name);
    }
  }

  @Test
  void waitersExpireInDueOrderAndCancelledOnesNever(Vertx vertx) {
    List<String> expired = new CopyOnWriteArrayList<>();
    Context loop = vertx.getOrCreateContext();
    Deadlines deadlines = new Deadlines(vertx);
    Named cancelled = new Named("cancelled", expired);
    Named first = new Named("first", expired);
    Named shortOne = new Named("short", expired);
    Named renewed = new Named("renewed", expired);
    Named plain = new Named("plain", expired);
    loop.runOnContext(
        v -> {
          long now = System.nanoTime();
          deadlines.wait(cancelled, 100, now);
          deadlines.wait(first, 100, now);
          deadlines.wait(shortOne, 30, now);
          deadlines.cancel(cancelled);
          deadlines.wait(renewed, 150, now);
          deadlines.wait(plain, 150, now);
          // progress on 'renewed' for a while: it waits its timeout again from each renewal
          AtomicInteger renewals = new AtomicInteger();
          vertx.setPeriodic(
              20,
              id -> {
                if (renewals.incrementAndGet() == 12) {
                  vertx.cancelTimer(id);
                }
                deadlines.renew(renewed, System.nanoTime());
              });
        });
    await().atMost(10, TimeUnit.SECONDS).until(() -> expired.size() == 4);
    assertThat(expired).containsExactly("short", "first", "plain", "renewed");
    assertThat(cancelled.waiting()).isFalse();
    assertThat(renewed.waiting()).isFalse();
  }

  @Test
  void aWaiterExpiringCanWaitAgainAndAnEmptyListRearmsForTheNextOne(Vertx vertx) {
    List<String> expired = new CopyOnWriteArrayList<>();
    Context loop = vertx.getOrCreateContext();
    Deadlines deadlines = new Deadlines(vertx);
    AtomicInteger rounds = new AtomicInteger();
    Deadlines.Waiter again =
        new Deadlines.Waiter() {
          @Override
          void expired(long nowNanos) {
            expired.add("again-" + rounds.get());
            // a retry: the expired exchange waits again, from the expiry
            if (rounds.incrementAndGet() < 3) {
              deadlines.wait(this, 20, nowNanos);
            }
          }
        };
    loop.runOnContext(v -> deadlines.wait(again, 20, System.nanoTime()));
    await().atMost(10, TimeUnit.SECONDS).until(() -> expired.size() == 3);
    // the list is empty now; a newcomer still gets its timer
    Named late = new Named("late", expired);
    loop.runOnContext(v -> deadlines.wait(late, 20, System.nanoTime()));
    await().atMost(10, TimeUnit.SECONDS).until(() -> expired.size() == 4);
    assertThat(expired).containsExactly("again-0", "again-1", "again-2", "late");
  }

  @Test
  void aWaiterFailingOnExpiryStrandsNeitherTheOthersNorTheList(Vertx vertx) {
    List<String> expired = new CopyOnWriteArrayList<>();
    Context loop = vertx.getOrCreateContext();
    Deadlines deadlines = new Deadlines(vertx);
    Deadlines.Waiter failing =
        new Deadlines.Waiter() {
          @Override
          void expired(long nowNanos) {
            expired.add("failing");
            throw new IllegalStateException("a bug in one exchange");
          }
        };
    Named after = new Named("after", expired);
    loop.runOnContext(
        v -> {
          long now = System.nanoTime();
          deadlines.wait(failing, 20, now);
          deadlines.wait(after, 20, now);
        });
    await().atMost(10, TimeUnit.SECONDS).until(() -> expired.size() == 2);
    // the list still has its timer for a newcomer
    Named late = new Named("late", expired);
    loop.runOnContext(v -> deadlines.wait(late, 20, System.nanoTime()));
    await().atMost(10, TimeUnit.SECONDS).until(() -> expired.size() == 3);
    assertThat(expired).containsExactly("failing", "after", "late");
  }
}
