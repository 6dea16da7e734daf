package dev.rosetta.ledger;

import dev.rosetta.config.StoreLocation;
import dev.rosetta.model.Usage;
import dev.rosetta.store.JdbcSession;
import dev.rosetta.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The ledger over JDBC, SQLite and PostgreSQL alike (schema in {@code db/rosetta/V3__ledger.sql} and
 * {@code V6__ledger_cache_write_1h.sql};
 * {@code INSERT ... ON CONFLICT DO NOTHING} and {@code excluded.} work in both). Inserts differ: a JDBC
 * batch of rows on SQLite, one statement of arrays on PostgreSQL ({@link #insertArrays}).
 *
 * <p>Implementation notes: one connection of its own, apart from the key store's, opened lazily
 * (PostgreSQL: dropped after a failure so the next call reconnects); used from the ledger's thread only.
 */
public final class JdbcLedgerStore implements LedgerStore {

    private static final long DAY_MILLIS = 86_400_000L;
    private static final String COLUMNS = "request_id, at, tenant, key_id, dialect, endpoint, model, provider,"
            + " upstream_model, stream, status, error_class, input_tokens, output_tokens, cache_read_tokens,"
            + " cache_write_tokens, reasoning_tokens, cost_nanos, cost_known, latency_us, ttfb_us, cancelled,"
            + " usage_estimated, cache_write_1h_tokens, cache, saved_cost_nanos";

    private static final int COLUMN_COUNT = COLUMNS.split(",").length;
    /**
     * {@link #insertArrays}: the texts of the batch, then a column each in {@link #COLUMNS}'s order, the
     * texts after the request id as indexes into the first. Without {@code ON CONFLICT}, which costs
     * PostgreSQL a third more per row (a speculative insertion); {@link #POSTGRES_INSERT_OR_SKIP} when a
     * batch holds records already stored.
     */
    private static final String POSTGRES_INSERT = "INSERT INTO rosetta_ledger (" + COLUMNS + ")"
            + " SELECT r.request_id, r.at, t[r.tenant], t[r.key_id], t[r.dialect], t[r.endpoint], t[r.model],"
            + " t[r.provider], t[r.upstream_model], r.stream, r.status, t[r.error_class], r.input_tokens,"
            + " r.output_tokens, r.cache_read_tokens, r.cache_write_tokens, r.reasoning_tokens, r.cost_nanos,"
            + " r.cost_known, r.latency_us, r.ttfb_us, r.cancelled, r.usage_estimated, r.cache_write_1h_tokens,"
            + " t[r.cache], r.saved_cost_nanos"
            + " FROM (SELECT ?::varchar[] AS t) texts, unnest(?::varchar[], ?::bigint[], ?::integer[], ?::integer[],"
            + " ?::integer[], ?::integer[], ?::integer[], ?::integer[], ?::integer[], ?::boolean[], ?::integer[],"
            + " ?::integer[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[],"
            + " ?::boolean[], ?::bigint[], ?::bigint[], ?::boolean[], ?::boolean[], ?::bigint[], ?::integer[],"
            + " ?::bigint[]) AS r(" + COLUMNS + ")";
    private static final String POSTGRES_INSERT_OR_SKIP = POSTGRES_INSERT + " ON CONFLICT (request_id) DO NOTHING";
    private static final String SQLITE_INSERT = "INSERT INTO rosetta_ledger (" + COLUMNS + ") VALUES ("
            + "?, ".repeat(COLUMN_COUNT - 1) + "?) ON CONFLICT (request_id) DO NOTHING";
    private static final String UNIQUE_VIOLATION = "23505";

    private final JdbcSession session;
    private final boolean postgres;
    private Connection insertOn;
    private PreparedStatement insert;
    private PreparedStatement insertOrSkip;

    public JdbcLedgerStore(StoreLocation location) {
        this.session = new JdbcSession(location, "ledger store", JdbcSession.AfterFailure.CLOSE_POSTGRESQL_ONLY);
        this.postgres = location.kind() == StoreLocation.Kind.POSTGRESQL;
    }

    @Override
    public void insert(List<LedgerRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        if (!postgres) {
            session.transaction(c -> {
                insertRows(statement(c, true), records); // ON CONFLICT costs SQLite nothing to speak of
                return null;
            });
            return;
        }
        // One statement, so autocommit makes it a transaction of its own: one round trip per batch, where
        // BEGIN ... COMMIT took two (and woke the writer, on the event loop's core, once more).
        session.read(c -> {
            try {
                insertArrays(statement(c, false), records);
            } catch (SQLException e) {
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
                // Some records are stored already (a spool replayed after a write whose answer was lost): once
                // more, skipping those. Replays are rare, so the common batch does not pay for ON CONFLICT. The
                // failed statement stored nothing: a statement is atomic.
                insertArrays(statement(c, true), records);
            }
            return null;
        });
    }

    /** SQLite: one row per record, in one batch. */
    private static void insertRows(PreparedStatement s, List<LedgerRecord> records) throws SQLException {
        s.clearBatch();
        for (LedgerRecord r : records) {
            int i = 1;
            s.setString(i++, text(r.requestId(), 64));
            s.setLong(i++, r.at());
            s.setString(i++, text(r.tenant(), 64));
            s.setString(i++, text(r.keyId(), 64));
            s.setString(i++, text(r.dialect(), 32));
            s.setString(i++, text(r.endpoint(), 64));
            s.setString(i++, text(r.model(), 256));
            s.setString(i++, text(r.provider(), 64));
            s.setString(i++, text(r.upstreamModel(), 256));
            s.setBoolean(i++, r.stream());
            s.setInt(i++, r.status());
            s.setString(i++, text(r.errorClass(), 32));
            Usage u = r.usage();
            s.setLong(i++, u.inputUncached());
            s.setLong(i++, u.output());
            s.setLong(i++, u.cacheRead());
            s.setLong(i++, u.cacheWrite());
            s.setLong(i++, u.reasoning());
            s.setLong(i++, r.cost().nanos());
            s.setBoolean(i++, r.cost().known());
            s.setLong(i++, r.latencyMicros());
            s.setLong(i++, r.ttfbMicros());
            s.setBoolean(i++, r.cancelled());
            s.setBoolean(i++, r.usageEstimated());
            s.setLong(i++, u.cacheWrite1h());
            s.setString(i++, text(r.cache(), 8));
            s.setLong(i, r.savedCostNanos());
            s.addBatch();
        }
        s.executeBatch();
    }

    /**
     * PostgreSQL: the whole batch as one row of arrays, a column each, which {@code unnest} turns back
     * into rows on the server; the driver binds 27 parameters per batch instead of 26 per record, and sends
     * them in binary. The texts other than the request id repeat from record to record (a few tenants, keys and
     * models), so each is sent once, in {@code texts}, and the records carry its index there.
     */
    private static void insertArrays(PreparedStatement s, List<LedgerRecord> records) throws SQLException {
        int n = records.size();
        Map<String, Integer> index = new HashMap<>();
        List<String> texts = new ArrayList<>();
        String[] requestId = new String[n];
        int[][] text = new int[9][n];
        long[] at = new long[n], input = new long[n], output = new long[n], cacheRead = new long[n],
                cacheWrite = new long[n], reasoning = new long[n], cost = new long[n], latency = new long[n],
                ttfb = new long[n], cacheWrite1h = new long[n], saved = new long[n];
        boolean[] stream = new boolean[n], costKnown = new boolean[n], cancelled = new boolean[n],
                estimated = new boolean[n];
        int[] status = new int[n];
        for (int j = 0; j < n; j++) {
            LedgerRecord r = records.get(j);
            Usage u = r.usage();
            requestId[j] = text(r.requestId(), 64);
            at[j] = r.at();
            text[0][j] = indexOf(index, texts, r.tenant(), 64);
            text[1][j] = indexOf(index, texts, r.keyId(), 64);
            text[2][j] = indexOf(index, texts, r.dialect(), 32);
            text[3][j] = indexOf(index, texts, r.endpoint(), 64);
            text[4][j] = indexOf(index, texts, r.model(), 256);
            text[5][j] = indexOf(index, texts, r.provider(), 64);
            text[6][j] = indexOf(index, texts, r.upstreamModel(), 256);
            stream[j] = r.stream();
            status[j] = r.status();
            text[7][j] = indexOf(index, texts, r.errorClass(), 32);
            input[j] = u.inputUncached();
            output[j] = u.output();
            cacheRead[j] = u.cacheRead();
            cacheWrite[j] = u.cacheWrite();
            reasoning[j] = u.reasoning();
            cost[j] = r.cost().nanos();
            costKnown[j] = r.cost().known();
            latency[j] = r.latencyMicros();
            ttfb[j] = r.ttfbMicros();
            cancelled[j] = r.cancelled();
            estimated[j] = r.usageEstimated();
            cacheWrite1h[j] = u.cacheWrite1h();
            text[8][j] = indexOf(index, texts, r.cache(), 8);
            saved[j] = r.savedCostNanos();
        }
        Object[] parameters = {texts.toArray(String[]::new), requestId, at, text[0], text[1], text[2], text[3],
                text[4], text[5], text[6], stream, status, text[7], input, output, cacheRead, cacheWrite, reasoning,
                cost, costKnown, latency, ttfb, cancelled, estimated, cacheWrite1h, text[8], saved};
        for (int i = 0; i < parameters.length; i++) {
            s.setObject(i + 1, parameters[i]);
        }
        s.executeUpdate();
    }

    /** The 1-based index of {@code s}, cut to its column, in {@code texts}; added on first sight. */
    private static int indexOf(Map<String, Integer> index, List<String> texts, String s, int max) {
        Integer i = index.get(s);
        if (i == null) {
            texts.add(text(s, max));
            i = texts.size();
            index.put(s, i);
        }
        return i;
    }

    /**
     * The insert ({@code orSkip}: the one that skips records already stored; SQLite has only that one),
     * prepared once per connection (the session opens a new one after a PostgreSQL failure).
     */
    private PreparedStatement statement(Connection c, boolean orSkip) throws SQLException {
        if (insertOn != c) {
            closeQuietly(insert);
            closeQuietly(insertOrSkip);
            insert = null;
            insertOrSkip = null;
            insertOn = c;
        }
        if (orSkip) {
            if (insertOrSkip == null) {
                insertOrSkip = c.prepareStatement(postgres ? POSTGRES_INSERT_OR_SKIP : SQLITE_INSERT);
            }
            return insertOrSkip;
        }
        if (insert == null) {
            insert = c.prepareStatement(POSTGRES_INSERT);
        }
        return insert;
    }

    private static void closeQuietly(PreparedStatement s) {
        if (s != null) {
            try {
                s.close();
            } catch (SQLException ignored) {
                // it belonged to a connection that is gone
            }
        }
    }

    @Override
    public List<UsageRow> aggregate(UsageQuery q) {
        String groups = q.groupBy().stream().map(d -> d.column).collect(Collectors.joining(", "));
        String select = groups.isEmpty() ? "" : groups + ", ";
        // Raw records for the range, plus the daily rollups of pruned days that start within it: a day is
        // either still raw or rolled up, never both (pruning moves it in one transaction).
        String sql = "SELECT " + select + "SUM(requests), SUM(errors), SUM(input_tokens), SUM(output_tokens),"
                + " SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens), SUM(cost_nanos),"
                + " SUM(unpriced), SUM(cache_write_1h_tokens) FROM ("
                + "SELECT at / " + DAY_MILLIS + " AS day, tenant, key_id, model, provider, 1 AS requests,"
                + " CASE WHEN status >= 400 THEN 1 ELSE 0 END AS errors, input_tokens, output_tokens,"
                + " cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_nanos,"
                + " CASE WHEN cost_known THEN 0 ELSE 1 END AS unpriced, cache_write_1h_tokens"
                + " FROM rosetta_ledger WHERE at >= ? AND at < ?" + filters(q)
                + " UNION ALL SELECT day, tenant, key_id, model, provider, requests, errors, input_tokens,"
                + " output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_nanos, unpriced,"
                + " cache_write_1h_tokens FROM rosetta_usage_daily WHERE day * " + DAY_MILLIS + " >= ? AND day * " + DAY_MILLIS + " < ?"
                + filters(q) + ") u"
                + (groups.isEmpty() ? "" : " GROUP BY " + groups + " ORDER BY " + groups);
        return session.read(c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                int i = bind(s, 1, q);
                bind(s, i, q);
                List<UsageRow> rows = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        Map<UsageQuery.Dimension, String> group = new EnumMap<>(UsageQuery.Dimension.class);
                        int col = 1;
                        for (UsageQuery.Dimension d : q.groupBy()) {
                            group.put(d, d == UsageQuery.Dimension.DAY
                                    ? LocalDate.ofEpochDay(rs.getLong(col++)).toString() : rs.getString(col++));
                        }
                        long requests = rs.getLong(col);
                        if (requests == 0 && group.isEmpty()) {
                            break; // no rows at all: SUM over nothing
                        }
                        rows.add(new UsageRow(group, requests, rs.getLong(col + 1), rs.getLong(col + 2),
                                rs.getLong(col + 3), rs.getLong(col + 4), rs.getLong(col + 5), rs.getLong(col + 6),
                                rs.getLong(col + 7), rs.getLong(col + 8), rs.getLong(col + 9)));
                    }
                }
                return rows;
            }
        });
    }

    private static String filters(UsageQuery q) {
        return (q.tenant().isPresent() ? " AND tenant = ?" : "") + (q.keyId().isPresent() ? " AND key_id = ?" : "")
                + (q.model().isPresent() ? " AND model = ?" : "") + (q.provider().isPresent() ? " AND provider = ?" : "");
    }

    private static int bind(PreparedStatement s, int i, UsageQuery q) throws SQLException {
        s.setLong(i++, q.from());
        s.setLong(i++, q.to());
        for (var f : List.of(q.tenant(), q.keyId(), q.model(), q.provider())) {
            if (f.isPresent()) {
                s.setString(i++, f.get());
            }
        }
        return i;
    }

    @Override
    public List<LedgerRecord> records(UsageQuery q) {
        String sql = "SELECT " + COLUMNS + " FROM rosetta_ledger WHERE at >= ? AND at < ?" + filters(q)
                + q.after().map(a -> " AND (at < ? OR (at = ? AND request_id < ?))").orElse("")
                + " ORDER BY at DESC, request_id DESC LIMIT " + q.limit();
        return session.read(c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                int i = bind(s, 1, q);
                if (q.after().isPresent()) {
                    s.setLong(i++, q.after().get().at());
                    s.setLong(i++, q.after().get().at());
                    s.setString(i, q.after().get().requestId());
                }
                List<LedgerRecord> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(new LedgerRecord(rs.getLong(2), rs.getString(1), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                                rs.getBoolean(10), rs.getInt(11), rs.getString(12),
                                new Usage(rs.getLong(13), rs.getLong(15), rs.getLong(16), rs.getLong(14), rs.getLong(17),
                                        rs.getLong(24)),
                                new Cost(rs.getLong(18), rs.getBoolean(19)), rs.getLong(20), rs.getLong(21),
                                rs.getBoolean(22), rs.getBoolean(23), rs.getString(25), rs.getLong(26)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public int prune(long before) {
        return session.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO rosetta_usage_daily (day, tenant, key_id,"
                    + " model, provider, requests, errors, input_tokens, output_tokens, cache_read_tokens,"
                    + " cache_write_tokens, reasoning_tokens, cost_nanos, unpriced, cache_write_1h_tokens)"
                    + " SELECT at / " + DAY_MILLIS + ", tenant, key_id, model, provider, COUNT(*),"
                    + " SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END), SUM(input_tokens), SUM(output_tokens),"
                    + " SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens), SUM(cost_nanos),"
                    + " SUM(CASE WHEN cost_known THEN 0 ELSE 1 END), SUM(cache_write_1h_tokens)"
                    + " FROM rosetta_ledger WHERE at < ? GROUP BY at / " + DAY_MILLIS + ", tenant, key_id, model, provider"
                    // A request id ending on a day already rolled up (a late spool replay) adds to that day.
                    + " ON CONFLICT (day, tenant, key_id, model, provider) DO UPDATE SET"
                    + " requests = rosetta_usage_daily.requests + excluded.requests,"
                    + " errors = rosetta_usage_daily.errors + excluded.errors,"
                    + " input_tokens = rosetta_usage_daily.input_tokens + excluded.input_tokens,"
                    + " output_tokens = rosetta_usage_daily.output_tokens + excluded.output_tokens,"
                    + " cache_read_tokens = rosetta_usage_daily.cache_read_tokens + excluded.cache_read_tokens,"
                    + " cache_write_tokens = rosetta_usage_daily.cache_write_tokens + excluded.cache_write_tokens,"
                    + " reasoning_tokens = rosetta_usage_daily.reasoning_tokens + excluded.reasoning_tokens,"
                    + " cost_nanos = rosetta_usage_daily.cost_nanos + excluded.cost_nanos,"
                    + " unpriced = rosetta_usage_daily.unpriced + excluded.unpriced,"
                    + " cache_write_1h_tokens = rosetta_usage_daily.cache_write_1h_tokens + excluded.cache_write_1h_tokens")) {
                s.setLong(1, before);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM rosetta_ledger WHERE at < ?")) {
                s.setLong(1, before);
                return s.executeUpdate();
            }
        });
    }

    /**
     * PostgreSQL: SQLSTATE class 22 (data exception) or 23 (integrity constraint violation). SQLite: the
     * primary result codes {@code SQLITE_TOOBIG}, {@code SQLITE_CONSTRAINT} and {@code SQLITE_MISMATCH}.
     * Anything else (a connection refused or cut, a busy or locked database, a disk error) is not.
     */
    @Override
    public boolean refused(StoreException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                if (postgres) {
                    String state = sql.getSQLState();
                    return state != null && (state.startsWith("22") || state.startsWith("23"));
                }
                int code = sql.getErrorCode() & 0xff;
                return code == 18 || code == 19 || code == 20;
            }
        }
        return false;
    }

    @Override
    public void close() {
        insert = null;
        insertOrSkip = null;
        insertOn = null;
        session.close();
    }

    /**
     * {@code s} as stored: at most its column's width ({@code max} characters), and without NUL, which
     * PostgreSQL's text refuses. A client can put one in a model name, and a provider's name in the config
     * is not bounded by the column; refused, the record's whole batch would go to the spool, be refused again
     * on every replay, and keep every later record out of the store.
     */
    static String text(String s, int max) {
        String capped = s.length() <= max ? s : s.substring(0, max);
        return capped.indexOf('\u0000') < 0 ? capped : capped.replace("\u0000", "");
    }
}
