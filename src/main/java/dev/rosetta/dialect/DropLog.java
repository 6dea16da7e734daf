package dev.rosetta.dialect;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The fields a conversion left out because the other side cannot express them and nothing depends
 * on them; the gateway reports them in {@code x-rosetta-dropped}. Owned by one request: not
 * thread-safe. Paths are recorded once each, in the order first seen.
 */
public final class DropLog {
    private final Set<String> paths = new LinkedHashSet<>();

    public void add(String path) {
        paths.add(path);
    }

    public List<String> paths() {
        return List.copyOf(new ArrayList<>(paths));
    }

    public boolean isEmpty() {
        return paths.isEmpty();
    }

    @Override
    public String toString() {
        return String.join(", ", paths);
    }
}
