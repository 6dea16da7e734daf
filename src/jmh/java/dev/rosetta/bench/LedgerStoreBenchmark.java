package dev.rosetta.bench;

import dev.rosetta.config.StoreLocation;
import dev.rosetta.ledger.Cost;
import dev.rosetta.ledger.JdbcLedgerStore;
import dev.rosetta.ledger.LedgerRecord;
import dev.rosetta.model.Usage;
import dev.rosetta.store.StoreConnections;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ledger writer's side: one batch of {@code batch} records inserted into the store in one
 * transaction, as the writer thread does. The score is per batch; each iteration also prints the
 * writer thread's own CPU time (user + system) per record, the figure that adds to a gateway's CPU per
 * request and that a busy machine inflates far less than the wall clock. Small batches are what a
 * writer woken by every record writes: each pays a whole transaction. The request ids have the gateway's
 * shape ({@code req_<random>_<hex counter>}, see {@code ids}) and times move on by a millisecond per batch, so the
 * table grows as it does under load. {@code store}: a SQLite file in a temporary directory, or
 * PostgreSQL at {@code ROSETTA_BENCH_PG} (default {@code postgresql://postgres@127.0.0.1:5432/test}),
 * in a schema of its own dropped afterwards.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class LedgerStoreBenchmark {

    @Param({"sqlite"})
    public String store;

    @Param({"200"})
    public int batch;

    /**
     * {@code ordered}: the gateway's ids, whose counter has a fixed width, so they sort as they are made;
     * {@code unpadded}: the counter without padding (the earlier shape), whose ids land all over the index.
     */
    @Param({"ordered"})
    public String ids;

    JdbcLedgerStore ledger;
    Path dir;
    String schema;
    String prefix = String.format("req_%016x_", System.nanoTime());
    long counter;
    long at = System.currentTimeMillis();
    List<LedgerRecord> records = new ArrayList<>();
    Usage usage = Usage.fromOpenAi(4200, 1024, 0, 380, 128);
    /** The writer thread's own CPU time, which a busy machine does not inflate as it does the wall clock. */
    final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpuNanos;
    long rows;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        StoreLocation location;
        if (store.equals("sqlite")) {
            dir = Files.createTempDirectory("ledger-store-bench");
            location = new StoreLocation(StoreLocation.Kind.SQLITE, "jdbc:sqlite:" + dir.resolve("bench.db"),
                    Optional.empty(), Optional.empty(), Optional.empty());
        } else {
            schema = "rosetta_bench_" + Long.toHexString(System.nanoTime());
            String url = Optional.ofNullable(System.getenv("ROSETTA_BENCH_PG"))
                    .orElse("jdbc:postgresql://127.0.0.1:5432/test");
            location = new StoreLocation(StoreLocation.Kind.POSTGRESQL, url, Optional.of("postgres"),
                    Optional.empty(), Optional.of(schema));
        }
        StoreConnections.migrate(location);
        ledger = new JdbcLedgerStore(location);
    }

    @TearDown(Level.Iteration)
    public void cpu() {
        if (rows > 0) {
            System.out.printf("%n  writer thread CPU: %.0f ns per record (%d records)%n", (double) cpuNanos / rows, rows);
        }
        cpuNanos = 0;
        rows = 0;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        ledger.close();
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
        if (schema != null) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", null);
                 Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    private String id(long n) {
        if (ids.equals("unpadded")) {
            return prefix + Long.toHexString(n);
        }
        String hex = Long.toHexString(n);
        return prefix + "0".repeat(12 - hex.length()) + hex;
    }

    @Benchmark
    public void insertBatch() {
        records.clear();
        at++;
        for (int i = 0; i < batch; i++) {
            records.add(new LedgerRecord(at, id(++counter), "team-a", "key_abc", "openai_chat",
                    "chat_completions", "gpt", "oai", "gpt-5-2025-08-07", true, 200, "", usage,
                    new Cost(123_456, true), 1_234, 567, false, false));
        }
        long t0 = threads.getCurrentThreadCpuTime();
        ledger.insert(records);
        cpuNanos += threads.getCurrentThreadCpuTime() - t0;
        rows += batch;
    }
}
