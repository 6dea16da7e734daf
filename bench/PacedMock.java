import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A streaming upstream that paces its answer: one text event every INTERVAL ms, EVENTS of them, in
 * the wire format of the provider the path names (OpenAI Chat, Anthropic Messages, Gemini
 * streamGenerateContent). Each text delta carries {@code t=<System.nanoTime()>} taken just before
 * the write; on Linux that clock is CLOCK_MONOTONIC, shared by every process on the machine, so a
 * client can compute each event's one-way latency (see PacedClient.java). Framing events
 * (message_start, [DONE]...) are sent together with the first or last text event.
 *
 * <p>Run: {@code java bench/PacedMock.java PORT [INTERVAL_MS=10] [EVENTS=20]} (JDK only, single-file launch).
 */
public final class PacedMock {

    public static void main(String[] args) throws IOException {
        // Real providers' servers send small writes at once; the JDK server leaves Nagle on unless told.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int port = Integer.parseInt(args[0]);
        long interval = args.length > 1 ? Long.parseLong(args[1]) : 10;
        int events = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                String path = ex.getRequestURI().getPath();
                Dialect d = path.endsWith("/chat/completions") ? Dialect.OPENAI
                        : path.endsWith("/messages") ? Dialect.ANTHROPIC
                        : path.contains(":streamGenerateContent") ? Dialect.GEMINI : null;
                if (d == null) {
                    byte[] b = "{\"error\":\"paced mock: unknown path\"}".getBytes(StandardCharsets.UTF_8);
                    ex.sendResponseHeaders(404, b.length);
                    ex.getResponseBody().write(b);
                    return;
                }
                stream(ex, d, interval, events);
            } catch (IOException | InterruptedException e) {
                // the client went away; nothing to clean up
            }
        });
        server.start();
        System.out.println("PacedMock listening on 127.0.0.1:" + port + " (" + events + " events, " + interval + " ms apart)");
    }

    enum Dialect { OPENAI, ANTHROPIC, GEMINI }

    private static void stream(HttpExchange ex, Dialect d, long interval, int events)
            throws IOException, InterruptedException {
        ex.getResponseHeaders().set("content-type", "text/event-stream");
        ex.getResponseHeaders().set("x-request-id", "req_paced");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        long next = System.nanoTime();
        for (int i = 0; i < events; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            StringBuilder sb = new StringBuilder(512);
            boolean first = i == 0;
            boolean last = i == events - 1;
            String text = "t=" + System.nanoTime() + " ";
            switch (d) {
                case OPENAI -> {
                    if (first) {
                        sb.append(oai("{\"role\":\"assistant\",\"content\":\"\"}", "null"));
                    }
                    sb.append(oai("{\"content\":\"" + text + "\"}", "null"));
                    if (last) {
                        sb.append(oai("{}", "\"stop\""));
                        sb.append("data: [DONE]\n\n");
                    }
                }
                case ANTHROPIC -> {
                    if (first) {
                        sb.append(ant("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_paced\",\"type\":\"message\","
                                + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-20250514\",\"content\":[],\"stop_reason\":null,"
                                + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":412,\"output_tokens\":1}}}"));
                        sb.append(ant("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                                + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
                    }
                    sb.append(ant("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                            + "\"delta\":{\"type\":\"text_delta\",\"text\":\"" + text + "\"}}"));
                    if (last) {
                        sb.append(ant("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"));
                        sb.append(ant("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                                + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + events * 8 + "}}"));
                        sb.append(ant("message_stop", "{\"type\":\"message_stop\"}"));
                    }
                }
                case GEMINI -> sb.append("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"").append(text)
                        .append("\"}],\"role\":\"model\"}").append(last ? ",\"finishReason\":\"STOP\"" : "")
                        .append("}],\"usageMetadata\":{\"promptTokenCount\":412,\"candidatesTokenCount\":").append(i * 8)
                        .append(",\"totalTokenCount\":").append(412 + i * 8)
                        .append("},\"modelVersion\":\"gemini-2.0-flash\"}\r\n\r\n");
            }
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            next += interval * 1_000_000;
        }
    }

    private static String oai(String delta, String finish) {
        return "data: {\"id\":\"chatcmpl-paced\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,"
                + "\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]}\n\n";
    }

    private static String ant(String event, String data) {
        return "event: " + event + "\ndata: " + data + "\n\n";
    }
}
