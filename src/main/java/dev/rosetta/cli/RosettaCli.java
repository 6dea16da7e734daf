package dev.rosetta.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rosetta keys ...} and {@code rosetta tenants ...}: the admin API from a shell, against a
 * running gateway ({@code --url}, the admin key from {@code ROSETTA_ADMIN_KEY}); tables for people,
 * {@code --json} for scripts. Exit codes: 0 done, 1 the API refused or could not be reached, 2 usage.
 */
public final class RosettaCli {

    private RosettaCli() {
    }

    /** Runs {@code args} (starting with {@code keys}, {@code tenants}, {@code check}, {@code try} or {@code completion}); returns the exit code. */
    public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Root());
        // picocli's own generator, so the script follows the commands and options as they are.
        CommandLine completion = new CommandLine(new picocli.AutoComplete.GenerateCompletion());
        completion.getCommandSpec().usageMessage().description("Print a bash (and zsh) completion script for"
                + " ./rosetta: source <(./rosetta completion)");
        cl.addSubcommand("completion", completion);
        cl.addSubcommand("check", new CommandLine(new Check(env)));
        cl.addSubcommand("try", new CommandLine(new Try(env)));
        cl.setOut(out).setErr(err);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof AdminClient.Failure f) {
                line.getErr().println("rosetta: " + f.getMessage());
                return 1;
            }
            throw e;
        });
        cl.setDefaultValueProvider(arg -> arg.isOption() && ((CommandLine.Model.OptionSpec) arg).longestName()
                .equals("--admin-key") ? env.get("ROSETTA_ADMIN_KEY") : null);
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Command(name = "rosetta", subcommands = {Keys.class, Tenants.class}, mixinStandardHelpOptions = true,
            description = "Check a configuration's providers, try a model in any client dialect, and manage a running"
                    + " Rosetta gateway's tenants and keys through its admin API.")
    static final class Root {
    }

    /** Where the gateway is and how to open its admin API; what to print. */
    static final class Connection {
        @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "the gateway (default: ${DEFAULT-VALUE})")
        String url;

        @Option(names = "--admin-key", description = "the gateway's admin_key (default: $ROSETTA_ADMIN_KEY)")
        String adminKey;

        @Option(names = "--json", description = "print the API's JSON instead of a table")
        boolean json;

        @Spec(Spec.Target.MIXEE)
        CommandLine.Model.CommandSpec spec;

        AdminClient client() {
            if (adminKey == null || adminKey.isBlank()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "no admin key: set ROSETTA_ADMIN_KEY or pass --admin-key");
            }
            return new AdminClient(url, adminKey);
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        void print(JsonNode answer, List<String> columns) {
            if (json) {
                out().println(answer == null ? "{}" : answer.toPrettyString());
                return;
            }
            List<JsonNode> rows = new ArrayList<>();
            if (answer != null && answer.has("data")) {
                answer.get("data").forEach(rows::add);
            } else if (answer != null) {
                rows.add(answer);
            }
            Table.print(out(), columns, rows);
            if (answer != null && answer.has("key")) {
                out().println();
                out().println("key: " + answer.get("key").asText());
                out().println("(shown this once: store it now)");
            }
        }
    }

    private static final List<String> KEY_COLUMNS = List.of("id", "name", "tenant", "prefix", "models", "expires_at",
            "disabled", "source");
    private static final List<String> TENANT_COLUMNS = List.of("name", "models", "disabled", "passthrough", "metadata",
            "source");

    @Command(name = "keys", mixinStandardHelpOptions = true, description = "Gateway keys.",
            subcommands = {Keys.Create.class, Keys.ListKeys.class, Keys.Show.class, Keys.Disable.class,
                    Keys.Enable.class, Keys.Revoke.class, Keys.Rotate.class})
    static final class Keys {

        @Command(name = "create", description = "Create a key; its secret is printed this once.")
        static final class Create implements Callable<Integer> {
            @Mixin Connection c;
            @Option(names = "--tenant", required = true) String tenant;
            @Option(names = "--name", required = true) String name;
            @Option(names = "--model", description = "a model or prefix* it may use (repeatable; default: the tenant's)")
            List<String> models;
            @Option(names = "--expires-at", description = "e.g. 2026-12-31T00:00:00Z") String expiresAt;
            @Option(names = "--no-passthrough", description = "may not use the provider APIs naming no model"
                    + " (files, batches...) even if its tenant may")
            boolean noPassthrough;

            @Override
            public Integer call() {
                ObjectNode body = AdminClient.JSON.createObjectNode().put("tenant", tenant).put("name", name);
                if (noPassthrough) {
                    body.put("passthrough", false);
                }
                if (models != null) {
                    models.forEach(body.putArray("models")::add);
                }
                if (expiresAt != null) {
                    body.put("expires_at", expiresAt);
                }
                c.print(c.client().call("POST", "/keys", body), KEY_COLUMNS);
                return 0;
            }
        }

        @Command(name = "list", description = "List keys.")
        static final class ListKeys implements Callable<Integer> {
            @Mixin Connection c;
            @Option(names = "--tenant") String tenant;

            @Override
            public Integer call() {
                c.print(c.client().call("GET", "/keys" + (tenant == null ? "" : "?tenant=" + AdminClient.encode(tenant)),
                        null), KEY_COLUMNS);
                return 0;
            }
        }

        @Command(name = "show", description = "Show one key.")
        static final class Show implements Callable<Integer> {
            @Mixin Connection c;
            @Parameters(paramLabel = "ID") String id;

            @Override
            public Integer call() {
                c.print(c.client().call("GET", "/keys/" + AdminClient.encode(id), null), KEY_COLUMNS);
                return 0;
            }
        }

        @Command(name = "disable", description = "Disable a key (it stops working until enabled).")
        static final class Disable implements Callable<Integer> {
            @Mixin Connection c;
            @Parameters(paramLabel = "ID") String id;

            @Override
            public Integer call() {
                c.print(c.client().call("PATCH", "/keys/" + AdminClient.encode(id),
                        AdminClient.JSON.createObjectNode().put("disabled", true)), KEY_COLUMNS);
                return 0;
            }
        }

        @Command(name = "enable", description = "Enable a disabled key.")
        static final class Enable implements Callable<Integer> {
            @Mixin Connection c;
            @Parameters(paramLabel = "ID") String id;

            @Override
            public Integer call() {
                c.print(c.client().call("PATCH", "/keys/" + AdminClient.encode(id),
                        AdminClient.JSON.createObjectNode().put("disabled", false)), KEY_COLUMNS);
                return 0;
            }
        }

        @Command(name = "revoke", description = "Revoke a key for good.")
        static final class Revoke implements Callable<Integer> {
            @Mixin Connection c;
            @Parameters(paramLabel = "ID") String id;

            @Override
            public Integer call() {
                c.client().call("DELETE", "/keys/" + AdminClient.encode(id), null);
                c.out().println(c.json ? "{}" : "revoked " + id);
                return 0;
            }
        }

        @Command(name = "rotate", description = "Give a key a new secret, printed this once.")
        static final class Rotate implements Callable<Integer> {
            @Mixin Connection c;
            @Parameters(paramLabel = "ID") String id;
            @Option(names = "--grace", description = "how long the old secret keeps working, e.g. 1h (default: 0s)")
            String grace;

            @Override
            public Integer call() {
                ObjectNode body = AdminClient.JSON.createObjectNode();
                if (grace != null) {
                    body.put("grace", grace);
                }
                c.print(c.client().call("POST", "/keys/" + AdminClient.encode(id) + "/rotate", body), KEY_COLUMNS);
                return 0;
            }
        }
    }

    @Command(name = "tenants", mixinStandardHelpOptions = true, description = "Tenants.",
            subcommands = {Tenants.Create.class, Tenants.ListTenants.class, Tenants.Show.class, Tenants.Disable.class,
                    Tenants.Enable.class, Tenants.Delete.class})
    static final class Tenants {

        @Command(name = "create", description = "Create a tenant.")
        static final class Create implements Callable<Integer> {
            @Mixin Connection c;
            @Parameters(paramLabel = "NAME") String name;
            @Option(names = "--model", description = "a model or prefix* its keys may use (repeatable; default: every model)")
            List<String> models;
            @Option(names = "--passthrough", description = "its keys may use the provider APIs naming no model"
                    + " (files, batches, uploads...), which every tenant shares")
            boolean passthrough;

            @Override
            public Integer call() {
                ObjectNode body = AdminClient.JSON.createObjectNode().put("name", name);
                if (passthrough) {
                    body.put("passthrough", true);
                }
                if (models != null) {
                    models.forEach(body.putArray("models")::add);
                }
                c.print(c.client().call("POST", "/tenants", body), TENANT_COLUMNS);
                return 0;
            }
        }

        @Command(name = "list", description = "List tenants.")
        static final class ListTenants implements Callable<Integer> {
            @Mixin Connection c;

            @Override
            public Integer call() {
                c.print(c.client().call("GET", "/tenants", null), TENANT_COLUMNS);
                return 0;
            }
        }

        @Command(name = "show", description = "Show one tenant.")
        static final class Show implements Callable<Integer> {
            @Mixin Connection c;
            @Parameters(paramLabel = "NAME") String name;

            @Override
            public Integer call() {
                c.print(c.client().call("GET", "/tenants/" + AdminClient.encode(name), null), TENANT_COLUMNS);
                return 0;
            }
        }

        @Command(name = "disable", description = "Disable a tenant: all its keys stop working.")
        static final class Disable implements Callable<Integer> {
            @Mixin Connection c;
            @Parameters(paramLabel = "NAME") String name;

            @Override
            public Integer call() {
                c.print(c.client().call("PATCH", "/tenants/" + AdminClient.encode(name),
                        AdminClient.JSON.createObjectNode().put("disabled", true)), TENANT_COLUMNS);
                return 0;
            }
        }

        @Command(name = "enable", description = "Enable a disabled tenant.")
        static final class Enable implements Callable<Integer> {
            @Mixin Connection c;
            @Parameters(paramLabel = "NAME") String name;

            @Override
            public Integer call() {
                c.print(c.client().call("PATCH", "/tenants/" + AdminClient.encode(name),
                        AdminClient.JSON.createObjectNode().put("disabled", false)), TENANT_COLUMNS);
                return 0;
            }
        }

        @Command(name = "delete", description = "Delete a tenant that has no keys left.")
        static final class Delete implements Callable<Integer> {
            @Mixin Connection c;
            @Parameters(paramLabel = "NAME") String name;

            @Override
            public Integer call() {
                c.client().call("DELETE", "/tenants/" + AdminClient.encode(name), null);
                c.out().println(c.json ? "{}" : "deleted " + name);
                return 0;
            }
        }
    }
}
