package dev.portico.metrics;

/** One scrape: the body and the content type to send it with. */
public record Exposition(String contentType, String body) {}
