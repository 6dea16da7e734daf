package dev.rosetta.upstream.auth;

/** Obtains a fresh access token; may block (a network call, a process): called off the event loop. */
@FunctionalInterface
public interface TokenSource {

    Token fetch() throws Exception;
}
