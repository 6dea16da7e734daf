package dev.rosetta.cache;

import dev.rosetta.model.ChatResponse;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Requests in flight to fill an entry, so that identical ones arriving meanwhile wait behind the first
 * (the leader) instead of each calling the provider. Shared by every event loop of this process (the
 * map is concurrent); not across replicas. A follower is resumed on its own context when the leader's
 * request ends: with the answer if it was stored, else empty (it then calls the provider itself).
 */
final class Flights {

    private final ConcurrentHashMap<String, Flight> flights = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();

    /** One leader's fill and its followers. */
    final class Flight {
        private final String id;
        private List<Waiter> waiters = new ArrayList<>(2);

        private Flight(String id) {
            this.id = id;
        }

        /** Ends the flight: every follower gets {@code answer}. Called once, when the leader's request ends. */
        void land(Optional<ChatResponse> answer) {
            List<Waiter> resumed;
            synchronized (this) {
                flights.remove(id, this);
                resumed = waiters;
                waiters = null;
            }
            for (Waiter w : resumed) {
                w.context().runOnContext(v -> {
                    waiting.decrementAndGet();
                    w.then().accept(answer);
                });
            }
        }

        /** Adds a follower; false when the flight has landed meanwhile. */
        private synchronized boolean follow(Waiter w) {
            if (waiters == null) {
                return false;
            }
            waiters.add(w);
            waiting.incrementAndGet();
            return true;
        }
    }

    private record Waiter(Context context, Consumer<Optional<ChatResponse>> then) {
    }

    /** The new flight if none was in the air for {@code id} (the caller leads), else empty. */
    Optional<Flight> lead(String id) {
        Flight f = new Flight(id);
        return flights.putIfAbsent(id, f) == null ? Optional.of(f) : Optional.empty();
    }

    /**
     * Joins the flight in the air for {@code id}: {@code then} runs on the caller's context when it lands.
     * False when there is none (the caller should lead).
     */
    boolean follow(String id, Consumer<Optional<ChatResponse>> then) {
        Flight f = flights.get(id);
        return f != null && f.follow(new Waiter(Vertx.currentContext(), then));
    }

    int waiting() {
        return waiting.get();
    }
}
