package dev.portico.gateway.config;

/**
 * An operation of an API: a method ({@code *} for any) and a path template relative to the API's
 * prefix, such as {@code /orders/{id}} or {@code /files/*}.
 *
 * @param backend backend id overriding the API's default, or {@code null}
 */
public record OperationConfig(String id, String method, String path, String backend) {
}
