package dev.rosetta.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.rosetta.model.Usage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded, append-only local file of ledger records the store could not take, replayed into the
 * store when it answers again. One JSON array per line.
 *
 * <p>Durability: each appended batch is written and then {@code fsync}ed ({@link FileChannel#force})
 * before the ledger moves on, so a crash loses none of the records already handed to the spool; a
 * line cut by a crash mid-write is skipped (and logged) on replay. Replay inserts in batches and
 * empties the file only after every batch was stored; the store ignores request ids it already has,
 * so a replay interrupted half-way and run again stores each record once.
 *
 * <p>One spool, one ledger: the file is locked ({@link FileChannel#tryLock}) while a ledger uses it.
 * A second ledger on the same host and path (a replica started in the same directory) takes
 * {@code PATH.1}, {@code PATH.2}, ...; whichever ledger next locks a file left by a stopped one
 * replays it. An empty spool is deleted on close.
 *
 * <p>Used by the ledger's thread only.
 */
final class Spool {

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REPLAY_BATCH = 500;

    private final Path file;
    private final long maxBytes;
    private final FileChannel channel;
    private final java.nio.channels.FileLock lock;
    private long bytes;
    private long lines;
    private long dropped;

    Spool(Path wanted, long maxBytes) {
        this.maxBytes = maxBytes;
        Path chosen = null;
        FileChannel ch = null;
        java.nio.channels.FileLock held = null;
        for (int i = 0; i < 100 && held == null; i++) {
            chosen = i == 0 ? wanted : wanted.resolveSibling(wanted.getFileName() + "." + i);
            try {
                ch = FileChannel.open(chosen, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                try {
                    held = ch.tryLock();
                } catch (java.nio.channels.OverlappingFileLockException e) {
                    held = null; // another ledger in this process holds it
                }
                if (held == null) {
                    ch.close();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the ledger spool " + chosen, e);
            }
        }
        if (held == null) {
            throw new IllegalStateException("ledger spool: " + wanted + " and its 99 alternatives are all in use");
        }
        this.file = chosen;
        this.channel = ch;
        this.lock = held;
        try {
            if (Files.size(file) > 0) {
                bytes = Files.size(file);
                try (var in = Files.lines(file, StandardCharsets.UTF_8)) {
                    lines = in.filter(l -> !l.isBlank()).count();
                }
                endWithNewline();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the ledger spool " + file, e);
        }
    }

    /** A line cut short by a crash must not swallow the next record appended after it. */
    private void endWithNewline() throws IOException {
        if (bytes == 0) {
            return;
        }
        ByteBuffer last = ByteBuffer.allocate(1);
        channel.read(last, bytes - 1);
        if (last.get(0) != '\n') {
            channel.write(ByteBuffer.wrap(new byte[] {'\n'}), bytes);
            channel.force(false);
            bytes++;
        }
    }

    /** Releases the file; deletes it when nothing is waiting in it. */
    void close() {
        try {
            if (lines == 0 && bytes == 0) {
                Files.deleteIfExists(file);
            }
            lock.release();
            channel.close();
        } catch (IOException e) {
            LOG.warn("ledger spool {}: {}", file, e.getMessage());
        }
    }

    Path file() {
        return file;
    }

    boolean isEmpty() {
        return lines == 0;
    }

    /** Records waiting in the file. */
    long size() {
        return lines;
    }

    /** Records refused because the file was full: lost, and reported as such. */
    long dropped() {
        return dropped;
    }

    /**
     * Appends what fits within the size bound and forces it to disk.
     *
     * @return how many records did not fit (counted in {@link #dropped()})
     */
    int append(List<LedgerRecord> records) throws IOException {
        StringBuilder sb = new StringBuilder(records.size() * 256);
        int kept = 0;
        for (LedgerRecord r : records) {
            String line = JSON.writeValueAsString(encode(r)) + "\n";
            int len = line.getBytes(StandardCharsets.UTF_8).length;
            if (bytes + sb.length() + len > maxBytes) {
                break;
            }
            sb.append(line);
            kept++;
        }
        if (kept > 0) {
            byte[] out = sb.toString().getBytes(StandardCharsets.UTF_8);
            ByteBuffer buf = ByteBuffer.wrap(out);
            long at = bytes;
            while (buf.hasRemaining()) {
                at += channel.write(buf, at);
            }
            channel.force(false);
            bytes += out.length;
            lines += kept;
        }
        int lost = records.size() - kept;
        dropped += lost;
        return lost;
    }

    /**
     * Hands every spooled record to {@code insert}, in batches, then empties the file. If
     * {@code insert} throws, the file is left whole for the next attempt.
     */
    void replay(Consumer<List<LedgerRecord>> insert) throws IOException {
        if (lines == 0) {
            return;
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            List<LedgerRecord> batch = new ArrayList<>(REPLAY_BATCH);
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    batch.add(decode(JSON.readTree(line)));
                } catch (IOException | RuntimeException e) {
                    LOG.warn("ledger spool {}: skipping a damaged line (a write cut short by a crash?)", file);
                    continue;
                }
                if (batch.size() == REPLAY_BATCH) {
                    insert.accept(batch);
                    batch = new ArrayList<>(REPLAY_BATCH);
                }
            }
            insert.accept(batch);
        }
        channel.truncate(0);
        channel.force(true);
        bytes = 0;
        lines = 0;
    }

    private static ArrayNode encode(LedgerRecord r) {
        Usage u = r.usage();
        return JSON.createArrayNode().add(r.at()).add(r.requestId()).add(r.tenant()).add(r.keyId()).add(r.dialect())
                .add(r.endpoint()).add(r.model()).add(r.provider()).add(r.upstreamModel()).add(r.stream())
                .add(r.status()).add(r.errorClass()).add(u.inputUncached()).add(u.cacheRead()).add(u.cacheWrite())
                .add(u.output()).add(u.reasoning()).add(r.cost().nanos()).add(r.cost().known())
                .add(r.latencyMicros()).add(r.ttfbMicros()).add(r.cancelled()).add(r.usageEstimated())
                .add(u.cacheWrite1h()).add(r.cache()).add(r.savedCostNanos());
    }

    private static LedgerRecord decode(JsonNode a) {
        // 23 elements: a line spooled before the 1-hour cache writes were recorded apart (none then);
        // 24: before the response cache's columns (no hit then).
        if (!a.isArray() || (a.size() != 23 && a.size() != 24 && a.size() != 26)) {
            throw new IllegalArgumentException("not a ledger record");
        }
        return new LedgerRecord(a.get(0).asLong(), a.get(1).asText(), a.get(2).asText(), a.get(3).asText(),
                a.get(4).asText(), a.get(5).asText(), a.get(6).asText(), a.get(7).asText(), a.get(8).asText(),
                a.get(9).asBoolean(), a.get(10).asInt(), a.get(11).asText(),
                new Usage(a.get(12).asLong(), a.get(13).asLong(), a.get(14).asLong(), a.get(15).asLong(),
                        a.get(16).asLong(), a.size() > 23 ? a.get(23).asLong() : 0),
                new Cost(a.get(17).asLong(), a.get(18).asBoolean()), a.get(19).asLong(), a.get(20).asLong(),
                a.get(21).asBoolean(), a.get(22).asBoolean(), a.size() == 26 ? a.get(24).asText() : "",
                a.size() == 26 ? a.get(25).asLong() : 0);
    }
}
