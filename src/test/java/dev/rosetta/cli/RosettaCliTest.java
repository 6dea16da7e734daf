package dev.rosetta.cli;

import static dev.rosetta.testing.TestGateway.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rosetta.testing.TestGateway;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The CLI against a running gateway's admin API: tables, {@code --json}, exit codes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RosettaCliTest {

    private TestGateway gateway;

    @BeforeAll
    void start() {
        gateway = TestGateway.withKeys();
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    private record Run(int code, String out, String err) {
    }

    private Run cli(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--url";
        all[args.length + 1] = gateway.url();
        int code = RosettaCli.run(all, env, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private Run cli(String... args) {
        return cli(Map.of("ROSETTA_ADMIN_KEY", ADMIN_KEY), args);
    }

    private int chat(String key) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"mock-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .header("authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aTenantAndAKeyCreatedFromTheShellWorkAndAreRevokedFromIt() throws Exception {
        Run tenant = cli("tenants", "create", "cli-team", "--model", "mock-*");
        assertThat(tenant.code()).as(tenant.err()).isZero();
        assertThat(tenant.out()).contains("NAME").contains("cli-team").contains("mock-*");

        Run created = cli("keys", "create", "--tenant", "cli-team", "--name", "cli-key", "--json");
        assertThat(created.code()).as(created.err()).isZero();
        JsonNode key = AdminClient.JSON.readTree(created.out());
        String secret = key.get("key").asText();
        assertThat(chat(secret)).isEqualTo(200);

        Run list = cli("keys", "list", "--tenant", "cli-team");
        assertThat(list.out()).contains("ID").contains(key.get("id").asText()).contains("cli-key").doesNotContain(secret);

        assertThat(cli("keys", "disable", key.get("id").asText()).code()).isZero();
        assertThat(chat(secret)).isEqualTo(401);
        assertThat(cli("keys", "enable", key.get("id").asText()).code()).isZero();
        Run rotated = cli("keys", "rotate", key.get("id").asText(), "--grace", "1h");
        assertThat(rotated.out()).contains("key: rk-").contains("shown this once");
        assertThat(cli("keys", "revoke", key.get("id").asText()).out()).contains("revoked");
        assertThat(chat(secret)).isEqualTo(401);
        assertThat(cli("tenants", "delete", "cli-team").out()).contains("deleted cli-team");
    }

    @Test
    void refusalsAndMistakesHaveTheirExitCodes() {
        Run missing = cli("keys", "show", "key_nope");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("404 not_found");
        Run noKey = cli(Map.of(), "keys", "list");
        assertThat(noKey.code()).isEqualTo(2);
        assertThat(noKey.err()).contains("ROSETTA_ADMIN_KEY");
        Run wrongKey = cli(Map.of("ROSETTA_ADMIN_KEY", "wrong"), "tenants", "list");
        assertThat(wrongKey.code()).isEqualTo(1);
        assertThat(wrongKey.err()).contains("401 unauthorized");
        assertThat(cli("keys", "frobnicate").code()).isEqualTo(2);
    }

    @Test
    void completionPrintsABashScriptForEveryCommandAndOption() throws Exception {
        StringWriter out = new StringWriter();
        int code = RosettaCli.run(new String[] {"completion"}, Map.of(), new PrintWriter(out), new PrintWriter(new StringWriter()));
        assertThat(code).isZero();
        String script = out.toString();
        assertThat(script).startsWith("#!/usr/bin/env bash").contains("complete -F _complete_rosetta")
                .contains("keys").contains("tenants").contains("rotate").contains("--grace").contains("--passthrough")
                .contains("--no-passthrough");
        // The script is valid bash.
        java.nio.file.Path file = java.nio.file.Files.createTempFile("rosetta-completion", ".bash");
        try {
            java.nio.file.Files.writeString(file, script);
            Process bash = new ProcessBuilder("bash", "-n", file.toString()).redirectErrorStream(true).start();
            assertThat(new String(bash.getInputStream().readAllBytes())).isEmpty();
            assertThat(bash.waitFor()).isZero();
        } finally {
            java.nio.file.Files.delete(file);
        }
    }
}
