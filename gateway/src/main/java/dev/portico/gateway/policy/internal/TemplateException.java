package dev.portico.gateway.policy.internal;

/** A template (policy expression) that cannot be compiled; the message says where and why. */
public final class TemplateException extends IllegalArgumentException {
  public TemplateException(String message) {
    super(message);
  }
}
