package dev.portico.fabric;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * The address string one replica published, parsed once into its listeners so that choosing a
 * listener per request allocates nothing on success. Immutable and thread-safe.
 *
 * <p>How a published string is read:
 *
 * <ul>
 *   <li>{@code {"Endpoints":{"<listener>":"<address>",...}}}: a listener collection, in published
 *       order ({@code ""} is the default listener's name; escaped slashes are ordinary JSON);
 *   <li>{@code ""}: an empty collection (the .NET runtime publishes an empty collection so); a
 *       whitespace-only string is read the same way, as it can never be an address;
 *   <li>a JSON object with no {@code Endpoints} member (or {@code "Endpoints":null}): an empty
 *       collection. Both Service Fabric parsers (the .NET {@code DataContractJsonSerializer} and
 *       the reverse proxy's {@code JsonHelper}) accept such an object as a collection with no
 *       entries rather than falling back to the raw string;
 *   <li>anything else (not JSON, or JSON whose {@code Endpoints} is not an object of strings): a
 *       raw address, kept as published but trimmed. Like Service Fabric's clients, a raw address is
 *       used as-is, and only when no listener name is asked for.
 * </ul>
 *
 * Listener addresses are trimmed of surrounding whitespace; listener names are kept exactly.
 */
public final class EndpointAddresses {

  /** The empty collection ({@code ""}). */
  public static final EndpointAddresses EMPTY = new EndpointAddresses("", null, List.of());

  private final String published;
  private final ListenerEndpoint raw; // non-null only for a raw address
  private final List<ListenerEndpoint> listeners; // published order; empty for raw
  private final ListenerChoice.Chosen[] chosen; // parallel to listeners
  private final int[] proxyOrder; // http/https listeners, by ordinal name
  private final List<String> clientNames;
  private final List<String> proxyNames;
  private final ListenerChoice clientDefault;
  private final ListenerChoice proxyDefault;

  private EndpointAddresses(
      String published, ListenerEndpoint raw, List<ListenerEndpoint> listeners) {
    this.published = published;
    this.raw = raw;
    this.listeners = List.copyOf(listeners);
    int n = listeners.size();
    this.chosen = new ListenerChoice.Chosen[n];
    List<String> names = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      chosen[i] = new ListenerChoice.Chosen(listeners.get(i));
      names.add(listeners.get(i).name());
    }
    this.clientNames = List.copyOf(names);
    this.proxyOrder =
        IntStream.range(0, n)
            .filter(i -> listeners.get(i).isHttp())
            .boxed()
            .sorted((a, b) -> listeners.get(a).name().compareTo(listeners.get(b).name()))
            .mapToInt(Integer::intValue)
            .toArray();
    List<String> http = new ArrayList<>(proxyOrder.length);
    for (int i : proxyOrder) {
      http.add(listeners.get(i).name());
    }
    this.proxyNames = List.copyOf(http);

    if (raw != null) {
      ListenerChoice rawChoice = new ListenerChoice.Chosen(raw);
      this.clientDefault = rawChoice;
      this.proxyDefault =
          raw.isHttp()
              ? rawChoice
              : unavailable(
                  Optional.empty(),
                  List.of(),
                  "The replica published the address \""
                      + raw.address()
                      + "\", which is not an http/https URL");
    } else if (n == 0) {
      ListenerChoice none =
          unavailable(Optional.empty(), List.of(), "The replica published no listeners");
      this.clientDefault = none;
      this.proxyDefault = none;
    } else {
      this.clientDefault = chosen[0];
      this.proxyDefault =
          proxyOrder.length > 0
              ? chosen[proxyOrder[0]]
              : unavailable(
                  Optional.empty(),
                  List.of(),
                  "The replica published no http/https listener; listeners: "
                      + describe(listeners));
    }
  }

  /** Reads a replica's published address string (see the class comment for the rules). */
  public static EndpointAddresses parse(String published) {
    Objects.requireNonNull(published, "published");
    if (published.isEmpty()) {
      return EMPTY;
    }
    String trimmed = published.strip();
    if (trimmed.isEmpty()) {
      return new EndpointAddresses(published, null, List.of());
    }
    if (trimmed.charAt(0) != '{') {
      return new EndpointAddresses(published, new ListenerEndpoint("", trimmed), List.of());
    }
    JsonObject json;
    try {
      json = new JsonObject(trimmed);
    } catch (DecodeException e) {
      return new EndpointAddresses(published, new ListenerEndpoint("", trimmed), List.of());
    }
    Object endpoints = json.getValue("Endpoints");
    if (endpoints == null) {
      return new EndpointAddresses(published, null, List.of());
    }
    if (!(endpoints instanceof JsonObject)) {
      return new EndpointAddresses(published, new ListenerEndpoint("", trimmed), List.of());
    }
    List<ListenerEndpoint> listeners = new ArrayList<>();
    for (Map.Entry<String, Object> entry : (JsonObject) endpoints) {
      if (!(entry.getValue() instanceof String)) {
        return new EndpointAddresses(published, new ListenerEndpoint("", trimmed), List.of());
      }
      listeners.add(new ListenerEndpoint(entry.getKey(), ((String) entry.getValue()).strip()));
    }
    return new EndpointAddresses(published, null, listeners);
  }

  /** The string exactly as the replica published it. */
  public String published() {
    return published;
  }

  /** The listeners in published order; empty for an empty collection and for a raw address. */
  public List<ListenerEndpoint> listeners() {
    return listeners;
  }

  /** The raw (trimmed) address when the published string is not a listener collection. */
  public Optional<String> raw() {
    return raw == null ? Optional.empty() : Optional.of(raw.address());
  }

  public boolean isRaw() {
    return raw != null;
  }

  /** True when nothing can ever be selected: no listeners and no raw address. */
  public boolean isEmpty() {
    return raw == null && listeners.isEmpty();
  }

  /**
   * Picks the listener a request goes to. An empty name counts as no name, as in Service Fabric;
   * the default listener {@code ""} is then chosen whenever it is first ({@code CLIENT}) or is an
   * http/https listener ({@code REVERSE_PROXY}, where {@code ""} sorts first).
   */
  public ListenerChoice select(Optional<String> listenerName, ListenerSelection mode) {
    Objects.requireNonNull(listenerName, "listenerName");
    Objects.requireNonNull(mode, "mode");
    String asked = listenerName.orElse("");
    boolean client = mode == ListenerSelection.CLIENT;
    if (asked.isEmpty()) {
      return client ? clientDefault : proxyDefault;
    }
    if (raw != null) {
      return unavailable(
          listenerName,
          List.of(),
          "Listener \""
              + asked
              + "\" was asked for, but the replica published a plain address (\""
              + raw.address()
              + "\"), not a listener collection");
    }
    if (client) {
      for (int i = 0; i < chosen.length; i++) {
        if (listeners.get(i).name().equals(asked)) {
          return chosen[i];
        }
      }
      return unavailable(
          listenerName,
          clientNames,
          "No listener is named \""
              + asked
              + "\" (exact match); listeners: "
              + quoted(clientNames));
    }
    for (int i : proxyOrder) {
      if (listeners.get(i).name().equalsIgnoreCase(asked)) {
        return chosen[i];
      }
    }
    for (ListenerEndpoint l : listeners) {
      if (l.name().equalsIgnoreCase(asked)) {
        return unavailable(
            listenerName,
            proxyNames,
            "Listener \""
                + l.name()
                + "\" publishes \""
                + l.address()
                + "\", which is not an http/https URL; http/https listeners: "
                + quoted(proxyNames));
      }
    }
    return unavailable(
        listenerName,
        proxyNames,
        "No http/https listener is named \""
            + asked
            + "\" (case-insensitive); http/https listeners: "
            + quoted(proxyNames));
  }

  private static ListenerChoice unavailable(
      Optional<String> asked, List<String> available, String message) {
    return new ListenerChoice.Unavailable(asked, available, message);
  }

  private static String describe(List<ListenerEndpoint> listeners) {
    List<String> parts = new ArrayList<>(listeners.size());
    for (ListenerEndpoint l : listeners) {
      parts.add('"' + l.name() + "\" -> \"" + l.address() + '"');
    }
    return parts.toString();
  }

  private static String quoted(List<String> names) {
    String[] parts = new String[names.size()];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = '"' + names.get(i) + '"';
    }
    return Arrays.toString(parts);
  }

  /** Equal when published identically: parsing is deterministic. */
  @Override
  public boolean equals(Object o) {
    return o instanceof EndpointAddresses && ((EndpointAddresses) o).published.equals(published);
  }

  @Override
  public int hashCode() {
    return published.hashCode();
  }

  @Override
  public String toString() {
    return raw != null
        ? "EndpointAddresses[raw=" + raw.address() + "]"
        : "EndpointAddresses" + (listeners.isEmpty() ? "[]" : describe(listeners));
  }
}
