package dev.rosetta.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.admin.Playground;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rosetta try MODEL PROMPT}: one request through a running gateway in a client dialect, the
 * answer printed as it arrives. With {@code --show-wire} the request goes through the gateway's
 * playground ({@code POST /admin/v1/playground}, admin key) and the four bodies are printed: what the
 * client sent, what the provider received, what it answered and what the client got.
 * Exit 0 for a 2xx answer, 1 otherwise, 2 for a usage error.
 */
@Command(name = "try", mixinStandardHelpOptions = true,
        description = "Send one request through a running gateway in a client dialect and print the answer as it"
                + " streams; --show-wire prints the four bodies of its trip (needs the admin key).")
final class Try implements Callable<Integer> {

    enum DialectName { openai, responses, anthropic, gemini }

    @Parameters(index = "0", paramLabel = "MODEL", description = "the model name a client would send")
    String model;

    @Parameters(index = "1", paramLabel = "PROMPT", description = "the user's message")
    String prompt;

    @Option(names = {"--dialect", "-d"}, defaultValue = "openai",
            description = "the client API: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    DialectName dialect;

    @Option(names = {"--stream", "-s"}, description = "ask for a stream (SSE)")
    boolean stream;

    @Option(names = "--show-wire", description = "print the client's request, the provider's request and answer,"
            + " and the client's answer (through the admin playground)")
    boolean showWire;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "the gateway (default: ${DEFAULT-VALUE})")
    String url;

    @Option(names = "--key", description = "a gateway key (rk-...) for auth: keys (default: $ROSETTA_API_KEY)")
    String key;

    @Option(names = "--admin-key", description = "the gateway's admin_key, for --show-wire (default: $ROSETTA_ADMIN_KEY)")
    String adminKey;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;

    Try(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        return showWire ? wire() : direct();
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private String base() {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** As a client: the answer's text printed piece by piece as the stream brings it. */
    private int direct() throws IOException, InterruptedException {
        Playground.ClientRequest r = Playground.clientRequest(dialect.name(), model, prompt, stream);
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base() + r.path()))
                .POST(HttpRequest.BodyPublishers.ofString(r.body())).header("content-type", "application/json");
        r.headers().forEach(req::header);
        String k = key != null ? key : env.get("ROSETTA_API_KEY");
        if (k != null && !k.isBlank()) {
            switch (dialect) {
                case anthropic -> req.header("x-api-key", k);
                case gemini -> req.header("x-goog-api-key", k);
                default -> req.header("authorization", "Bearer " + k);
            }
        }
        HttpResponse<Stream<String>> resp;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            try {
                resp = client.send(req.build(), HttpResponse.BodyHandlers.ofLines());
            } catch (IOException e) {
                throw new AdminClient.Failure("cannot reach " + base() + ": " + e.getMessage());
            }
            PrintWriter out = out();
            if (resp.statusCode() >= 300) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("rosetta: HTTP " + resp.statusCode());
                resp.body().forEach(err::println);
                return 1;
            }
            boolean sse = resp.headers().firstValue("content-type").orElse("").startsWith("text/event-stream");
            if (sse) {
                for (Iterator<String> it = resp.body().iterator(); it.hasNext(); ) {
                    String line = it.next();
                    if (line.startsWith("data:")) {
                        out.print(Answers.eventText(dialect, line.substring(5).strip()));
                        out.flush();
                    }
                }
            } else {
                StringBuilder body = new StringBuilder();
                resp.body().forEach(l -> body.append(l).append('\n'));
                out.print(Answers.text(dialect, body.toString()));
            }
            out.println();
            out.flush();
            return 0;
        }
    }

    /** Through the playground: the four bodies, then the answer's text. */
    private int wire() {
        String admin = adminKey != null ? adminKey : env.get("ROSETTA_ADMIN_KEY");
        if (admin == null || admin.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--show-wire needs the admin key: set ROSETTA_ADMIN_KEY or pass --admin-key");
        }
        ObjectNode body = AdminClient.JSON.createObjectNode().put("dialect", dialect.name()).put("model", model)
                .put("prompt", prompt).put("stream", stream);
        JsonNode w = new AdminClient(base(), admin).call("POST", "/playground", body);
        PrintWriter out = out();
        int status = w.path("status").asInt();
        section(out, "client request (" + dialect + ")", w.get("client_request"));
        section(out, "upstream request (" + w.path("target").asText() + ")", w.get("upstream_request"));
        section(out, "upstream response", w.get("upstream_response"));
        section(out, "client response (HTTP " + status + ")", w.get("client_response"));
        if (status < 300) {
            String client = w.path("client_response").asText();
            StringBuilder text = new StringBuilder();
            if (stream) {
                client.lines().filter(l -> l.startsWith("data:"))
                        .forEach(l -> text.append(Answers.eventText(dialect, l.substring(5).strip())));
            } else {
                text.append(Answers.text(dialect, client));
            }
            out.println("== answer");
            out.println(text);
        }
        out.flush();
        return status < 300 ? 0 : 1;
    }

    private static void section(PrintWriter out, String title, JsonNode text) {
        out.println("== " + title);
        if (text == null || text.isNull()) {
            out.println("(none: no provider was called)");
        } else {
            out.println(pretty(text.asText()));
        }
        out.println();
    }

    private static String pretty(String s) {
        if (s.startsWith("{") || s.startsWith("[")) {
            try {
                return AdminClient.JSON.readTree(s).toPrettyString();
            } catch (IOException e) {
                return s;
            }
        }
        return s.stripTrailing();
    }

    /** The text of an answer, whole or one stream event's worth, in each dialect. */
    static final class Answers {
        private Answers() {
        }

        static String text(DialectName d, String body) {
            JsonNode n;
            try {
                n = AdminClient.JSON.readTree(body);
            } catch (IOException e) {
                return body;
            }
            StringBuilder sb = new StringBuilder();
            switch (d) {
                case openai -> n.path("choices").forEach(c -> sb.append(c.path("message").path("content").asText("")));
                case responses -> n.path("output").forEach(o -> o.path("content").forEach(c -> {
                    if (c.path("type").asText().equals("output_text")) {
                        sb.append(c.path("text").asText());
                    }
                }));
                case anthropic -> n.path("content").forEach(c -> {
                    if (c.path("type").asText().equals("text")) {
                        sb.append(c.path("text").asText());
                    }
                });
                case gemini -> parts(n, sb);
            }
            return sb.toString();
        }

        static String eventText(DialectName d, String data) {
            if (data.equals("[DONE]")) {
                return "";
            }
            JsonNode n;
            try {
                n = AdminClient.JSON.readTree(data);
            } catch (IOException e) {
                return "";
            }
            StringBuilder sb = new StringBuilder();
            switch (d) {
                case openai -> n.path("choices").forEach(c -> sb.append(c.path("delta").path("content").asText("")));
                case responses -> {
                    if (n.path("type").asText().equals("response.output_text.delta")) {
                        sb.append(n.path("delta").asText());
                    }
                }
                case anthropic -> {
                    if (n.path("type").asText().equals("content_block_delta")
                            && n.path("delta").path("type").asText().equals("text_delta")) {
                        sb.append(n.path("delta").path("text").asText());
                    }
                }
                case gemini -> parts(n, sb);
            }
            return sb.toString();
        }

        private static void parts(JsonNode n, StringBuilder sb) {
            JsonNode c = n.path("candidates").path(0);
            c.path("content").path("parts").forEach(p -> {
                if (!p.path("thought").asBoolean(false)) {
                    sb.append(p.path("text").asText(""));
                }
            });
        }
    }
}
