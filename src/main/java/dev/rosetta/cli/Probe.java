package dev.rosetta.cli;

import java.net.HttpURLConnection;
import java.net.URI;

/**
 * The container image's health check: {@code java -cp /app/classes dev.rosetta.cli.Probe URL} exits 0
 * when {@code URL} answers 200, 1 otherwise. Uses only {@code java.base} and no other class of the
 * gateway, so it starts in a fraction of a second with the image's small runtime.
 */
public final class Probe {

    private Probe() {
    }

    public static void main(String[] args) {
        String url = args.length > 0 ? args[0] : "http://127.0.0.1:8080/ready";
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(3000);
            int status = c.getResponseCode();
            System.exit(status == 200 ? 0 : 1);
        } catch (java.io.IOException | IllegalArgumentException e) {
            System.err.println("probe: " + url + ": " + e.getMessage());
            System.exit(1);
        }
    }
}
