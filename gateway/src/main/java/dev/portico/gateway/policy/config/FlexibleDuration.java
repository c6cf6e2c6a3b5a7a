package dev.portico.gateway.policy.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * A duration as APIM writes it (a number of seconds, such as {@code renewal-period: 60}) or as the
 * rest of Portico's configuration does (ISO 8601, such as {@code PT1M}).
 */
public final class FlexibleDuration extends JsonDeserializer<Duration> {

  @Override
  public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
      BigDecimal seconds = p.getDecimalValue();
      return Duration.ofNanos(seconds.movePointRight(9).longValue());
    }
    if (t == JsonToken.VALUE_STRING) {
      String s = p.getText().trim();
      try {
        return Duration.parse(s);
      } catch (DateTimeParseException e) {
        try {
          return Duration.ofNanos(new BigDecimal(s).movePointRight(9).longValue());
        } catch (NumberFormatException n) {
          throw new InvalidFormatException(
              p,
              "'"
                  + s
                  + "' is neither a number of seconds nor an ISO 8601 duration"
                  + " (examples: 60, PT1M, PT0.5S)",
              s,
              Duration.class);
        }
      }
    }
    throw new InvalidFormatException(
        p, "expected a number of seconds or an ISO 8601 duration", p.getText(), Duration.class);
  }
}
