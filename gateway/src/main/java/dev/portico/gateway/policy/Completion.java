package dev.portico.gateway.policy;

/**
 * How a request ended, for policies that count after the fact ({@code increment-condition}, {@code
 * quota-by-key} bandwidth).
 *
 * @param status the status sent to the client (the backend's, or the gateway's own answer)
 * @param requestBytes request body bytes received from the client
 * @param responseBytes response body bytes sent to the client
 */
public record Completion(int status, long requestBytes, long responseBytes) {}
