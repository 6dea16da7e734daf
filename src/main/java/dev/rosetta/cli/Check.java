package dev.rosetta.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.config.ConfigException;
import dev.rosetta.config.ConfigLoader;
import dev.rosetta.config.DefaultConfig;
import dev.rosetta.config.GatewayConfig;
import dev.rosetta.config.ModelConfig;
import dev.rosetta.config.ProviderConfig;
import dev.rosetta.error.Redactor;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rosetta check}: is the configuration valid, and does every provider answer with its key? One
 * cheap authenticated call per provider (its models list), a row each: reachable, key accepted,
 * latency, how many models it lists, and the problems (among them a configured model it does not list).
 * Exit 0 when there is no problem, 1 when there is any, 2 for an invalid configuration.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate the configuration and make one authenticated call to each provider (its models"
                + " list): reachable, key accepted, latency, models found, problems. Exit 1 on any problem.")
final class Check implements Callable<Integer> {

    static final List<String> COLUMNS = List.of("provider", "type", "reachable", "auth_ok", "latency_ms", "models",
            "problems");

    @Option(names = {"--config", "-c"}, paramLabel = "FILE",
            description = "the gateway's YAML configuration (default: the built-in one, from the environment)")
    Path config;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @Option(names = "--timeout", defaultValue = "10s", description = "bound on each provider's call (default: ${DEFAULT-VALUE})")
    String timeout;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;

    Check(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        GatewayConfig c;
        try {
            c = config == null ? DefaultConfig.create(env::get) : ConfigLoader.load(config, env::get);
        } catch (ConfigException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("rosetta: invalid configuration" + (config == null ? "" : " in " + config) + ":");
            e.problems().forEach(p -> err.println("  " + p));
            return 2;
        }
        Duration bound = dev.rosetta.config.Units.parseDuration(timeout)
                .orElseThrow(() -> new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--timeout: not a duration: " + timeout));
        List<String> secrets = new ArrayList<>();
        c.providers().forEach(p -> secrets.add(p.apiKey().value()));
        Redactor redactor = new Redactor(secrets);
        ArrayNode rows = AdminClient.JSON.createArrayNode();
        boolean problem = false;
        for (ProviderConfig p : c.providers()) {
            ObjectNode row = probe(p, c.models(), bound, redactor);
            problem |= !row.get("problems").isEmpty();
            rows.add(row);
        }
        if (json) {
            ObjectNode o = AdminClient.JSON.createObjectNode().put("ok", !problem);
            o.set("providers", rows);
            out.println(o.toPrettyString());
        } else {
            List<JsonNode> list = new ArrayList<>();
            rows.forEach(list::add);
            Table.print(out, COLUMNS, list);
            out.println(problem ? "problems found" : "all providers answer");
        }
        out.flush();
        return problem ? 1 : 0;
    }

    /** One provider's row. */
    static ObjectNode probe(ProviderConfig p, List<ModelConfig> models, Duration bound, Redactor redactor) {
        ObjectNode row = AdminClient.JSON.createObjectNode().put("provider", p.name()).put("type", p.type().wireName());
        ArrayNode problems = AdminClient.JSON.createArrayNode();
        List<String> wanted = models.stream().filter(m -> m.provider().equals(p.name()) && !m.name().endsWith("*"))
                .map(ModelConfig::upstreamModel).distinct().toList();
        if (p.type() == dev.rosetta.dialect.ProviderType.MOCK) {
            row.put("reachable", true).put("auth_ok", true).put("latency_ms", 0).put("models", wanted.size());
            row.set("problems", problems);
            return row;
        }
        if (p.type() == dev.rosetta.dialect.ProviderType.VERTEX || p.type() == dev.rosetta.dialect.ProviderType.BEDROCK
                || (p.type() == dev.rosetta.dialect.ProviderType.AZURE_OPENAI && p.apiKey().value().isEmpty())) {
            // OAuth2 (Vertex), SigV4 (Bedrock) and Entra ID tokens are obtained by the gateway itself; check
            // does not reproduce them, so it says so rather than guessing.
            row.putNull("reachable").putNull("auth_ok").putNull("latency_ms").put("models", wanted.size());
            row.put("note", "not probed: " + p.type().wireName() + " signs its calls in the gateway; try a model with rosetta try");
            row.set("problems", problems);
            return row;
        }
        HttpRequest.Builder req = HttpRequest.newBuilder().GET().timeout(bound).header("accept", "application/json");
        String url = switch (p.type()) {
            case OPENAI -> {
                req.header("authorization", "Bearer " + p.apiKey().value());
                p.organization().ifPresent(o -> req.header("openai-organization", o));
                p.project().ifPresent(o -> req.header("openai-project", o));
                yield p.baseUrl() + "/models";
            }
            case ANTHROPIC -> {
                req.header("x-api-key", p.apiKey().value()).header("anthropic-version", "2023-06-01");
                yield p.baseUrl() + "/v1/models?limit=1000";
            }
            case GEMINI -> {
                req.header("x-goog-api-key", p.apiKey().value());
                yield p.baseUrl() + "/v1beta/models?pageSize=1000";
            }
            case AZURE_OPENAI -> {
                req.header("api-key", p.apiKey().value());
                yield p.platform().apiVersion().map(v -> p.baseUrl() + "/openai/models?api-version=" + v)
                        .orElse(p.baseUrl() + "/openai/v1/models");
            }
            case MOCK, VERTEX, BEDROCK -> throw new IllegalStateException();
        };
        HttpClient client = HttpClient.newBuilder().connectTimeout(p.connectTimeout().compareTo(bound) < 0
                ? p.connectTimeout() : bound).build();
        long started = System.nanoTime();
        HttpResponse<String> resp;
        try {
            resp = client.send(req.uri(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | IllegalArgumentException e) {
            row.put("reachable", false).putNull("auth_ok").putNull("latency_ms").putNull("models");
            problems.add(redactor.redact("cannot reach " + url + ": " + describe(e)));
            row.set("problems", problems);
            return row;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminClient.Failure("interrupted");
        } finally {
            client.close();
        }
        long ms = Duration.ofNanos(System.nanoTime() - started).toMillis();
        row.put("reachable", true).put("latency_ms", ms);
        int status = resp.statusCode();
        if (status == 401 || status == 403) {
            row.put("auth_ok", false).putNull("models");
            problems.add("the provider refused the key (HTTP " + status + ")");
        } else if (status >= 300) {
            row.putNull("auth_ok").putNull("models");
            problems.add("HTTP " + status + " from " + url + ": " + redactor.redact(abbreviate(resp.body())));
        } else {
            row.put("auth_ok", true);
            Set<String> listed = listed(resp.body());
            row.put("models", listed.size());
            for (String m : wanted) {
                if (!listed.contains(m)) {
                    problems.add("model \"" + m + "\" is not in the provider's list");
                }
            }
        }
        row.set("problems", problems);
        return row;
    }

    /** The model ids of an OpenAI or Anthropic list ({@code data[].id}) or a Gemini one ({@code models[].name}). */
    static Set<String> listed(String body) {
        Set<String> ids = new HashSet<>();
        try {
            JsonNode n = AdminClient.JSON.readTree(body);
            n.path("data").forEach(m -> ids.add(m.path("id").asText()));
            n.path("models").forEach(m -> {
                String name = m.path("name").asText();
                ids.add(name.startsWith("models/") ? name.substring(7) : name);
            });
        } catch (IOException e) {
            // not JSON: no models found, which the row shows
        }
        ids.remove("");
        return ids;
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        if (e instanceof java.net.http.HttpConnectTimeoutException || e instanceof java.net.http.HttpTimeoutException) {
            return "timed out";
        }
        if (e instanceof java.net.ConnectException) {
            return "connection refused";
        }
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() > 200 ? one.substring(0, 200) + "..." : one;
    }
}
