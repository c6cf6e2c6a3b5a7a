package dev.portico.discovery;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a gateway's routing out of the hole a shared registry leaves when its Redis comes back
 * empty (restarted without persistence, or replaced). Every read of the whole registry (and, while
 * records are kept, every read) passes through {@link #apply} before it becomes the watcher's
 * snapshot:
 *
 * <ul>
 *   <li>a read that lacks one of this gateway's declared instances (or holds it twice) has them
 *       declared again first, and is replaced by a read made after that: the snapshot never takes
 *       the read without them;
 *   <li>after a sign that the registry lost records (the above; a read that comes back empty while
 *       the snapshot was not; the connection to Redis dropping, reported by {@link
 *       #connectionLost}), the records of the snapshot at that moment that later reads lack are
 *       kept for a grace period, while the registry's other writers (the other gateways, the
 *       Service Fabric importers) write theirs again. After it, reads are taken as they are.
 * </ul>
 *
 * A record removed on purpose during the grace period stays routable until it ends; a declared
 * record removed through the admin API is declared again (the configuration declares it).
 */
public final class RegistryHealing implements RegistryWatcher.ReadCheck {

  private static final Logger log = LoggerFactory.getLogger(RegistryHealing.class);
  private static final long OPEN = Long.MAX_VALUE;

  private final Registry registry;
  private final Supplier<RegistrySnapshot> current;
  private final List<InstanceSpec> declared;
  private final long graceNanos;
  private final String graceText;

  /** The snapshot's records when the loss was noticed; {@code null} outside a grace period. */
  private List<ServiceInstance> kept;

  /** When the grace period ends; {@link #OPEN} until the first read after the loss. */
  private long graceUntil;

  /**
   * @param current the watcher's snapshot
   * @param declared this gateway's configured instances ({@link DeclaredInstances})
   * @param grace how long records the registry lost stay routable
   */
  public RegistryHealing(
      Registry registry,
      Supplier<RegistrySnapshot> current,
      List<InstanceSpec> declared,
      Duration grace) {
    this.registry = registry;
    this.current = current;
    this.declared = List.copyOf(declared);
    this.graceNanos = grace.toNanos();
    this.graceText = grace.toString();
  }

  @Override
  public Future<List<ServiceInstance>> apply(
      RegistrySnapshot snapshot, List<ServiceInstance> read) {
    Future<List<ServiceInstance>> fresh;
    if (!declared.isEmpty() && !DeclaredInstances.intact(read, declared)) {
      lost(snapshot, "the registry lacks this gateway's configured instances");
      fresh = DeclaredInstances.declare(registry, declared).compose(done -> registry.instances());
    } else {
      if (read.isEmpty() && !snapshot.all().isEmpty()) {
        lost(snapshot, "the registry came back empty");
      }
      fresh = Future.succeededFuture(read);
    }
    return fresh.map(this::withKept);
  }

  /**
   * Reads of a few announced records need the check only while records are kept: a lost registry
   * shows in reads of every record (periodic, and after the subscription is back).
   */
  @Override
  public synchronized boolean checksPartialReads() {
    return kept != null;
  }

  /**
   * The connection to the registry dropped: whatever is read next may come from an emptied
   * registry.
   */
  public void connectionLost() {
    lost(current.get(), "the connection to the registry dropped");
  }

  private synchronized void lost(RegistrySnapshot snapshot, String why) {
    if (kept != null) {
      return;
    }
    kept = snapshot.all();
    graceUntil = OPEN;
    if (!kept.isEmpty()) {
      log.warn(
          "registry may have lost records ({}): {} records of the last snapshot stay routable for {} after the next"
              + " read while the registry's writers restore theirs{}",
          why,
          kept.size(),
          graceText,
          declared.isEmpty()
              ? ""
              : "; this gateway declares its " + declared.size() + " configured instances again");
    }
  }

  private synchronized List<ServiceInstance> withKept(List<ServiceInstance> read) {
    if (kept == null) {
      return read;
    }
    long now = System.nanoTime();
    if (graceUntil == OPEN) {
      graceUntil = now + graceNanos;
    }
    Set<String> present = new HashSet<>();
    for (ServiceInstance i : read) {
      present.add(identity(i));
    }
    List<ServiceInstance> missing = new ArrayList<>();
    for (ServiceInstance i : kept) {
      if (!present.contains(identity(i))) {
        missing.add(i);
      }
    }
    if (now - graceUntil >= 0) {
      if (!kept.isEmpty()) {
        log.info(
            "registry grace period over: {} records the registry did not get back are dropped",
            missing.size());
      }
      kept = null;
      return read;
    }
    if (missing.isEmpty()) {
      return read;
    }
    List<ServiceInstance> merged = new ArrayList<>(read);
    merged.addAll(missing);
    return merged;
  }

  /**
   * Records of the same service and endpoint are the same instance, whatever their registration
   * ids.
   */
  private static String identity(ServiceInstance i) {
    return i.service() + '|' + i.ssl() + '|' + i.host() + '|' + i.port() + '|' + i.root();
  }
}
