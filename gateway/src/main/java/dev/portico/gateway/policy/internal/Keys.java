package dev.portico.gateway.policy.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Counter keys: short values as they are; long ones (a client's header) by digest, so a key costs
 * bounded memory.
 */
final class Keys {

  static final int MAX_PLAIN = 128;

  private Keys() {}

  static String bounded(String key) {
    if (key.length() <= MAX_PLAIN) {
      return key;
    }
    try {
      return "sha256:"
          + HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
