package dev.rosetta.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.ledger.Ledger;
import dev.rosetta.ledger.LedgerRecord;
import dev.rosetta.ledger.UsageQuery;
import dev.rosetta.ledger.UsageRow;
import io.vertx.core.http.HttpServerRequest;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /admin/v1/usage} (aggregates) and {@code GET /admin/v1/usage/requests} (records, paged),
 * as JSON or, with {@code format=csv}, CSV. Queries run on the ledger's thread.
 */
final class UsageApi {

    /** A JSON body or a CSV text. */
    record Answer(ObjectNode json, Optional<String> csv) {
    }

    private static final Duration DEFAULT_RANGE = Duration.ofDays(30);

    private final Ledger ledger;
    private final Clock clock;

    UsageApi(Ledger ledger, Clock clock) {
        this.ledger = ledger;
        this.clock = clock;
    }

    CompletableFuture<Answer> aggregate(HttpServerRequest req) {
        UsageQuery q = query(req, false);
        boolean csv = csv(req);
        return unavailableAsSuch(ledger.call(s -> s.aggregate(q))).thenApply(rows -> csv ? new Answer(null, Optional.of(aggregateCsv(q, rows)))
                : new Answer(aggregateJson(q, rows), Optional.empty()));
    }

    CompletableFuture<Answer> requests(HttpServerRequest req) {
        UsageQuery q = query(req, true);
        boolean csv = csv(req);
        return unavailableAsSuch(ledger.call(s -> s.records(q))).thenApply(records -> {
            Optional<String> next = records.size() < q.limit() ? Optional.empty()
                    : Optional.of(cursor(records.get(records.size() - 1)));
            return csv ? new Answer(null, Optional.of(recordsCsv(records)))
                    : new Answer(recordsJson(records, next), Optional.empty());
        });
    }

    /** A store failure here is the ledger's, not the key store's (which the admin API's default names). */
    private static <T> CompletableFuture<T> unavailableAsSuch(CompletableFuture<T> f) {
        return f.exceptionallyCompose(e -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            return CompletableFuture.failedFuture(cause instanceof dev.rosetta.store.StoreException
                    ? AdminError.unavailable("the ledger store is unavailable: " + cause.getMessage()) : cause);
        });
    }

    private static boolean csv(HttpServerRequest req) {
        String f = req.getParam("format");
        if (f == null || f.equals("json")) {
            return false;
        }
        if (f.equals("csv")) {
            return true;
        }
        throw AdminError.invalid("format: expected json or csv");
    }

    private UsageQuery query(HttpServerRequest req, boolean paged) {
        long to = time(req.getParam("to"), "to").orElse(clock.millis());
        long from = time(req.getParam("from"), "from").orElse(to - DEFAULT_RANGE.toMillis());
        if (from >= to) {
            throw AdminError.invalid("from: must be before to");
        }
        List<UsageQuery.Dimension> groupBy = new ArrayList<>();
        String g = req.getParam("group_by");
        if (g != null && !g.isBlank()) {
            if (paged) {
                throw AdminError.invalid("group_by: only for /admin/v1/usage");
            }
            for (String name : g.split(",")) {
                UsageQuery.Dimension d = dimension(name.trim());
                if (!groupBy.contains(d)) {
                    groupBy.add(d);
                }
            }
        }
        int limit = paged ? limit(req.getParam("limit")) : 0;
        Optional<UsageQuery.Cursor> after = paged ? Optional.ofNullable(req.getParam("cursor")).map(UsageApi::cursor)
                : Optional.empty();
        return new UsageQuery(from, to, groupBy, param(req, "tenant"), param(req, "key"), param(req, "model"),
                param(req, "provider"), limit, after);
    }

    private static Optional<String> param(HttpServerRequest req, String name) {
        return Optional.ofNullable(req.getParam(name)).filter(s -> !s.isEmpty());
    }

    private static UsageQuery.Dimension dimension(String name) {
        for (UsageQuery.Dimension d : UsageQuery.Dimension.values()) {
            if (d.wireName().equals(name)) {
                return d;
            }
        }
        throw AdminError.invalid("group_by: unknown dimension \"" + name + "\" (expected day, tenant, key, model, provider)");
    }

    /** A date ({@code 2025-01-31}, midnight UTC) or an instant ({@code 2025-01-31T12:00:00Z}). */
    private static Optional<Long> time(String s, String name) {
        if (s == null || s.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(s.length() == 10 ? LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli()
                    : Instant.parse(s).toEpochMilli());
        } catch (DateTimeParseException e) {
            throw AdminError.invalid(name + ": expected a date (2025-01-31) or a UTC time (2025-01-31T12:00:00Z)");
        }
    }

    private static int limit(String s) {
        if (s == null) {
            return 100;
        }
        try {
            int n = Integer.parseInt(s);
            if (n >= 1 && n <= 1000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the refusal
        }
        throw AdminError.invalid("limit: expected 1 to 1000");
    }

    private static String cursor(LedgerRecord r) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((r.at() + ":" + r.requestId())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static UsageQuery.Cursor cursor(String s) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(s), java.nio.charset.StandardCharsets.UTF_8);
            int colon = raw.indexOf(':');
            return new UsageQuery.Cursor(Long.parseLong(raw.substring(0, colon)), raw.substring(colon + 1));
        } catch (RuntimeException e) {
            throw AdminError.invalid("cursor: not a cursor this API returned");
        }
    }

    private static BigDecimal usd(long nanos) {
        return BigDecimal.valueOf(nanos, 9).stripTrailingZeros();
    }

    private static String iso(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    private static ObjectNode aggregateJson(UsageQuery q, List<UsageRow> rows) {
        ObjectNode o = AdminJson.JSON.createObjectNode().put("from", iso(q.from())).put("to", iso(q.to()));
        ArrayNode g = o.putArray("group_by");
        q.groupBy().forEach(d -> g.add(d.wireName()));
        ArrayNode data = o.putArray("data");
        for (UsageRow r : rows) {
            ObjectNode row = data.addObject();
            r.group().forEach((d, v) -> row.put(d.wireName(), v));
            row.put("requests", r.requests()).put("errors", r.errors());
            row.putObject("tokens").put("input", r.input()).put("output", r.output()).put("cache_read", r.cacheRead())
                    .put("cache_write", r.cacheWrite()).put("cache_write_1h", r.cacheWrite1h())
                    .put("reasoning", r.reasoning());
            row.put("cost_usd", usd(r.costNanos())).put("unpriced_requests", r.unpriced());
        }
        return o;
    }

    private static String aggregateCsv(UsageQuery q, List<UsageRow> rows) {
        StringBuilder sb = new StringBuilder();
        q.groupBy().forEach(d -> sb.append(d.wireName()).append(','));
        sb.append("requests,errors,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,"
                + "cache_write_1h_tokens,reasoning_tokens,cost_usd,unpriced_requests\n");
        for (UsageRow r : rows) {
            q.groupBy().forEach(d -> cell(sb, r.group().get(d)).append(','));
            sb.append(r.requests()).append(',').append(r.errors()).append(',').append(r.input()).append(',')
                    .append(r.output()).append(',').append(r.cacheRead()).append(',').append(r.cacheWrite()).append(',')
                    .append(r.cacheWrite1h()).append(',').append(r.reasoning()).append(',').append(usd(r.costNanos()).toPlainString()).append(',')
                    .append(r.unpriced()).append('\n');
        }
        return sb.toString();
    }

    private static final String RECORD_HEADER = "time,request_id,tenant,key_id,dialect,endpoint,model,provider,"
            + "upstream_model,stream,status,error_class,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,"
            + "cache_write_1h_tokens,reasoning_tokens,cost_usd,cost_known,latency_ms,ttfb_ms,client_cancelled,usage_estimated\n";

    private static ObjectNode recordsJson(List<LedgerRecord> records, Optional<String> next) {
        ObjectNode o = AdminJson.JSON.createObjectNode();
        ArrayNode data = o.putArray("data");
        for (LedgerRecord r : records) {
            ObjectNode j = data.addObject().put("time", iso(r.at())).put("request_id", r.requestId())
                    .put("tenant", r.tenant()).put("key_id", r.keyId()).put("dialect", r.dialect())
                    .put("endpoint", r.endpoint()).put("model", r.model()).put("provider", r.provider())
                    .put("upstream_model", r.upstreamModel()).put("stream", r.stream()).put("status", r.status())
                    .put("error_class", r.errorClass());
            j.putObject("tokens").put("input", r.usage().inputUncached()).put("output", r.usage().output())
                    .put("cache_read", r.usage().cacheRead()).put("cache_write", r.usage().cacheWrite())
                    .put("cache_write_1h", r.usage().cacheWrite1h()).put("reasoning", r.usage().reasoning());
            j.put("cost_usd", usd(r.cost().nanos())).put("cost_known", r.cost().known())
                    .put("latency_ms", r.latencyMicros() / 1000.0);
            if (r.ttfbMicros() >= 0) {
                j.put("ttfb_ms", r.ttfbMicros() / 1000.0);
            } else {
                j.putNull("ttfb_ms");
            }
            j.put("client_cancelled", r.cancelled()).put("usage_estimated", r.usageEstimated());
            if (!r.cache().isEmpty()) {
                j.put("cache", r.cache()).put("saved_cost_usd", usd(r.savedCostNanos()));
            }
        }
        next.ifPresentOrElse(c -> o.put("next_cursor", c), () -> o.putNull("next_cursor"));
        return o;
    }

    private static String recordsCsv(List<LedgerRecord> records) {
        StringBuilder sb = new StringBuilder(RECORD_HEADER);
        for (LedgerRecord r : records) {
            sb.append(iso(r.at())).append(',');
            for (String s : List.of(r.requestId(), r.tenant(), r.keyId(), r.dialect(), r.endpoint(), r.model(),
                    r.provider(), r.upstreamModel())) {
                cell(sb, s).append(',');
            }
            sb.append(r.stream()).append(',').append(r.status()).append(',').append(r.errorClass()).append(',')
                    .append(r.usage().inputUncached()).append(',').append(r.usage().output()).append(',')
                    .append(r.usage().cacheRead()).append(',').append(r.usage().cacheWrite()).append(',')
                    .append(r.usage().cacheWrite1h()).append(',').append(r.usage().reasoning()).append(',').append(usd(r.cost().nanos()).toPlainString()).append(',')
                    .append(r.cost().known()).append(',').append(r.latencyMicros() / 1000.0).append(',')
                    .append(r.ttfbMicros() < 0 ? "" : Double.toString(r.ttfbMicros() / 1000.0)).append(',')
                    .append(r.cancelled()).append(',').append(r.usageEstimated()).append('\n');
        }
        return sb.toString();
    }

    /** RFC 4180: quoted when it holds a comma, quote or line break; a leading =+-@ defused for spreadsheets. */
    private static StringBuilder cell(StringBuilder sb, String s) {
        String v = s == null ? "" : s;
        if (!v.isEmpty() && "=+-@".indexOf(v.charAt(0)) >= 0) {
            v = "'" + v;
        }
        if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
            return sb.append('"').append(v.replace("\"", "\"\"")).append('"');
        }
        return sb.append(v);
    }
}
