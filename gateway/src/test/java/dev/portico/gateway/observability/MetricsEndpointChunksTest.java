package dev.portico.gateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scrape's buffers hold exactly the bytes written, across chunk boundaries: full ones go to the
 * sink as more text follows, the last is kept.
 */
class MetricsEndpointChunksTest {

  @Test
  void chunksHoldEveryByteInOrder() throws Exception {
    Random random = new Random(13);
    for (int total :
        new int[] {0, 1, MetricsEndpoint.Chunks.SIZE, MetricsEndpoint.Chunks.SIZE + 1, 3_000_017}) {
      byte[] text = new byte[total];
      random.nextBytes(text);
      List<Buffer> sent = new ArrayList<>();
      MetricsEndpoint.Chunks chunks = new MetricsEndpoint.Chunks(sent::add);
      int at = 0;
      while (at < total) {
        if (random.nextInt(4) == 0) {
          chunks.write(text[at++]);
        } else {
          int n = Math.min(total - at, random.nextInt(3 * MetricsEndpoint.Chunks.SIZE / 2));
          chunks.write(text, at, n);
          at += n;
        }
      }
      chunks.close();
      chunks.close();
      ByteArrayOutputStream joined = new ByteArrayOutputStream();
      for (Buffer b : sent) {
        assertThat(b.length()).isEqualTo(MetricsEndpoint.Chunks.SIZE);
        joined.writeBytes(b.getBytes());
      }
      assertThat(chunks.last().length()).isBetween(total == 0 ? 0 : 1, MetricsEndpoint.Chunks.SIZE);
      joined.writeBytes(chunks.last().getBytes());
      // one buffer's worth or less is never sent before the end (it goes whole, with its length)
      assertThat(sent)
          .hasSize(
              total <= MetricsEndpoint.Chunks.SIZE ? 0 : (total - 1) / MetricsEndpoint.Chunks.SIZE);
      assertThat(joined.toByteArray()).isEqualTo(text);
    }
  }
}
