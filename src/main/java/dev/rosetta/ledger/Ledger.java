package dev.rosetta.ledger;

import dev.rosetta.dialect.Endpoint;
import dev.rosetta.model.Usage;
import dev.rosetta.pipeline.CompletionListener;
import dev.rosetta.pipeline.Exchange;
import dev.rosetta.store.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The usage ledger: one record per request, written to the store off the event loop.
 *
 * <p>On the event loop, {@link #completed} only builds the record (cost included, computed once
 * here from the normalised usage) and offers it to a bounded queue. One thread of its own drains
 * the queue in batches into the store. When the store fails, the batch goes to the {@link Spool}
 * and so does everything after it until a retry (every {@code retryEvery}) replays the spool into
 * the store. {@link #close} drains the queue into the store, or the spool, before it returns.
 *
 * <p>Loss is never silent: a record refused by a full queue or a full spool is counted, logged and
 * shown by {@link #problem()} (the {@code /ready} detail).
 *
 * <p>A store that refuses a batch (a value it will not take) is told apart from one that is away or busy
 * ({@link LedgerStore#refused}): the batch is written record by record, and a record the store
 * refuses on its own is set aside in a file beside the spool ({@code <spool>.refused}, the spool's format),
 * counted, logged and shown by {@link #problem()}, instead of sending its batch round the spool for good
 * and every later record with it.
 */
public final class Ledger implements CompletionListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Ledger.class);
    private static final int BATCH = 500;
    /**
     * How long the writer waits, once caught up, before it looks for more records: the longest a record
     * waits. Longer makes larger, cheaper batches (on PostgreSQL about 2 µs of writer CPU a record in
     * batches of 50, 1.2 µs at 200: LedgerStoreBenchmark), but the records held meanwhile outlive young
     * collections: at 100 ms the governed benchmark's heap grew from about 200 to 370 MB of RSS.
     */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long DAY_MILLIS = 86_400_000L;

    private final LedgerStore store;
    private final PriceTable prices;
    private final Spool spool;
    private final Clock clock;
    private final long retentionMillis;
    private final long retryMillis;
    private final BlockingQueue<LedgerRecord> queue;
    /** Admin API queries, run by the writer between batches: the store has one connection, one thread. */
    private final BlockingQueue<Runnable> queries = new ArrayBlockingQueue<>(64);
    private final Thread worker;
    private final AtomicLong queueDropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private volatile boolean closing;
    private volatile boolean stopped;
    private volatile boolean started;
    private volatile String storeProblem = "";
    private volatile long spooled;
    private volatile long spoolDropped;
    /** Records lost because the spool file could not be written at all (disk full, say). */
    private long unwritable;
    /** Records the store refused on their own, set aside; opened at the first. Writer thread only. */
    private Spool refusedFile;
    private volatile long refused;
    private volatile String refusedWhere = "";
    private long nextRetry;
    private long nextPrune;
    private long lastLossLog;

    /**
     * @param retention how long records are kept before they are folded into daily rollups; zero keeps them
     * @param retryEvery how often a spool is offered back to a store that failed
     */
    public Ledger(LedgerStore store, PriceTable prices, Path spoolFile, long spoolMaxBytes, int queueCapacity,
                  Duration retention, Duration retryEvery, Clock clock) {
        this.store = store;
        this.prices = prices;
        this.spool = new Spool(spoolFile, spoolMaxBytes);
        this.clock = clock;
        this.retentionMillis = retention.toMillis();
        this.retryMillis = retryEvery.toMillis();
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.spooled = spool.size();
        // records set aside by an earlier run stay reported until someone deals with the file
        Path refusedPath = refusedPath();
        try {
            if (java.nio.file.Files.exists(refusedPath) && java.nio.file.Files.size(refusedPath) > 0) {
                this.refusedFile = new Spool(refusedPath, Long.MAX_VALUE);
                this.refused = refusedFile.size();
                this.refusedWhere = refusedFile.file().toString();
            }
        } catch (IOException e) {
            LOG.warn("ledger: cannot read {}: {}", refusedPath, e.toString());
        }
        this.worker = new Thread(this::run, "rosetta-ledger");
        worker.setDaemon(true);
    }

    /** Starts the writer; a spool left by an earlier run is replayed first. */
    public Ledger start() {
        started = true;
        worker.start();
        return this;
    }

    @Override
    public void completed(Exchange ex) {
        // Model and provider API requests only: not /health, /ready, the model list or the admin API.
        if (ex.endpoint() != null || !ex.provider().isEmpty()) {
            offer(record(ex));
            for (dev.rosetta.pipeline.BilledAttempt a : ex.billedAttempts()) {
                offer(record(ex, a));
            }
        }
    }

    /** Queues a record for the writer; counted as lost if the queue is full. Never blocks. */
    public void offer(LedgerRecord r) {
        if (stopped) {
            // After close: nobody would write it. Counted and logged, never dropped silently.
            queueDropped.incrementAndGet();
            LOG.error("ledger: record {} arrived after the ledger was closed: not written", r.requestId());
        } else if (!queue.offer(r)) {
            queueDropped.incrementAndGet();
        } else if (stopped && queue.remove(r)) {
            // Closed in between, after the writer's last drain: counted, not left unseen in the queue.
            queueDropped.incrementAndGet();
            LOG.error("ledger: record {} arrived as the ledger closed: not written", r.requestId());
        }
    }

    /** The record of an ended exchange, its cost computed from the upstream model's price. */
    public LedgerRecord record(Exchange ex) {
        long now = System.nanoTime();
        Endpoint endpoint = ex.endpoint();
        boolean counting = endpoint != null && endpoint.operation() == Endpoint.Operation.COUNT_TOKENS;
        // Counting tokens is free: the count is the answer, not usage.
        Usage usage = counting ? Usage.ZERO : ex.usage();
        String upstream = ex.upstreamModel().isEmpty() ? ex.model() : ex.upstreamModel();
        Cost cost = counting ? Cost.FREE : prices.cost(upstream, usage);
        long saved = 0;
        if (ex.cacheHit()) {
            // served from the cache: the provider was not called; what it would have cost is saved
            saved = cost.nanos();
            cost = Cost.FREE;
        }
        boolean cancelled = ex.status() == 499;
        var principal = ex.principal();
        return new LedgerRecord(clock.millis(), ex.requestId(), principal.anonymous() ? "" : principal.tenant(),
                principal.anonymous() ? "" : principal.keyId(), DIALECTS[ex.dialect().ordinal()],
                endpoint == null ? "api" : ENDPOINTS[endpoint.ordinal()], ex.model(), ex.provider(), upstream,
                ex.stream(), ex.status(), LedgerRecord.errorClass(ex.status()), usage, cost,
                (now - ex.startNanos()) / 1000, ex.firstByteNanos() == 0 ? -1 : (ex.firstByteNanos() - ex.startNanos()) / 1000,
                cancelled, ex.usageEstimated() || (cancelled && ex.stream()), ex.cache(), saved);
    }

    /**
     * The record of an attempt billed beside the answer (a hedge that lost): its own request id (the
     * request's, {@code -} its attempt number), its target, its estimated usage and cost, cancelled.
     */
    public LedgerRecord record(Exchange ex, dev.rosetta.pipeline.BilledAttempt a) {
        Endpoint endpoint = ex.endpoint();
        var principal = ex.principal();
        return new LedgerRecord(clock.millis(), ex.requestId() + "-" + a.number(),
                principal.anonymous() ? "" : principal.tenant(), principal.anonymous() ? "" : principal.keyId(),
                DIALECTS[ex.dialect().ordinal()], endpoint == null ? "api" : ENDPOINTS[endpoint.ordinal()], ex.model(),
                a.provider(), a.upstreamModel(), ex.stream(), 499, LedgerRecord.errorClass(499), a.usage(),
                prices.cost(a.upstreamModel(), a.usage()), a.nanos() / 1000, -1, true, true, ex.cache(), 0);
    }

    private static final String[] DIALECTS = java.util.Arrays.stream(dev.rosetta.dialect.Dialect.values())
            .map(d -> d.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);
    private static final String[] ENDPOINTS = java.util.Arrays.stream(Endpoint.values())
            .map(e -> e.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);

    /**
     * What {@code /ready} should say about the ledger: empty while records reach the store; otherwise
     * the store's problem, records waiting in the spool and records lost.
     */
    public Optional<String> problem() {
        long lost = queueDropped.get() + spoolDropped;
        if (storeProblem.isEmpty() && spooled == 0 && lost == 0 && refused == 0) {
            return Optional.empty();
        }
        StringBuilder sb = new StringBuilder();
        if (!storeProblem.isEmpty()) {
            sb.append("the ledger store is unavailable (").append(storeProblem).append("); ");
        }
        sb.append(spooled).append(" records spooled to ").append(spool.file());
        if (lost > 0) {
            sb.append("; ").append(lost).append(" records lost (queue or spool full)");
        }
        if (refused > 0) {
            sb.append("; ").append(refused).append(" records refused by the store, set aside in ").append(refusedWhere);
        }
        return Optional.of(sb.toString());
    }

    /** Records refused by a full queue or a full spool since start. */
    public long lost() {
        return queueDropped.get() + spoolDropped;
    }

    /** Records the store refused on their own and that were set aside (beside the spool), since start or left by an earlier run. */
    public long refused() {
        return refused;
    }

    /** Records stored since start (replayed ones included). */
    public long written() {
        return written.get();
    }

    /** Records waiting in the queue for the writer. */
    public int queued() {
        return queue.size();
    }

    /** Records waiting in the spool. */
    public long spooled() {
        return spooled;
    }

    /**
     * Runs a query on the writer's thread (between batches) and completes with its result there: for
     * the admin usage API, which must not block its event loop.
     */
    public <T> java.util.concurrent.CompletableFuture<T> call(java.util.function.Function<LedgerStore, T> query) {
        var f = new java.util.concurrent.CompletableFuture<T>();
        if (!queries.offer(() -> {
            try {
                f.complete(query.apply(store));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        })) {
            f.completeExceptionally(new StoreException("the ledger is busy: try again"));
        } else {
            LockSupport.unpark(worker);
        }
        return f;
    }

    /**
     * Writes every queued record to the store (or the spool, if the store fails) and stops the
     * writer, waiting at most {@code timeout}.
     */
    public void close(Duration timeout) {
        closing = true;
        LockSupport.unpark(worker);
        if (!started) {
            stopped = true;
            store.close();
            spool.close();
            return;
        }
        try {
            worker.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) {
            LOG.error("ledger: {} records still queued after {}: not written", queue.size(), timeout);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    private void run() {
        List<LedgerRecord> batch = new ArrayList<>(BATCH);
        try {
            retry();
            while (true) {
                queue.drainTo(batch, BATCH);
                if (!batch.isEmpty()) {
                    write(batch);
                }
                if (batch.size() < BATCH && queries.isEmpty() && !closing) {
                    // Caught up: wait for the next round instead of being woken by each record. A writer
                    // blocked on the queue is woken by every offer while it keeps up, and on a busy event
                    // loop those wake-ups (a futex call on each side) cost more than writing the records.
                    LockSupport.parkNanos(this, LINGER_NANOS);
                    if (Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                }
                batch.clear();
                Runnable q;
                while ((q = queries.poll()) != null) {
                    q.run();
                }
                long now = clock.millis();
                if (!spool.isEmpty() && now >= nextRetry) {
                    retry();
                }
                if (retentionMillis > 0 && now >= nextPrune && spool.isEmpty()) {
                    prune(now);
                }
                reportLoss(now);
                if (closing && queue.isEmpty()) {
                    break;
                }
            }
            if (!spool.isEmpty()) {
                retry();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped = true;
            // A record offered between the last drain and the flag above is written to the spool, not lost.
            List<LedgerRecord> late = new ArrayList<>();
            queue.drainTo(late);
            if (!late.isEmpty()) {
                toSpool(late);
            }
            reportLoss(Long.MAX_VALUE);
            store.close();
            spool.close();
            if (refusedFile != null) {
                refusedFile.close();
            }
        }
    }

    private void write(List<LedgerRecord> batch) {
        // While the store is failing, straight to the spool: one connect timeout per retry, not per batch.
        if (spool.isEmpty()) {
            try {
                insert(batch, true);
                return;
            } catch (StoreException e) {
                failed(e);
            }
        }
        toSpool(batch);
    }

    /**
     * Inserts {@code batch}; if the store refuses what it was given ({@link LedgerStore#refused}), record by
     * record, setting aside each record it refuses on its own. Throws when the store is away or busy (then
     * nothing is set aside).
     *
     * @param count whether to count what is stored in {@link #written} now (a replay counts once it is whole)
     */
    private void insert(List<LedgerRecord> batch, boolean count) {
        try {
            store.insert(batch);
            if (count) {
                written.addAndGet(batch.size());
            }
            return;
        } catch (StoreException e) {
            if (!store.refused(e)) {
                throw e;
            }
        }
        for (LedgerRecord r : batch) {
            try {
                store.insert(List.of(r));
                if (count) {
                    written.incrementAndGet();
                }
            } catch (StoreException e) {
                if (!store.refused(e)) {
                    throw e; // away or busy meanwhile: what was inserted is stored once again on replay
                }
                setAside(r, e);
            }
        }
    }

    /** Beside the spool: {@code <spool>.refused}. */
    private Path refusedPath() {
        return spool.file().resolveSibling(spool.file().getFileName() + ".refused");
    }

    private void setAside(LedgerRecord r, StoreException e) {
        try {
            if (refusedFile == null) {
                refusedFile = new Spool(refusedPath(), Long.MAX_VALUE);
                refusedWhere = refusedFile.file().toString();
            }
            if (refusedFile.append(List.of(r)) > 0) {
                throw new IOException("not appended");
            }
            LOG.error("ledger: the store refused record {} ({}); set aside in {}", r.requestId(), e.getMessage(),
                    refusedFile.file());
        } catch (IOException | RuntimeException io) {
            unwritable++;
            spoolDropped = spool.dropped() + unwritable;
            LOG.error("ledger: the store refused record {} ({}) and it cannot be set aside: lost", r.requestId(),
                    e.getMessage(), io);
        }
        refused++;
    }

    private void toSpool(List<LedgerRecord> batch) {
        try {
            int lost = spool.append(batch);
            if (lost > 0) {
                LOG.error("ledger: the spool {} is full: {} records lost", spool.file(), lost);
            }
        } catch (IOException e) {
            LOG.error("ledger: cannot write the spool {}: {} records lost", spool.file(), batch.size(), e);
            unwritable += batch.size();
        }
        spoolDropped = spool.dropped() + unwritable;
        spooled = spool.size();
    }

    private void retry() {
        if (spool.isEmpty()) {
            return;
        }
        long before = spool.size();
        try {
            long refusedBefore = refused;
            spool.replay(batch -> insert(batch, false));
            written.addAndGet(before - (refused - refusedBefore));
            if (!storeProblem.isEmpty()) {
                LOG.info("ledger: the store is back; {} spooled records replayed", before);
            }
            storeProblem = "";
        } catch (StoreException e) {
            failed(e);
        } catch (IOException e) {
            LOG.error("ledger: cannot read the spool {}", spool.file(), e);
        }
        spooled = spool.size();
        nextRetry = clock.millis() + retryMillis;
    }

    private void failed(StoreException e) {
        if (storeProblem.isEmpty()) {
            LOG.warn("ledger: the store failed, spooling records to {} until it answers: {}", spool.file(),
                    e.getMessage());
        }
        storeProblem = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        nextRetry = clock.millis() + retryMillis;
    }

    private void prune(long now) {
        long before = (now - retentionMillis) / DAY_MILLIS * DAY_MILLIS;
        try {
            int n = store.prune(before);
            if (n > 0) {
                LOG.info("ledger: {} records older than {} folded into daily rollups", n, java.time.Instant.ofEpochMilli(before));
            }
            nextPrune = now + Duration.ofHours(1).toMillis();
        } catch (StoreException e) {
            nextPrune = now + retryMillis;
        }
    }

    private void reportLoss(long now) {
        long lost = queueDropped.get() + spoolDropped;
        if (lost > 0 && now - lastLossLog >= 60_000) {
            lastLossLog = now;
            LOG.error("ledger: {} records lost so far (queue full: {}, spool full: {})", lost, queueDropped.get(),
                    spoolDropped);
        }
    }
}
