package dev.portico.gateway.support;

import dev.portico.gateway.pipeline.ExchangeObserver;
import dev.portico.metrics.FabricResolution;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Records the Service Fabric resolutions, attempts and retries a gateway reports. */
public final class Resolutions implements ExchangeObserver {

  public record Resolution(String service, FabricResolution result) {}

  public final List<Resolution> resolutions = new CopyOnWriteArrayList<>();
  public final Map<String, AtomicInteger> attemptsByEndpoint = new ConcurrentHashMap<>();
  public final AtomicInteger retries = new AtomicInteger();

  @Override
  public void fabricResolution(String service, FabricResolution result, long nanos) {
    resolutions.add(new Resolution(service, result));
  }

  @Override
  public void attempt(String backendId, String endpoint, long nanos, int status, String reason) {
    attemptsByEndpoint.computeIfAbsent(endpoint, k -> new AtomicInteger()).incrementAndGet();
  }

  @Override
  public void retried(String apiId, String backendId, String reason) {
    retries.incrementAndGet();
  }

  public long count(FabricResolution result) {
    return resolutions.stream().filter(r -> r.result() == result).count();
  }
}
