package dev.portico.fabric.resolve;

import java.util.Objects;

/** A {@link ResolutionFailure} carried through a failed {@link io.vertx.core.Future}. */
public final class FabricResolutionException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient ResolutionFailure failure;

  public FabricResolutionException(ResolutionFailure failure) {
    super(Objects.requireNonNull(failure, "failure").message(), null, false, false);
    this.failure = failure;
  }

  public ResolutionFailure failure() {
    return failure;
  }

  public int httpStatus() {
    return failure.httpStatus();
  }
}
