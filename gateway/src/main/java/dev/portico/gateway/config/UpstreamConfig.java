package dev.portico.gateway.config;

import java.time.Duration;

/**
 * Connection pooling towards backends.
 *
 * @param maxConnectionsPerEndpoint HTTP/1.1 connections per backend endpoint and per event loop
 * @param keepAliveTimeout how long an idle pooled connection is kept
 */
public record UpstreamConfig(int maxConnectionsPerEndpoint, Duration keepAliveTimeout) {}
