package dev.portico.fabric.rest;

import dev.portico.fabric.internal.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One page of a Service Fabric list, {@code {"ContinuationToken":"…","Items":[…]}}. An empty or
 * missing token means this is the last page; missing {@code Items} means no items.
 */
public record PagedList<T>(List<T> items, String continuationToken) {

  public PagedList {
    items = List.copyOf(items);
    continuationToken = Objects.requireNonNullElse(continuationToken, "");
  }

  public boolean isLastPage() {
    return continuationToken.isEmpty();
  }

  /** The token to ask for the next page with, or empty on the last page. */
  public Optional<String> nextToken() {
    return isLastPage() ? Optional.empty() : Optional.of(continuationToken);
  }

  /** Reads a page, parsing each item with {@code item}; failures name {@code Items[i].Field}. */
  public static <T> PagedList<T> fromJson(JsonObject json, Function<JsonObject, T> item) {
    Objects.requireNonNull(json, "json");
    Objects.requireNonNull(item, "item");
    return new PagedList<>(
        JsonFields.objects(json, "Items", item), JsonFields.string(json, "ContinuationToken", ""));
  }

  public static <T> PagedList<T> parse(String json, Function<JsonObject, T> item) {
    return fromJson(JsonFields.parseObject(json), item);
  }
}
