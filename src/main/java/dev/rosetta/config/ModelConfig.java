package dev.rosetta.config;

/**
 * A model clients may name.
 *
 * @param name the name clients send
 * @param provider the name of the provider that serves it
 * @param upstreamModel the name the provider knows it by
 */
public record ModelConfig(String name, String provider, String upstreamModel) {
}
