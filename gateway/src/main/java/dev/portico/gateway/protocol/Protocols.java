package dev.portico.gateway.protocol;

import dev.portico.gateway.protocol.websocket.WebSocketSessions;

/**
 * What one routing verticle needs for protocols beyond HTTP/1.1 request-response (issue 14): its
 * clients by backend protocol, and its open WebSocket sessions (which the drain ends with 1001).
 */
public record Protocols(UpstreamClients clients, WebSocketSessions sessions) {}
