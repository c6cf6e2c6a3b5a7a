package dev.portico.gateway.config.internal;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The names and addresses by which this machine reaches itself: loopback, wildcard, the host name,
 * and every interface address. Used to refuse backends that point at the gateway's own listener.
 * Addresses are compared literally; host names other than the machine's own are not resolved
 * (configuration must not depend on DNS answers at start-up).
 */
final class LocalAddresses {

  private final Set<String> names;

  public LocalAddresses(Set<String> names) {
    this.names = Set.copyOf(names);
  }

  public static LocalAddresses detect() {
    Set<String> names =
        new HashSet<>(
            Set.of("localhost", "0.0.0.0", "::", "::1", "0:0:0:0:0:0:0:1", "ip6-localhost"));
    try {
      names.add(InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT));
    } catch (Exception ignored) {
      // no resolvable host name: loopback and interfaces still count
    }
    try {
      var interfaces = NetworkInterface.getNetworkInterfaces();
      while (interfaces != null && interfaces.hasMoreElements()) {
        var addresses = interfaces.nextElement().getInetAddresses();
        while (addresses.hasMoreElements()) {
          String a = addresses.nextElement().getHostAddress();
          int scope = a.indexOf('%');
          names.add((scope >= 0 ? a.substring(0, scope) : a).toLowerCase(Locale.ROOT));
        }
      }
    } catch (SocketException ignored) {
      // interfaces unavailable: loopback still counts
    }
    return new LocalAddresses(names);
  }

  public boolean isLocal(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.startsWith("127.") || names.contains(h);
  }
}
