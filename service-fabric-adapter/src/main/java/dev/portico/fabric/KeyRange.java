package dev.portico.fabric;

import java.math.BigInteger;

/** An inclusive int64 key range {@code [low, high]}. */
public record KeyRange(long low, long high) {

  public KeyRange {
    if (low > high) {
      throw new IllegalArgumentException("Key range low " + low + " is greater than high " + high);
    }
  }

  public boolean contains(long key) {
    return key >= low && key <= high;
  }

  /** The number of keys, which for the full int64 range (2^64) does not fit a long. */
  public BigInteger keyCount() {
    return BigInteger.valueOf(high).subtract(BigInteger.valueOf(low)).add(BigInteger.ONE);
  }

  @Override
  public String toString() {
    return "[" + low + ", " + high + "]";
  }
}
