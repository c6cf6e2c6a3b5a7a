package dev.portico.gateway.policy.internal;

import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A set of IP address ranges, IPv4 and IPv6 in one 128-bit space: an IPv4 address is its
 * IPv4-mapped IPv6 form ({@code ::ffff:a.b.c.d}), so {@code 10.0.0.0/8} also matches a client seen
 * as {@code ::ffff:10.1.2.3}. Ranges are merged and searched by bisection. Immutable.
 */
public final class IpRanges {

  private static final long MAPPED_HI = 0L;
  private static final long MAPPED_LO_PREFIX = 0x0000_ffff_0000_0000L;

  private final long[] startHi;
  private final long[] startLo;
  private final long[] endHi;
  private final long[] endLo;

  private IpRanges(long[] startHi, long[] startLo, long[] endHi, long[] endLo) {
    this.startHi = startHi;
    this.startLo = startLo;
    this.endHi = endHi;
    this.endLo = endLo;
  }

  /** A 128-bit address as two unsigned halves. */
  public record Address(long hi, long lo) {}

  private record Range(long sHi, long sLo, long eHi, long eLo) {}

  /**
   * Collects ranges; {@link #add} and {@link #addRange} throw {@link IllegalArgumentException} with
   * a user-facing reason.
   */
  public static final class Builder {
    private final List<Range> ranges = new ArrayList<>();

    /**
     * An address ({@code 192.0.2.1}, {@code 2001:db8::1}) or a CIDR block ({@code 10.0.0.0/8},
     * {@code 2001:db8::/32}).
     */
    public Builder add(String text) {
      String t = text.trim();
      int slash = t.indexOf('/');
      String addr = slash < 0 ? t : t.substring(0, slash);
      boolean v4 = NetUtil.isValidIpV4Address(addr);
      Address a = parse(addr);
      if (a == null) {
        throw new IllegalArgumentException(
            "'"
                + text
                + "' is not an IP address or CIDR block (examples: 192.0.2.1, 10.0.0.0/8, 2001:db8::/32)");
      }
      if (slash < 0) {
        ranges.add(new Range(a.hi, a.lo, a.hi, a.lo));
        return this;
      }
      int bits;
      try {
        bits = Integer.parseInt(t.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "'" + text + "': the prefix length after '/' must be a number");
      }
      int max = v4 ? 32 : 128;
      if (bits < 0 || bits > max) {
        throw new IllegalArgumentException("'" + text + "': the prefix length must be 0.." + max);
      }
      int prefix = v4 ? bits + 96 : bits;
      long maskHi = prefix >= 64 ? -1L : prefix == 0 ? 0L : -1L << (64 - prefix);
      long maskLo = prefix <= 64 ? 0L : prefix == 128 ? -1L : -1L << (128 - prefix);
      if ((a.hi & ~maskHi) != 0 || (a.lo & ~maskLo) != 0) {
        throw new IllegalArgumentException(
            "'"
                + text
                + "' has bits set after the /"
                + bits
                + " prefix (did you mean "
                + format(new Address(a.hi & maskHi, a.lo & maskLo), v4)
                + "/"
                + bits
                + "?)");
      }
      ranges.add(new Range(a.hi, a.lo, a.hi | ~maskHi, a.lo | ~maskLo));
      return this;
    }

    /**
     * Every address from {@code from} to {@code to}, both included (APIM's {@code address-range}).
     */
    public Builder addRange(String from, String to) {
      Address a = parse(from.trim());
      Address b = parse(to.trim());
      if (a == null || b == null) {
        throw new IllegalArgumentException(
            "'" + (a == null ? from : to) + "' is not an IP address");
      }
      if (NetUtil.isValidIpV4Address(from.trim()) != NetUtil.isValidIpV4Address(to.trim())) {
        throw new IllegalArgumentException("range " + from + " to " + to + " mixes IPv4 and IPv6");
      }
      if (compare(a.hi, a.lo, b.hi, b.lo) > 0) {
        throw new IllegalArgumentException(
            "range " + from + " to " + to + " ends before it starts");
      }
      ranges.add(new Range(a.hi, a.lo, b.hi, b.lo));
      return this;
    }

    public IpRanges build() {
      List<Range> sorted = new ArrayList<>(ranges);
      sorted.sort(
          Comparator.<Range>comparingLong(r -> r.sHi ^ Long.MIN_VALUE)
              .thenComparingLong(r -> r.sLo ^ Long.MIN_VALUE));
      List<Range> merged = new ArrayList<>();
      for (Range r : sorted) {
        if (!merged.isEmpty()) {
          Range last = merged.get(merged.size() - 1);
          // overlapping or adjacent (last.end + 1 >= r.start): merge
          boolean touches =
              compare(r.sHi, r.sLo, last.eHi, last.eLo) <= 0
                  || (last.eLo != -1L
                      ? r.sHi == last.eHi && r.sLo == last.eLo + 1
                      : r.sHi == last.eHi + 1 && r.sLo == 0);
          if (touches) {
            if (compare(r.eHi, r.eLo, last.eHi, last.eLo) > 0) {
              merged.set(merged.size() - 1, new Range(last.sHi, last.sLo, r.eHi, r.eLo));
            }
            continue;
          }
        }
        merged.add(r);
      }
      int n = merged.size();
      long[] sh = new long[n];
      long[] sl = new long[n];
      long[] eh = new long[n];
      long[] el = new long[n];
      for (int i = 0; i < n; i++) {
        Range r = merged.get(i);
        sh[i] = r.sHi;
        sl[i] = r.sLo;
        eh[i] = r.eHi;
        el[i] = r.eLo;
      }
      return new IpRanges(sh, sl, eh, el);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public int size() {
    return startHi.length;
  }

  /**
   * Whether the address (text form, as from a socket or X-Forwarded-For) is in a range; false when
   * it is no IP address.
   */
  public boolean contains(String address) {
    Address a = parse(address);
    return a != null && contains(a);
  }

  public boolean contains(Address a) {
    int lo = 0;
    int hi = startHi.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (compare(startHi[mid], startLo[mid], a.hi, a.lo) > 0) {
        hi = mid - 1;
      } else if (compare(endHi[mid], endLo[mid], a.hi, a.lo) < 0) {
        lo = mid + 1;
      } else {
        return true;
      }
    }
    return false;
  }

  /**
   * Parses an IPv4 or IPv6 literal (never a host name: no DNS); IPv4 as IPv4-mapped IPv6; null when
   * invalid.
   */
  public static Address parse(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    String t = text;
    int zone = t.indexOf('%');
    if (zone > 0) {
      t = t.substring(0, zone);
    }
    byte[] b = NetUtil.createByteArrayFromIpAddressString(t);
    if (b == null) {
      return null;
    }
    if (b.length == 4) {
      long v4 = (b[0] & 0xffL) << 24 | (b[1] & 0xffL) << 16 | (b[2] & 0xffL) << 8 | (b[3] & 0xffL);
      return new Address(MAPPED_HI, MAPPED_LO_PREFIX | v4);
    }
    long hi = 0;
    long lo = 0;
    for (int i = 0; i < 8; i++) {
      hi = hi << 8 | (b[i] & 0xffL);
      lo = lo << 8 | (b[i + 8] & 0xffL);
    }
    return new Address(hi, lo);
  }

  private static int compare(long aHi, long aLo, long bHi, long bLo) {
    int c = Long.compareUnsigned(aHi, bHi);
    return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
  }

  private static String format(Address a, boolean v4) {
    if (v4) {
      long v = a.lo & 0xffff_ffffL;
      return (v >> 24) + "." + (v >> 16 & 0xff) + "." + (v >> 8 & 0xff) + "." + (v & 0xff);
    }
    byte[] b = new byte[16];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (a.hi >>> (56 - 8 * i));
      b[i + 8] = (byte) (a.lo >>> (56 - 8 * i));
    }
    return NetUtil.bytesToIpAddress(b);
  }
}
