import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * bench/cluster.sh's correctness load, through the load balancer while a replica is stopped and started:
 *
 *   java -cp target/rosetta.jar bench/ClusterLoad.java load URL SECONDS WORKERS FREE_KEY LIMITED_KEY RPM OUT_DIR
 *   java -cp target/rosetta.jar bench/ClusterLoad.java verify JDBC_URL USER SCHEMA OUT_DIR
 *
 * load: WORKERS loops send every client dialect against every provider, whole and streamed, with
 * FREE_KEY (no limits): each answer must be 200 and complete (JSON that parses, a stream that ends with
 * its dialect's last event). One more loop sends with LIMITED_KEY (rpm limit RPM) ten times a second:
 * each answer must be 200 or 429, and the 200s no more than the limit lets through. Writes the request
 * ids of the 200s to OUT_DIR/ids.txt and a summary line; exit 1 on any unexpected answer.
 * verify: every id in OUT_DIR/ids.txt is in the schema's ledger exactly once; exit 1 otherwise.
 */
public class ClusterLoad {

    record Kind(String name, String path, Map<String, String> headers, String body, String endMark) {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("verify")) {
            System.exit(verify(args[1], args[2], args[3], Path.of(args[4])));
        }
        System.exit(load(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), args[4], args[5],
                Integer.parseInt(args[6]), Path.of(args[7])));
    }

    static List<Kind> kinds(String key) throws Exception {
        List<Kind> kinds = new ArrayList<>();
        Map<String, String> bearer = Map.of("authorization", "Bearer " + key);
        String[][] providers = {{"oai-json", "oai-sse"}, {"ant-json", "ant-sse"}, {"gem-json", "gem-sse"}};
        for (String client : List.of("openai", "responses", "anthropic", "gemini")) {
            String file = switch (client) {
                case "openai" -> "bench/requests/openai-chat.json";
                case "responses" -> "bench/cluster/responses.json";
                case "anthropic" -> "bench/requests/anthropic-messages.json";
                default -> "bench/requests/gemini.json";
            };
            String text = Files.readString(Path.of(file));
            for (String[] p : providers) {
                for (int s = 0; s < 2; s++) {
                    boolean stream = s == 1;
                    String model = p[s];
                    String body = text.replace("${MODEL}", model).replace("${STREAM}", String.valueOf(stream));
                    String path = switch (client) {
                        case "openai" -> "/v1/chat/completions";
                        case "responses" -> "/v1/responses";
                        case "anthropic" -> "/v1/messages";
                        default -> "/v1beta/models/" + model + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
                    };
                    Map<String, String> headers = switch (client) {
                        case "anthropic" -> Map.of("x-api-key", key, "anthropic-version", "2023-06-01");
                        case "gemini" -> Map.of("x-goog-api-key", key);
                        default -> bearer;
                    };
                    String end = !stream ? "" : switch (client) {
                        case "openai" -> "data: [DONE]";
                        case "responses" -> "response.completed";
                        case "anthropic" -> "message_stop";
                        default -> "finishReason";
                    };
                    kinds.add(new Kind(client + "->" + model, path, headers, body, end));
                }
            }
        }
        return kinds;
    }

    static int load(String url, int seconds, int workers, String freeKey, String limitedKey, int rpm, Path out)
            throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        List<Kind> free = kinds(freeKey);
        List<Kind> limited = kinds(limitedKey);
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        Map<String, AtomicLong> byKind = new ConcurrentHashMap<>();
        AtomicLong ok = new AtomicLong();
        AtomicLong limitedOk = new AtomicLong();
        AtomicLong limitedRefused = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int start = w;
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = start; System.nanoTime() < end; i++) {
                    Kind k = free.get(i % free.size());
                    String r = send(http, url, k, ids);
                    if (r == null) {
                        ok.incrementAndGet();
                        byKind.computeIfAbsent(k.name(), x -> new AtomicLong()).incrementAndGet();
                    } else {
                        failures.add(k.name() + ": " + r);
                    }
                }
            }));
        }
        long started = System.nanoTime();
        threads.add(Thread.ofVirtual().start(() -> {
            for (int i = 0; System.nanoTime() < end; i++) {
                Kind k = limited.get(i % limited.size());
                String r = send(http, url, k, ids);
                if (r == null) {
                    limitedOk.incrementAndGet();
                } else if (r.startsWith("HTTP 429")) {
                    limitedRefused.incrementAndGet();
                } else {
                    failures.add("limited " + k.name() + ": " + r);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }));
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        // GCRA: a burst of rpm, then one request every 60/rpm seconds
        long allowed = rpm + (long) Math.ceil(elapsed * rpm / 60.0) + 1;
        Files.write(out.resolve("ids.txt"), ids);
        String summary = String.format("requests ok %d (%d kinds), failed %d; limited key: %d served (at most %d allowed),"
                + " %d refused with 429", ok.get(), byKind.size(), failures.size(), limitedOk.get(), allowed,
                limitedRefused.get());
        System.out.println(summary);
        Files.writeString(out.resolve("load-summary.txt"), summary + "\n");
        failures.stream().limit(20).forEach(f -> System.out.println("  FAILED " + f));
        boolean good = failures.isEmpty() && limitedOk.get() <= allowed && limitedRefused.get() > 0 && byKind.size() == 24;
        return good ? 0 : 1;
    }

    /** null when the answer is what it must be, else what was wrong. */
    static String send(HttpClient http, String url, Kind k, ConcurrentLinkedQueue<String> ids) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + k.path())).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(k.body())).header("content-type", "application/json");
        k.headers().forEach(b::header);
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return "HTTP " + r.statusCode() + " " + r.body().substring(0, Math.min(200, r.body().length()));
            }
            if (k.endMark().isEmpty() ? !r.body().strip().endsWith("}") : !r.body().contains(k.endMark())) {
                return "incomplete answer: " + r.body().substring(Math.max(0, r.body().length() - 200));
            }
            r.headers().firstValue("x-rosetta-request-id").ifPresent(ids::add);
            return null;
        } catch (Exception e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    static int verify(String jdbc, String user, String schema, Path out) throws Exception {
        List<String> ids = Files.readAllLines(out.resolve("ids.txt"));
        Set<String> ledger = new HashSet<>();
        long rows;
        try (var c = DriverManager.getConnection(jdbc, user, "");
             var s = c.createStatement()) {
            s.execute("SET search_path TO " + schema);
            try (var rs = s.executeQuery("SELECT request_id FROM rosetta_ledger")) {
                while (rs.next()) {
                    ledger.add(rs.getString(1));
                }
            }
            try (var rs = s.executeQuery("SELECT count(*) FROM rosetta_ledger")) {
                rs.next();
                rows = rs.getLong(1);
            }
        }
        Set<String> seen = new HashSet<>(ids);
        long missing = seen.stream().filter(id -> !ledger.contains(id)).count();
        String summary = String.format("ledger: %d rows, %d distinct; %d answered requests with an id (%d distinct),"
                + " %d of them missing from the ledger", rows, ledger.size(), ids.size(), seen.size(), missing);
        System.out.println(summary);
        Files.writeString(out.resolve("ledger-summary.txt"), summary + "\n");
        return missing == 0 && rows == ledger.size() && seen.size() == ids.size() ? 0 : 1;
    }
}
