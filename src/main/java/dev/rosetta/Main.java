package dev.rosetta;

import dev.rosetta.config.ConfigException;
import dev.rosetta.config.ConfigLoader;
import dev.rosetta.config.DefaultConfig;
import dev.rosetta.config.GatewayConfig;
import dev.rosetta.config.ProviderConfig;
import dev.rosetta.route.ModelRoutes;
import dev.rosetta.server.Gateway;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Command line entry point: {@code java -jar rosetta.jar [--config FILE] [--port N]}. */
public final class Main {

    static final String HELP = """
            Rosetta: one API gateway for OpenAI, Anthropic and Gemini models.

            Usage: java -jar target/rosetta.jar [--config FILE] [--port N]
                   java -jar target/rosetta.jar keys|tenants ...   (the admin API of a running gateway; try keys --help)
                   java -jar target/rosetta.jar check [--config FILE]   (every provider answers with its key?)
                   java -jar target/rosetta.jar try MODEL PROMPT [--dialect D] [--stream] [--show-wire]

              --config FILE   YAML configuration (providers, models, port). Without it Rosetta starts
                              with a built-in default: a provider for each of OPENAI_API_KEY,
                              ANTHROPIC_API_KEY and GEMINI_API_KEY that is set, plus the offline
                              "mock" provider (models mock-gpt, mock-claude, mock-gemini).
              --port N        listen on port N (overrides the file's port; 0 picks a free port)
              --new-key       print a new gateway key (rk-...) for a keys: entry, and exit
              --help          this text

            Clients point their official SDK at Rosetta:
              OpenAI     base URL http://HOST:PORT/v1   (Chat Completions, Responses, Embeddings)
              Anthropic  base URL http://HOST:PORT      (Messages, count_tokens)
              Gemini     base URL http://HOST:PORT      (generateContent, streamGenerateContent, ...)
            Health: GET /health (serving) and GET /ready (config loaded, not draining).

            Configuration file:
              port: 8080
              host: 127.0.0.1             # 0.0.0.0 to serve other machines
              max_body_size: 32MiB
              shutdown_grace: 30s         # on SIGTERM, in-flight requests may finish this long
              providers:
                - name: oai
                  type: openai            # openai | anthropic | gemini | mock
                  base_url: https://api.openai.com/v1   # optional: the official URL for the type
                  api_key: ${OPENAI_API_KEY}           # ${VAR} and ${VAR:-default} are substituted
                  timeout: 600s           # whole request; connect_timeout: 10s
              models:
                - name: gpt-4o-mini       # the name clients send; "gpt-*" matches a prefix
                  provider: oai
                  upstream_model: gpt-4o-mini   # optional, defaults to name
              auth: keys                  # none (default; loopback hosts only) | keys
              admin_key: ${ROSETTA_ADMIN_KEY}   # opens /admin/v1 (tenants, keys, audit)
              store: sqlite:rosetta.db    # or postgresql://USER@HOST:5432/DB, shared by replicas
              tenants:
                - name: search-team
                  models: ["gpt-*"]       # optional: what its keys may use
              keys:
                - name: search-ci
                  tenant: search-team
                  key: ${SEARCH_CI_KEY}   # a key from --new-key

            Exit codes: 0 after a clean shutdown, 1 if the server cannot start, 2 for an invalid
            command line or configuration.
            """;

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err)
            throws InterruptedException {
        if (args.length > 0 && (args[0].equals("keys") || args[0].equals("tenants") || args[0].equals("completion")
                || args[0].equals("check") || args[0].equals("try"))) {
            return dev.rosetta.cli.RosettaCli.run(args, env, new java.io.PrintWriter(out, true),
                    new java.io.PrintWriter(err, true));
        }
        Path configFile = null;
        Integer port = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.print(HELP);
                    return 0;
                }
                case "--new-key" -> {
                    out.println(dev.rosetta.auth.KeySecret.generate());
                    return 0;
                }
                case "--config", "-c" -> {
                    if (++i >= args.length) {
                        err.println("rosetta: --config needs a file");
                        return 2;
                    }
                    configFile = Path.of(args[i]);
                }
                case "--port", "-p" -> {
                    if (++i >= args.length) {
                        err.println("rosetta: --port needs a number");
                        return 2;
                    }
                    try {
                        port = Integer.parseInt(args[i]);
                        if (port < 0 || port > 65535) {
                            throw new NumberFormatException();
                        }
                    } catch (NumberFormatException e) {
                        err.println("rosetta: --port: not a port number: " + args[i]);
                        return 2;
                    }
                }
                default -> {
                    err.println("rosetta: unknown argument " + args[i] + " (try --help)");
                    return 2;
                }
            }
        }
        GatewayConfig config;
        try {
            config = configFile == null ? DefaultConfig.create(env::get) : ConfigLoader.load(configFile, env::get);
        } catch (ConfigException e) {
            err.println("rosetta: invalid configuration" + (configFile == null ? "" : " in " + configFile) + ":");
            e.problems().forEach(p -> err.println("  " + p));
            return 2;
        }
        if (port != null) {
            config = config.withPort(port);
        }
        long started = System.nanoTime();
        Gateway gateway;
        try {
            gateway = Gateway.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            err.println("rosetta: cannot start on " + config.server().host() + ":" + config.server().port() + ": "
                    + cause.getMessage());
            return 1;
        }
        banner(out, gateway, configFile, Duration.ofNanos(System.nanoTime() - started));
        if (configFile != null) {
            gateway.reloadFrom(configFile, env::get);
            onHangup(gateway::reload);
        }
        CountDownLatch stop = new CountDownLatch(1);
        onTermination(stop::countDown);
        stop.await();
        Duration grace = config.server().shutdownGrace();
        out.println("rosetta: shutting down, letting " + gateway.inFlight() + " in-flight request(s) finish (up to "
                + grace.toSeconds() + "s)");
        try {
            gateway.shutdown(grace).toCompletionStage().toCompletableFuture()
                    .get(grace.toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            err.println("rosetta: shutdown did not complete cleanly: " + e);
            return 1;
        }
        // Writes the access-log lines still buffered (BatchingConsoleAppender).
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logs) {
            logs.stop();
        }
        out.println("rosetta: stopped");
        return 0;
    }

    /**
     * SIGTERM and SIGINT start a graceful shutdown, after which the process exits 0. Handling the
     * signals (rather than a shutdown hook) is what lets the exit status say the stop was clean.
     */
    @SuppressWarnings("sunapi")
    private static void onTermination(Runnable stop) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> stop.run());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                Runtime.getRuntime().addShutdownHook(new Thread(stop, "rosetta-shutdown"));
            }
        }
    }

    /** SIGHUP reloads the configuration file (its models and routing), off the signal thread. */
    @SuppressWarnings("sunapi")
    private static void onHangup(Runnable reload) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"),
                    s -> Thread.ofPlatform().daemon().name("rosetta-reload").start(reload));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // no SIGHUP here: POST /admin/v1/reload and watch_config still reload
        }
    }

    private static void banner(PrintStream out, Gateway gateway, Path configFile, Duration startup) {
        GatewayConfig c = gateway.config();
        String host = (c.network().tls().isPresent() ? "https://" : "http://")
                + (c.server().host().equals("0.0.0.0") ? "localhost" : c.server().host());
        out.println("Rosetta listening on " + host + ":" + gateway.port()
                + " (" + (configFile == null ? "built-in default config" : configFile) + ", started in "
                + startup.toMillis() + " ms)");
        out.println("  OpenAI SDK base URL:            " + host + ":" + gateway.port() + "/v1");
        out.println("  Anthropic and Gemini base URL:  " + host + ":" + gateway.port());
        Map<String, ProviderConfig> providers = c.providers().stream()
                .collect(Collectors.toMap(ProviderConfig::name, p -> p));
        if (c.stateSecret().isEmpty()) {
            out.println("  state_secret not set: generated one; provider state sealed for clients opens only in"
                    + " this process (replicas must share a state_secret)");
        }
        out.println(switch (c.auth().mode()) {
            case NONE -> "  auth: none (every caller is anonymous)";
            case KEYS -> "  auth: keys (" + c.auth().tenants().size() + " tenant(s), " + c.auth().keys().size()
                    + " key(s) declared)";
        });
        out.println("Models:");
        new ModelRoutes(c).listed().forEach(r -> out.println("  " + r.clientModel() + "  ->  " + r.provider().name()
                + " (" + r.provider().type().wireName() + ")"
                + (r.upstreamModel().equals(r.clientModel()) ? "" : " as " + r.upstreamModel())));
        c.models().stream().filter(m -> m.name().endsWith("*")).forEach(m -> out.println("  " + m.name()
                + "  ->  " + m.provider() + " (" + providers.get(m.provider()).type().wireName() + ")"));
    }
}
