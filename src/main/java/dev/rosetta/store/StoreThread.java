package dev.rosetta.store;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The one thread that talks to the {@link KeyStore}: every JDBC call runs here, never on an event
 * loop, which sees only the returned futures. One thread is enough (changes are rare, the poll is one
 * tiny query) and lets the store keep a single connection without locks.
 */
public final class StoreThread implements AutoCloseable {

    private final KeyStore store;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rosetta-store");
        t.setDaemon(true);
        return t;
    });

    public StoreThread(KeyStore store) {
        this.store = store;
    }

    /** Runs {@code work} on the store thread. */
    public <T> CompletableFuture<T> call(Function<KeyStore, T> work) {
        return CompletableFuture.supplyAsync(() -> work.apply(store), executor);
    }

    /** Runs {@code task} on the store thread every {@code periodMillis}, starting now. */
    void every(long periodMillis, Runnable task) {
        executor.scheduleWithFixedDelay(task, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Stops the thread after the work already queued, then closes the store. */
    @Override
    public void close() {
        executor.execute(store::close);
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
