package dev.portico.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PartitionTableTest {

  private static final long MIN = Long.MIN_VALUE;
  private static final long MAX = Long.MAX_VALUE;

  private static PartitionTable uniform(long low, long high, int count) {
    return PartitionTable.of(
        new PartitionScheme.UniformInt64Range(low, high, count)
            .toPartitions(Ids.sequential(count)));
  }

  @Test
  void int64LookupFindsTheReferenceRanges() {
    PartitionTable table = uniform(0, 33, 4);
    assertThat(table.kind()).isEqualTo(PartitionKind.INT64_RANGE);
    assertThat(range(table.lookup(PartitionKey.int64(0)))).isEqualTo(new KeyRange(0, 8));
    assertThat(range(table.lookup(PartitionKey.int64(8)))).isEqualTo(new KeyRange(0, 8));
    assertThat(range(table.lookup(PartitionKey.int64(9)))).isEqualTo(new KeyRange(9, 17));
    assertThat(range(table.lookup(PartitionKey.int64(25)))).isEqualTo(new KeyRange(18, 25));
    assertThat(range(table.lookup(PartitionKey.int64(26)))).isEqualTo(new KeyRange(26, 33));
    assertThat(range(table.lookup(PartitionKey.int64(33)))).isEqualTo(new KeyRange(26, 33));
  }

  @Test
  void keysOutsideTheRangeFail() {
    PartitionTable table = uniform(0, 33, 4);
    for (long key : new long[] {-1, 34, MIN, MAX}) {
      PartitionLookup result = table.lookup(PartitionKey.int64(key));
      assertThat(result).isInstanceOf(PartitionLookup.Failed.class);
      PartitionLookup.Failed failed = (PartitionLookup.Failed) result;
      assertThat(failed.reason()).isEqualTo(PartitionLookup.Reason.KEY_OUT_OF_RANGE);
      assertThat(failed.key()).isEqualTo(PartitionKey.int64(key));
      assertThat(failed.message()).contains(Long.toString(key)).contains("[0, 33]");
      assertThat(result.partition()).isEmpty();
      assertThatThrownBy(result::orElseThrow)
          .isInstanceOfSatisfying(
              PartitionLookupException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(PartitionLookup.Reason.KEY_OUT_OF_RANGE);
                assertThat(e.errorCode()).isEqualTo("FABRIC_E_INVALID_PARTITION_KEY");
              });
    }
  }

  @Test
  void boundariesAtTheEdgesOfInt64() {
    PartitionTable full = uniform(MIN, MAX, 5);
    assertThat(range(full.lookup(PartitionKey.int64(MIN))).low()).isEqualTo(MIN);
    assertThat(range(full.lookup(PartitionKey.int64(MAX))).high()).isEqualTo(MAX);
    assertThat(range(full.lookup(PartitionKey.int64(-5534023222112865485L))).high())
        .isEqualTo(-5534023222112865485L);
    assertThat(range(full.lookup(PartitionKey.int64(-5534023222112865484L))).low())
        .isEqualTo(-5534023222112865484L);

    PartitionTable top = uniform(MAX - 9, MAX, 3);
    assertThat(top.lookup(PartitionKey.int64(MAX - 10))).isInstanceOf(PartitionLookup.Failed.class);
    assertThat(range(top.lookup(PartitionKey.int64(MAX)))).isEqualTo(new KeyRange(MAX - 2, MAX));

    PartitionTable bottom = uniform(MIN, MIN + 9, 3);
    assertThat(range(bottom.lookup(PartitionKey.int64(MIN)))).isEqualTo(new KeyRange(MIN, MIN + 3));
    assertThat(bottom.lookup(PartitionKey.int64(MIN + 10)))
        .isInstanceOf(PartitionLookup.Failed.class);
  }

  @Test
  void generatedKeysMatchALinearScan() {
    SplittableRandom random = new SplittableRandom(42);
    for (int t = 0; t < 300; t++) {
      long low;
      long high;
      if (t % 3 == 0) {
        low = MIN;
        high = MAX;
      } else {
        long a = random.nextLong();
        long b = t % 3 == 1 ? a + random.nextInt(1000) : random.nextLong();
        if (t % 3 == 1 && b < a) { // overflowed past MAX
          b = MAX;
        }
        low = Math.min(a, b);
        high = Math.max(a, b);
      }
      int count =
          (int)
              Math.min(
                  1 + random.nextInt(40),
                  new KeyRange(low, high)
                      .keyCount()
                      .min(java.math.BigInteger.valueOf(Integer.MAX_VALUE))
                      .longValue());
      List<PartitionInfo> partitions =
          new PartitionScheme.UniformInt64Range(low, high, count)
              .toPartitions(Ids.sequential(count));
      List<PartitionInfo> shuffled = new ArrayList<>(partitions);
      Collections.shuffle(shuffled, new java.util.Random(t));
      PartitionTable table = PartitionTable.of(shuffled);
      assertThat(table.partitions()).isEqualTo(partitions); // sorted back into key order

      List<Long> keys = new ArrayList<>();
      for (int k = 0; k < 40; k++) {
        keys.add(random.nextLong());
        keys.add(low + random.nextLong(Math.max(1, Math.min(MAX, high - low))));
      }
      for (PartitionInfo p : partitions) {
        PartitionInfo.Int64Range r = (PartitionInfo.Int64Range) p;
        keys.add(r.low());
        keys.add(r.high());
      }
      // The table's own edges, guarding the overflow at Long.MIN/MAX.
      if (low != MIN) {
        keys.add(low - 1);
      }
      if (high != MAX) {
        keys.add(high + 1);
      }
      keys.add(MIN);
      keys.add(MAX);
      for (long key : keys) {
        PartitionInfo expected = linearScan(partitions, key);
        PartitionLookup result = table.lookup(PartitionKey.int64(key));
        if (expected == null) {
          assertThat(result).as("key %d", key).isInstanceOf(PartitionLookup.Failed.class);
          assertThat(((PartitionLookup.Failed) result).reason())
              .isEqualTo(PartitionLookup.Reason.KEY_OUT_OF_RANGE);
        } else {
          assertThat(result.orElseThrow()).as("key %d", key).isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void gapsAreAllowedAndKeysInAGapAreOutOfRange() {
    List<String> ids = Ids.sequential(3);
    PartitionTable table =
        PartitionTable.of(
            List.of(
                new PartitionInfo.Int64Range(ids.get(2), 100, 199),
                new PartitionInfo.Int64Range(ids.get(0), MIN, -1),
                new PartitionInfo.Int64Range(ids.get(1), 10, 19)));
    assertThat(table.lookup(PartitionKey.int64(MIN)).orElseThrow().id()).isEqualTo(ids.get(0));
    assertThat(table.lookup(PartitionKey.int64(-1)).orElseThrow().id()).isEqualTo(ids.get(0));
    assertThat(table.lookup(PartitionKey.int64(15)).orElseThrow().id()).isEqualTo(ids.get(1));
    assertThat(table.lookup(PartitionKey.int64(150)).orElseThrow().id()).isEqualTo(ids.get(2));
    for (long gap : new long[] {0, 9, 20, 99, 200, MAX}) {
      assertThat(((PartitionLookup.Failed) table.lookup(PartitionKey.int64(gap))).reason())
          .as("key %d", gap)
          .isEqualTo(PartitionLookup.Reason.KEY_OUT_OF_RANGE);
    }
  }

  @Test
  void namedLookupIsExactAndCaseSensitive() {
    List<String> ids = Ids.sequential(3);
    PartitionTable table =
        PartitionTable.of(
            new PartitionScheme.Named(List.of("east", "west", "West")).toPartitions(ids));
    assertThat(table.lookup(PartitionKey.named("east")).orElseThrow().id()).isEqualTo(ids.get(0));
    assertThat(table.lookup(PartitionKey.named("West")).orElseThrow().id()).isEqualTo(ids.get(2));
    PartitionLookup miss = table.lookup(PartitionKey.named("EAST"));
    assertThat(((PartitionLookup.Failed) miss).reason())
        .isEqualTo(PartitionLookup.Reason.NAME_NOT_FOUND);
    assertThat(((PartitionLookup.Failed) miss).message())
        .contains("\"EAST\"")
        .contains("[east, west, West]");
    assertThat(((PartitionLookup.Failed) table.lookup(PartitionKey.named("east "))).reason())
        .isEqualTo(PartitionLookup.Reason.NAME_NOT_FOUND);
  }

  @Test
  void singletonAcceptsOnlyTheNoneKey() {
    PartitionTable table = PartitionTable.of(List.of(new PartitionInfo.Singleton(Ids.guid(1))));
    assertThat(table.lookup(PartitionKey.none()).orElseThrow())
        .isEqualTo(new PartitionInfo.Singleton(Ids.guid(1)));
    assertThat(reason(table.lookup(PartitionKey.int64(0))))
        .isEqualTo(PartitionLookup.Reason.KEY_KIND_MISMATCH);
    assertThat(reason(table.lookup(PartitionKey.named("x"))))
        .isEqualTo(PartitionLookup.Reason.KEY_KIND_MISMATCH);
  }

  @Test
  void aKeyOfTheWrongKindMatchesNothing() {
    PartitionTable int64 = uniform(0, 99, 2);
    PartitionTable named =
        PartitionTable.of(new PartitionScheme.Named(List.of("42")).toPartitions(Ids.sequential(1)));
    assertThat(reason(int64.lookup(PartitionKey.named("42"))))
        .isEqualTo(PartitionLookup.Reason.KEY_KIND_MISMATCH);
    assertThat(reason(int64.lookup(PartitionKey.none())))
        .isEqualTo(PartitionLookup.Reason.KEY_KIND_MISMATCH);
    // An Int64 key 42 never selects the partition named "42".
    PartitionLookup lookup = named.lookup(PartitionKey.int64(42));
    assertThat(reason(lookup)).isEqualTo(PartitionLookup.Reason.KEY_KIND_MISMATCH);
    assertThat(((PartitionLookup.Failed) lookup).message())
        .contains("Int64Range key")
        .contains("partitioned Named");
    assertThat(reason(named.lookup(PartitionKey.none())))
        .isEqualTo(PartitionLookup.Reason.KEY_KIND_MISMATCH);
  }

  @Test
  void successfulLookupsReuseOneResultPerPartition() {
    PartitionTable table = uniform(0, 99, 4);
    assertThat(table.lookup(PartitionKey.int64(1))).isSameAs(table.lookup(PartitionKey.int64(2)));
  }

  @Test
  void rejectsInconsistentPartitionLists() {
    List<String> ids = Ids.sequential(3);
    assertThatThrownBy(() -> PartitionTable.of(List.of()))
        .hasMessageContaining("at least one partition");
    assertThatThrownBy(
            () ->
                PartitionTable.of(
                    List.of(
                        new PartitionInfo.Int64Range(ids.get(0), 0, 9),
                        new PartitionInfo.Named(ids.get(1), "a"))))
        .hasMessageContaining("all of one kind")
        .hasMessageContaining("Int64Range")
        .hasMessageContaining("Named");
    assertThatThrownBy(
            () ->
                PartitionTable.of(
                    List.of(
                        new PartitionInfo.Int64Range(ids.get(0), 0, 10),
                        new PartitionInfo.Int64Range(ids.get(1), 10, 20))))
        .hasMessageContaining("overlap")
        .hasMessageContaining("[0, 10]")
        .hasMessageContaining("[10, 20]");
    assertThatThrownBy(
            () ->
                PartitionTable.of(
                    List.of(
                        new PartitionInfo.Int64Range(ids.get(0), 0, 100),
                        new PartitionInfo.Int64Range(ids.get(1), 10, 20))))
        .hasMessageContaining("overlap");
    assertThatThrownBy(
            () ->
                PartitionTable.of(
                    List.of(
                        new PartitionInfo.Named(ids.get(0), "a"),
                        new PartitionInfo.Named(ids.get(1), "a"))))
        .hasMessageContaining("\"a\" appears twice");
    assertThatThrownBy(
            () ->
                PartitionTable.of(
                    List.of(
                        new PartitionInfo.Named(ids.get(0), "a"),
                        new PartitionInfo.Named(ids.get(0), "b"))))
        .hasMessageContaining("id " + ids.get(0) + " appears twice");
    assertThatThrownBy(
            () ->
                PartitionTable.of(
                    List.of(
                        new PartitionInfo.Singleton(ids.get(0)),
                        new PartitionInfo.Singleton(ids.get(1)))))
        .hasMessageContaining("exactly one partition");
  }

  @Test
  void partitionInfoValidatesIdsAndRanges() {
    assertThat(new PartitionInfo.Singleton("{BC4A7370-F992-4CA3-9214-D1716F04AA23}").id())
        .isEqualTo("{BC4A7370-F992-4CA3-9214-D1716F04AA23}");
    assertThat(new PartitionInfo.Singleton("bc4a7370f9924ca39214d1716f04aa23").kind())
        .isEqualTo(PartitionKind.SINGLETON);
    assertThatThrownBy(() -> new PartitionInfo.Singleton("not-a-guid"))
        .hasMessageContaining("is not a GUID");
    assertThatThrownBy(() -> new PartitionInfo.Singleton("bc4a7370-f992-4ca3-9214-d1716f04aa2"))
        .hasMessageContaining("31 hex digits");
    assertThatThrownBy(() -> new PartitionInfo.Int64Range(Ids.guid(0), 5, 4))
        .hasMessageContaining("greater than high");
    assertThatThrownBy(() -> new PartitionInfo.Named(Ids.guid(0), ""))
        .hasMessageContaining("must not be empty");
    assertThat(new PartitionInfo.Int64Range(Ids.guid(0), MIN, MAX).contains(0)).isTrue();
  }

  private static PartitionInfo linearScan(List<PartitionInfo> partitions, long key) {
    PartitionInfo hit = null;
    for (PartitionInfo p : partitions) {
      if (((PartitionInfo.Int64Range) p).contains(key)) {
        assertThat(hit).as("key %d in two partitions", key).isNull();
        hit = p;
      }
    }
    return hit;
  }

  private static KeyRange range(PartitionLookup lookup) {
    return ((PartitionInfo.Int64Range) lookup.orElseThrow()).range();
  }

  private static PartitionLookup.Reason reason(PartitionLookup lookup) {
    assertThat(lookup).isInstanceOf(PartitionLookup.Failed.class);
    return ((PartitionLookup.Failed) lookup).reason();
  }
}
