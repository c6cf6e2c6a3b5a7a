package dev.portico.gateway.openapi;

import java.util.List;

/**
 * A document that cannot be imported, with every problem found in it; each reads {@code
 * document#/json/pointer: reason} (the pointer is left off when the problem is the whole document).
 */
public final class OpenApiException extends Exception {

  private final List<String> problems;

  public OpenApiException(List<String> problems) {
    super(String.join("; ", problems), null, false, false);
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
