package dev.rosetta.upstream.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Microsoft Entra ID access token for Azure OpenAI, from a command (such as
 * {@code az account get-access-token --resource https://cognitiveservices.azure.com}) or a file kept
 * current by something else (a workload-identity sidecar). The output is the token itself, or JSON
 * with {@code accessToken}/{@code access_token} and {@code expires_on} (epoch seconds),
 * {@code expiresOn} (a local date-time) or {@code expires_in}; without an expiry the token is
 * fetched again after {@code refresh}.
 */
public final class EntraTokenSource implements TokenSource {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private final String command;
    private final Path file;
    private final Duration refresh;
    private final Clock clock;

    /** Exactly one of {@code command} and {@code file} is set. */
    public EntraTokenSource(String command, Path file, Duration refresh, Clock clock) {
        this.command = command;
        this.file = file;
        this.refresh = refresh;
        this.clock = clock;
    }

    @Override
    public Token fetch() throws IOException, InterruptedException {
        String out = command != null ? run() : Files.readString(file, StandardCharsets.UTF_8);
        return parse(out.strip(), clock.instant(), refresh);
    }

    private String run() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("/bin/sh", "-c", command)).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("token_command did not finish within " + COMMAND_TIMEOUT.toSeconds() + "s");
        }
        if (p.exitValue() != 0) {
            throw new IOException("token_command exited with status " + p.exitValue());
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    static Token parse(String out, Instant now, Duration refresh) throws IOException {
        if (out.isEmpty()) {
            throw new IOException("the token source gave an empty token");
        }
        if (!out.startsWith("{")) {
            return new Token(out, now.plus(refresh));
        }
        JsonNode n = JSON.readTree(out);
        String token = n.path("accessToken").asText(n.path("access_token").asText(""));
        if (token.isEmpty()) {
            throw new IOException("the token source's JSON has no accessToken or access_token");
        }
        Instant expires = now.plus(refresh);
        if (n.path("expires_on").canConvertToLong()) {
            expires = Instant.ofEpochSecond(n.path("expires_on").asLong());
        } else if (n.path("expires_on").isTextual() && n.path("expires_on").asText().matches("\\d+")) {
            expires = Instant.ofEpochSecond(Long.parseLong(n.path("expires_on").asText()));
        } else if (n.path("expires_in").canConvertToLong()) {
            expires = now.plusSeconds(n.path("expires_in").asLong());
        } else if (n.path("expiresOn").isTextual()) {
            try {
                expires = LocalDateTime.parse(n.path("expiresOn").asText(),
                        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSS]")).atZone(ZoneId.systemDefault()).toInstant();
            } catch (java.time.DateTimeException e) {
                // keep the refresh period
            }
        }
        return new Token(token, expires);
    }
}
