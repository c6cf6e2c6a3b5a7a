package dev.portico.fabric;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;

/** The outcome of {@link EndpointAddresses#select}: a listener, or why none fits. */
public sealed interface ListenerChoice permits ListenerChoice.Chosen, ListenerChoice.Unavailable {

  /** The chosen listener, or empty. */
  Optional<ListenerEndpoint> endpoint();

  /** The chosen listener, or a {@link NoSuchElementException} with the reason. */
  ListenerEndpoint orElseThrow();

  record Chosen(ListenerEndpoint listener) implements ListenerChoice {
    public Chosen {
      Objects.requireNonNull(listener, "listener");
    }

    @Override
    public Optional<ListenerEndpoint> endpoint() {
      return Optional.of(listener);
    }

    @Override
    public ListenerEndpoint orElseThrow() {
      return listener;
    }
  }

  /**
   * No listener fits. {@code asked} is the listener name asked for (empty when none was); {@code
   * available} are the names that could have been chosen under the selection's rules.
   */
  record Unavailable(Optional<String> asked, List<String> available, String message)
      implements ListenerChoice {
    public Unavailable {
      Objects.requireNonNull(asked, "asked");
      available = List.copyOf(available);
      Objects.requireNonNull(message, "message");
    }

    @Override
    public Optional<ListenerEndpoint> endpoint() {
      return Optional.empty();
    }

    @Override
    public ListenerEndpoint orElseThrow() {
      throw new NoSuchElementException(message);
    }
  }
}
