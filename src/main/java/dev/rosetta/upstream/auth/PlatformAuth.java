package dev.rosetta.upstream.auth;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;

/**
 * Credentials a platform provider sets on each upstream request beyond a fixed key: a bearer token
 * that expires (Entra ID, Google OAuth2) or a signature over the request (SigV4). Shared by every event
 * loop; whatever blocks (a token endpoint, a command) runs off the event loop, and the returned future
 * completes on the caller's context. A cached, valid token costs no thread hop.
 */
public interface PlatformAuth {

    Future<Void> apply(MultiMap headers, String method, String url, byte[] body);
}
