package dev.rosetta.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The admin API over HTTP, for the CLI: the CLI is a client of the API, never of the database. */
final class AdminClient {

    /** The API refused, with its {@code error.type} and message, or could not be reached. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final String adminKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    AdminClient(String url, String adminKey) {
        String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.base = u + "/admin/v1";
        this.adminKey = adminKey;
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** @return the answer's JSON, or null for 204 */
    JsonNode call(String method, String path, JsonNode body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("authorization", "Bearer " + adminKey).header("accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()));
        if (body != null) {
            b.header("content-type", "application/json");
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Failure("cannot reach " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
        JsonNode json = null;
        if (!r.body().isEmpty()) {
            try {
                json = JSON.readTree(r.body());
            } catch (IOException e) {
                throw new Failure("HTTP " + r.statusCode() + " from " + base + path + " is not JSON");
            }
        }
        if (r.statusCode() >= 400) {
            String type = json == null ? "" : json.at("/error/type").asText();
            String message = json == null ? "" : json.at("/error/message").asText();
            throw new Failure(r.statusCode() + " " + type + ": " + message);
        }
        return json;
    }
}
