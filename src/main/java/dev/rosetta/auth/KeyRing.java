package dev.rosetta.auth;

import java.util.Optional;

/**
 * Holds the current {@link KeySnapshot}. Readers (every event loop) see the latest snapshot without a
 * lock; a writer replaces it whole. Empty until the first snapshot is loaded: the admit stage then
 * answers 503, since a presented key may well be valid.
 */
public final class KeyRing {

    private volatile KeySnapshot current;

    public KeyRing() {
    }

    public KeyRing(KeySnapshot initial) {
        this.current = initial;
    }

    public Optional<KeySnapshot> current() {
        return Optional.ofNullable(current);
    }

    public void swap(KeySnapshot next) {
        current = next;
    }
}
