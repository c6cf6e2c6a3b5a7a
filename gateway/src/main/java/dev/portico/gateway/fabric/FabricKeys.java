package dev.portico.gateway.fabric;

import dev.portico.fabric.InvalidPartitionKeyException;
import dev.portico.fabric.PartitionKey;
import dev.portico.fabric.PartitionKind;
import dev.portico.fabric.PartitionLookup;
import dev.portico.fabric.resolve.IndexedService;
import dev.portico.fabric.resolve.ResolutionFailure;

/**
 * Turns the key text a request carries into a {@link PartitionKey}: of the kind named ({@code
 * PartitionKind} on the reverse-proxy listener), else of the service's own partition kind. A text
 * that is no key of that kind is an invalid key (400), never a guess at another kind.
 */
public final class FabricKeys {

  private FabricKeys() {}

  /**
   * @param text the key text, {@code null} when the request carries none
   * @param kind the partition kind the request names, {@code null} to take the service's
   * @param absence why there is no text, for the message (e.g. "the request has no X-Tenant
   *     header")
   * @return a {@link PartitionKey}, or a {@link ResolutionFailure.InvalidKey}
   */
  public static Object key(IndexedService service, String text, String kind, String absence) {
    if (kind != null && !kind.isEmpty()) {
      try {
        return PartitionKey.parse(kind, text);
      } catch (InvalidPartitionKeyException e) {
        return invalid(service, text, e.getMessage());
      }
    }
    PartitionKind own = service.table().kind();
    switch (own) {
      case SINGLETON:
        if (text != null) {
          return invalid(
              service,
              text,
              "the service is Singleton and takes no partition key, got \"" + text + "\"");
        }
        return PartitionKey.none();
      case INT64_RANGE:
        if (text == null) {
          return invalid(
              service, null, "the service is partitioned Int64Range and needs a key: " + absence);
        }
        try {
          return PartitionKey.int64(Long.parseLong(text.strip()));
        } catch (NumberFormatException e) {
          return invalid(
              service,
              text,
              "the service is partitioned Int64Range and \"" + text + "\" is not a 64-bit integer");
        }
      default:
        if (text == null) {
          return invalid(
              service, null, "the service is partitioned Named and needs a key: " + absence);
        }
        return PartitionKey.named(text);
    }
  }

  private static ResolutionFailure.InvalidKey invalid(
      IndexedService service, String text, String why) {
    return new ResolutionFailure.InvalidKey(
        service.name(),
        text == null || text.isEmpty() ? PartitionKey.none() : PartitionKey.named(text),
        PartitionLookup.Reason.KEY_KIND_MISMATCH,
        "Service "
            + service.name()
            + ", key "
            + (text == null ? "(none)" : "\"" + text + "\"")
            + ": "
            + why);
  }
}
