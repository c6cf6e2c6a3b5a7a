package dev.portico.gateway.config;

/**
 * What a listener does with encoded slashes and backslashes in request paths ({@code %2F}, {@code
 * %5C}) and with raw backslashes ({@code \}), which backends disagree about: some decode them into
 * separators after the gateway has matched the path, which would let {@code /api/..%2F..%2Fadmin}
 * climb out of the API's base path.
 */
public enum EscapedSlashes {
  /** Refused with {@code 400} (the default, as strict edges do). */
  REJECT,
  /**
   * Decoded into {@code /} before dot segments are removed, the API matched and the path forwarded.
   */
  DECODE,
  /**
   * Kept as received (data within a segment, forwarded encoded); still refused with {@code 400}
   * when reading them as separators would make a dot segment.
   */
  KEEP
}
