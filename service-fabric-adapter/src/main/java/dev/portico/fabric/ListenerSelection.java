package dev.portico.fabric;

/** Whose rules pick a listener out of a replica's published endpoints. */
public enum ListenerSelection {
  /**
   * The .NET client: no name asked takes the first listener as published; a name asked must match
   * exactly. Any address scheme is acceptable.
   */
  CLIENT,
  /**
   * The Service Fabric reverse proxy: only http/https addresses count; no name asked takes the
   * smallest listener name in ordinal (UTF-16 code unit) order, which is the order of the proxy's
   * {@code std::map<wstring, wstring>}; names match case-insensitively.
   */
  REVERSE_PROXY
}
