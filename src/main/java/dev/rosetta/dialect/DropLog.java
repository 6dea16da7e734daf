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
    private final Set<String> refusable = new LinkedHashSet<>();

    public void add(String path) {
        paths.add(path);
        refusable.add(path);
    }

    /**
     * Records provider state the client's history did not bring back (a thinking block, a signature),
     * or brought back for another provider than this one (Gemini's signature on a call sent to OpenAI):
     * reported like any drop, but never a reason for strict mode to refuse, since the client could not
     * have sent the request otherwise.
     */
    public void addLost(String path) {
        paths.add(path);
    }

    /** The drops strict mode refuses: all but {@linkplain #addLost lost state}. */
    public List<String> refusable() {
        return List.copyOf(refusable);
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
