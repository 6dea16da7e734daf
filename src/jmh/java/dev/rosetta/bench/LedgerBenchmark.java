package dev.rosetta.bench;

import dev.rosetta.ledger.Cost;
import dev.rosetta.ledger.Ledger;
import dev.rosetta.ledger.LedgerRecord;
import dev.rosetta.ledger.LedgerStore;
import dev.rosetta.ledger.PriceTable;
import dev.rosetta.ledger.UsageQuery;
import dev.rosetta.ledger.UsageRow;
import dev.rosetta.model.Usage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the ledger listener costs on the event loop per request: the cost computed from the usage and
 * the upstream model's price (exact, then undated name), the record built, and offered to the
 * writer's queue (which a writer thread drains into a store that keeps nothing, so the queue never
 * fills). {@code cost} is the price lookup and arithmetic alone.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LedgerBenchmark {

    @State(Scope.Benchmark)
    public static class Listener {
        Ledger ledger;
        PriceTable prices;
        Usage usage = Usage.fromOpenAi(4200, 1024, 0, 380, 128);
        long n;
        Path spool;

        @Setup
        public void setUp() throws Exception {
            prices = PriceTable.shippedOnly();
            spool = Files.createTempFile("ledger-bench", ".spool");
            ledger = new Ledger(new Sink(), prices, spool, 1 << 20, 65_536, Duration.ZERO, Duration.ofSeconds(1),
                    Clock.systemUTC()).start();
        }

        @TearDown
        public void tearDown() throws Exception {
            ledger.close();
            Files.deleteIfExists(spool);
        }
    }

    /** A store that keeps nothing: the writer's side is not what is measured. */
    static final class Sink implements LedgerStore {
        @Override
        public void insert(List<LedgerRecord> records) {
        }

        @Override
        public boolean refused(dev.rosetta.store.StoreException e) {
            return false;
        }

        @Override
        public List<UsageRow> aggregate(UsageQuery query) {
            return List.of();
        }

        @Override
        public List<LedgerRecord> records(UsageQuery query) {
            return List.of();
        }

        @Override
        public int prune(long before) {
            return 0;
        }

        @Override
        public void close() {
        }
    }

    @Benchmark
    public void listener(Listener l) {
        long start = System.nanoTime();
        Cost cost = l.prices.cost("gpt-5-2025-08-07", l.usage);
        l.ledger.offer(new LedgerRecord(System.currentTimeMillis(), "req_0123456789abcdef_" + Long.toHexString(++l.n),
                "team-a", "key_abc", "openai_chat", "chat_completions", "gpt", "oai", "gpt-5-2025-08-07", true, 200,
                LedgerRecord.errorClass(200), l.usage, cost, (System.nanoTime() - start) / 1000, 1234, false, false));
    }

    @Benchmark
    public Cost cost(Listener l) {
        return l.prices.cost("gpt-5-2025-08-07", l.usage);
    }
}
