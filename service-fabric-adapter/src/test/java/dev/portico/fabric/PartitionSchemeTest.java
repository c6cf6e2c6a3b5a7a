package dev.portico.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PartitionSchemeTest {

  private static final long MIN = Long.MIN_VALUE;
  private static final long MAX = Long.MAX_VALUE;

  @Test
  void referenceVectorZeroTo33InFour() {
    assertThat(new PartitionScheme.UniformInt64Range(0, 33, 4).ranges())
        .containsExactly(
            new KeyRange(0, 8), new KeyRange(9, 17), new KeyRange(18, 25), new KeyRange(26, 33));
  }

  @Test
  void referenceVectorFullInt64RangeInFive() {
    List<KeyRange> ranges = new PartitionScheme.UniformInt64Range(MIN, MAX, 5).ranges();
    assertThat(ranges).hasSize(5);
    assertThat(ranges.get(0)).isEqualTo(new KeyRange(-9223372036854775808L, -5534023222112865485L));
    assertThat(ranges.get(4)).isEqualTo(new KeyRange(5534023222112865485L, 9223372036854775807L));
    checkPartition(MIN, MAX, 5, ranges);
  }

  @Test
  void fullRangeInOnePartitionIsTheWholeKeySpace() {
    assertThat(new PartitionScheme.UniformInt64Range(MIN, MAX, 1).ranges())
        .containsExactly(new KeyRange(MIN, MAX));
  }

  @Test
  void fullRangeWithPowerOfTwoCounts() {
    for (int shift = 0; shift <= 20; shift++) {
      int count = 1 << shift;
      List<KeyRange> ranges = new PartitionScheme.UniformInt64Range(MIN, MAX, count).ranges();
      checkPartition(MIN, MAX, count, ranges);
      // 2^64 / 2^k divides evenly: every range has exactly 2^(64-k) keys.
      for (KeyRange r : ranges) {
        assertThat(r.keyCount()).isEqualTo(BigInteger.ONE.shiftLeft(64 - shift));
      }
    }
  }

  @Test
  void countEqualToKeysGivesSingleKeyRanges() {
    assertThat(new PartitionScheme.UniformInt64Range(5, 7, 3).ranges())
        .containsExactly(new KeyRange(5, 5), new KeyRange(6, 6), new KeyRange(7, 7));
    assertThat(new PartitionScheme.UniformInt64Range(MAX - 2, MAX, 3).ranges())
        .containsExactly(
            new KeyRange(MAX - 2, MAX - 2), new KeyRange(MAX - 1, MAX - 1), new KeyRange(MAX, MAX));
    assertThat(new PartitionScheme.UniformInt64Range(MIN, MIN + 1, 2).ranges())
        .containsExactly(new KeyRange(MIN, MIN), new KeyRange(MIN + 1, MIN + 1));
    assertThat(new PartitionScheme.UniformInt64Range(42, 42, 1).ranges())
        .containsExactly(new KeyRange(42, 42));
  }

  @Test
  void validatesArguments() {
    assertThatThrownBy(() -> new PartitionScheme.UniformInt64Range(10, 9, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("greater than high");
    assertThatThrownBy(() -> new PartitionScheme.UniformInt64Range(0, 9, 0))
        .hasMessageContaining("at least one partition");
    assertThatThrownBy(() -> new PartitionScheme.UniformInt64Range(0, 9, -3))
        .hasMessageContaining("at least one partition");
    assertThatThrownBy(() -> new PartitionScheme.UniformInt64Range(0, 9, 11))
        .hasMessageContaining("10 keys, fewer than the 11 partitions");
    assertThatThrownBy(() -> new PartitionScheme.UniformInt64Range(MAX, MAX, 2))
        .hasMessageContaining("1 keys, fewer than the 2 partitions");
    // Exactly as many partitions as keys is fine.
    assertThat(new PartitionScheme.UniformInt64Range(0, 9, 10).ranges()).hasSize(10);
  }

  @Test
  void generatedCasesSplitEvenlyWithLargerRangesFirst() {
    SplittableRandom random = new SplittableRandom(20240607L);
    for (int n = 0; n < 4000; n++) {
      long low;
      long high;
      int count;
      switch (n % 5) {
        case 0: // anywhere in int64, possibly huge spans
          long a = random.nextLong();
          long b = random.nextLong();
          low = Math.min(a, b);
          high = Math.max(a, b);
          count = 1 + random.nextInt(200);
          break;
        case 1: // full range
          low = MIN;
          high = MAX;
          count = 1 + random.nextInt(1000);
          break;
        case 2: // tiny range, count == number of keys
          low = edgeOrRandom(random);
          int keys = 1 + random.nextInt(16);
          low = Math.min(low, MAX - keys + 1);
          high = low + keys - 1;
          count = keys;
          break;
        case 3: // small range, any valid count
          low = edgeOrRandom(random);
          int size = 1 + random.nextInt(300);
          low = Math.min(low, MAX - size + 1);
          high = low + size - 1;
          count = 1 + random.nextInt(size);
          break;
        default: // count 1
          long c = random.nextLong();
          long d = random.nextLong();
          low = Math.min(c, d);
          high = Math.max(c, d);
          count = 1;
          break;
      }
      List<KeyRange> ranges = new PartitionScheme.UniformInt64Range(low, high, count).ranges();
      checkPartition(low, high, count, ranges);
    }
  }

  @Test
  void matchesABigIntegerReferenceImplementation() {
    SplittableRandom random = new SplittableRandom(7);
    for (int n = 0; n < 2000; n++) {
      long a = n % 2 == 0 ? random.nextLong() : MIN;
      long b = n % 3 == 0 ? MAX : random.nextLong();
      long low = Math.min(a, b);
      long high = Math.max(a, b);
      int count = 1 + random.nextInt(64);
      assertThat(new PartitionScheme.UniformInt64Range(low, high, count).ranges())
          .isEqualTo(referenceRanges(low, high, count));
    }
  }

  @Test
  void toPartitionsAttachesIdsInOrder() {
    List<String> ids = Ids.sequential(4);
    List<PartitionInfo> partitions =
        new PartitionScheme.UniformInt64Range(0, 33, 4).toPartitions(ids);
    assertThat(partitions)
        .containsExactly(
            new PartitionInfo.Int64Range(ids.get(0), 0, 8),
            new PartitionInfo.Int64Range(ids.get(1), 9, 17),
            new PartitionInfo.Int64Range(ids.get(2), 18, 25),
            new PartitionInfo.Int64Range(ids.get(3), 26, 33));
    assertThat(PartitionScheme.singleton().toPartitions(ids.subList(0, 1)))
        .containsExactly(new PartitionInfo.Singleton(ids.get(0)));
    assertThat(new PartitionScheme.Named(List.of("a", "b")).toPartitions(ids.subList(0, 2)))
        .containsExactly(
            new PartitionInfo.Named(ids.get(0), "a"), new PartitionInfo.Named(ids.get(1), "b"));
    assertThatThrownBy(
            () -> new PartitionScheme.UniformInt64Range(0, 33, 4).toPartitions(ids.subList(0, 3)))
        .hasMessageContaining("Expected 4 partition ids, got 3");
  }

  @Test
  void namedSchemeValidatesNames() {
    assertThat(new PartitionScheme.Named(List.of("a", "A")).partitionCount()).isEqualTo(2);
    assertThatThrownBy(() -> new PartitionScheme.Named(List.of()))
        .hasMessageContaining("at least one name");
    assertThatThrownBy(() -> new PartitionScheme.Named(List.of("a", "b", "a")))
        .hasMessageContaining("\"a\" twice");
    assertThatThrownBy(() -> new PartitionScheme.Named(List.of("a", "")))
        .hasMessageContaining("empty");
  }

  @Test
  void kindsAndCounts() {
    assertThat(PartitionScheme.singleton().kind()).isEqualTo(PartitionKind.SINGLETON);
    assertThat(PartitionScheme.singleton().partitionCount()).isEqualTo(1);
    assertThat(new PartitionScheme.UniformInt64Range(0, 9, 3).kind())
        .isEqualTo(PartitionKind.INT64_RANGE);
    assertThat(new PartitionScheme.Named(List.of("x")).kind()).isEqualTo(PartitionKind.NAMED);
  }

  /** Every property the ranges must have, checked with exact (BigInteger) arithmetic. */
  static void checkPartition(long low, long high, int count, List<KeyRange> ranges) {
    String context = "[" + low + ", " + high + "] in " + count;
    assertThat(ranges).as(context).hasSize(count);
    assertThat(ranges.get(0).low()).as(context).isEqualTo(low);
    assertThat(ranges.get(count - 1).high()).as(context).isEqualTo(high);
    BigInteger total = BigInteger.ZERO;
    BigInteger previousSize = null;
    BigInteger minSize = null;
    BigInteger maxSize = null;
    for (int i = 0; i < count; i++) {
      KeyRange r = ranges.get(i);
      assertThat(r.low()).as(context).isLessThanOrEqualTo(r.high()); // non-empty, inclusive
      if (i > 0) {
        assertThat(BigInteger.valueOf(ranges.get(i - 1).high()).add(BigInteger.ONE))
            .as(context + " contiguous at " + i)
            .isEqualTo(BigInteger.valueOf(r.low()));
      }
      BigInteger size = r.keyCount();
      if (previousSize != null) {
        assertThat(size).as(context + " larger ranges first").isLessThanOrEqualTo(previousSize);
      }
      previousSize = size;
      minSize = minSize == null ? size : minSize.min(size);
      maxSize = maxSize == null ? size : maxSize.max(size);
      total = total.add(size);
    }
    assertThat(maxSize.subtract(minSize))
        .as(context + " sizes differ by at most one")
        .isLessThanOrEqualTo(BigInteger.ONE);
    assertThat(total).as(context + " union").isEqualTo(new KeyRange(low, high).keyCount());
  }

  private static List<KeyRange> referenceRanges(long low, long high, int count) {
    BigInteger keys =
        BigInteger.valueOf(high).subtract(BigInteger.valueOf(low)).add(BigInteger.ONE);
    BigInteger[] qr = keys.divideAndRemainder(BigInteger.valueOf(count));
    List<KeyRange> ranges = new ArrayList<>();
    BigInteger start = BigInteger.valueOf(low);
    for (int i = 0; i < count; i++) {
      BigInteger size = qr[0].add(i < qr[1].intValue() ? BigInteger.ONE : BigInteger.ZERO);
      BigInteger end = start.add(size).subtract(BigInteger.ONE);
      ranges.add(new KeyRange(start.longValueExact(), end.longValueExact()));
      start = end.add(BigInteger.ONE);
    }
    return ranges;
  }

  private static long edgeOrRandom(SplittableRandom random) {
    switch (random.nextInt(6)) {
      case 0:
        return MIN;
      case 1:
        return MAX;
      case 2:
        return -1 - random.nextInt(20);
      case 3:
        return random.nextInt(20);
      default:
        return random.nextLong();
    }
  }
}
