import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Streams from a PacedMock, directly or through Rosetta, and timestamps every event on arrival.
 * Each text event carries the mock's {@code t=<nanoTime>} at send; arrival minus that stamp is the
 * event's one-way latency (same CLOCK_MONOTONIC in both processes). Time to first event is measured
 * from just before the request is written. A plain socket and HTTP/1.1 with {@code Connection: close}
 * keep the client's own overhead small and equal for both paths.
 *
 * <p>Run: {@code java bench/PacedClient.java URL BODY_FILE REQUESTS WARMUP EXPECTED_EVENTS [Header:value ...]}
 * Prints one line: {@code PACED requests=.. errors=.. events=.. ttfb_p50_us=.. ttfb_p99_us=.. event_p50_us=.. event_p90_us=..
 * event_p99_us=.. event_max_us=..}; with {@code PACED_DUMP=FILE} in the environment, every event's latency goes to FILE.
 */
public final class PacedClient {

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        byte[] body = Files.readAllBytes(Path.of(args[1]));
        int requests = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        int expected = Integer.parseInt(args[4]);
        List<String> headers = Arrays.asList(args).subList(5, args.length);
        List<Long> ttfb = new ArrayList<>();
        List<Long> lat = new ArrayList<>();
        StringBuilder dump = new StringBuilder("call\tevent\tlatency_us\n");
        int errors = 0;
        String firstError = "";
        for (int i = 0; i < warmup + requests; i++) {
            List<Long> evLat = new ArrayList<>();
            long[] first = {0};
            String err = once(uri, body, headers, evLat, first);
            if (err == null && evLat.size() != expected) {
                err = "got " + evLat.size() + " stamped events, expected " + expected;
            }
            if (i < warmup) {
                continue;
            }
            if (err != null) {
                errors++;
                if (firstError.isEmpty()) {
                    firstError = err;
                }
                continue;
            }
            ttfb.add(first[0]);
            lat.addAll(evLat);
            for (int e = 0; e < evLat.size(); e++) {
                dump.append(i - warmup).append('\t').append(e).append('\t').append(evLat.get(e)).append('\n');
            }
        }
        String dumpFile = System.getenv("PACED_DUMP");
        if (dumpFile != null && !dumpFile.isEmpty()) {
            Files.writeString(Path.of(dumpFile), dump);
        }
        System.out.printf("PACED requests=%d errors=%d events=%d ttfb_p50_us=%d ttfb_p99_us=%d event_p50_us=%d event_p90_us=%d"
                        + " event_p99_us=%d event_max_us=%d%s%n",
                requests, errors, lat.size(), pct(ttfb, 50), pct(ttfb, 99), pct(lat, 50), pct(lat, 90), pct(lat, 99), pct(lat, 100),
                firstError.isEmpty() ? "" : " first_error=\"" + firstError.replace('"', '\'') + "\"");
    }

    /** One streamed call; returns an error text or null. Fills per-event latencies (µs) and time to first event (µs). */
    private static String once(URI uri, byte[] body, List<String> headers, List<Long> evLat, long[] firstEvent)
            throws IOException {
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        StringBuilder req = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\nHost: ").append(uri.getHost())
                .append(':').append(uri.getPort()).append("\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\n")
                .append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n");
        for (String h : headers) {
            int c = h.indexOf(':');
            req.append(h, 0, c).append(": ").append(h.substring(c + 1).trim()).append("\r\n");
        }
        req.append("\r\n");
        try (Socket s = new Socket(uri.getHost(), uri.getPort())) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] head = req.toString().getBytes(StandardCharsets.ISO_8859_1);
            byte[] buf = new byte[16384];
            Framing framing = new Framing();
            int scanned = 0;
            long start = System.nanoTime();
            out.write(head);
            out.write(body);
            out.flush();
            int n;
            while ((n = in.read(buf)) > 0) {
                long now = System.nanoTime();
                framing.feed(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                StringBuilder text = framing.body;
                // every complete "t=<digits>" token that arrived in this read
                int at;
                while ((at = text.indexOf("t=", scanned)) >= 0) {
                    int end = at + 2;
                    while (end < text.length() && Character.isDigit(text.charAt(end))) {
                        end++;
                    }
                    if (end == text.length()) {
                        break; // the token may continue in the next read
                    }
                    scanned = end;
                    if (end == at + 2) {
                        continue;
                    }
                    long sent = Long.parseLong(text.substring(at + 2, end));
                    if (evLat.isEmpty()) {
                        firstEvent[0] = (now - start) / 1000;
                    }
                    evLat.add((now - sent) / 1000);
                }
            }
            if (!framing.status.equals("200")) {
                return "HTTP " + framing.status + ": " + framing.body.substring(0, Math.min(300, framing.body.length())).strip();
            }
            return null;
        }
    }

    /** HTTP/1.1 response framing: status line and headers, then the body, de-chunked when chunked. */
    private static final class Framing {
        private enum State { HEAD, SIZE, DATA, DATA_CRLF, PLAIN, DONE }

        private final StringBuilder raw = new StringBuilder();
        private int pos;
        private State state = State.HEAD;
        private long remaining;
        final StringBuilder body = new StringBuilder();
        String status = "";

        void feed(String bytes) {
            raw.append(bytes);
            while (true) {
                switch (state) {
                    case HEAD -> {
                        int end = raw.indexOf("\r\n\r\n", pos);
                        if (end < 0) {
                            return;
                        }
                        String head = raw.substring(0, end);
                        int sp = head.indexOf(' ');
                        status = sp < 0 ? "" : head.substring(sp + 1, Math.min(head.length(), sp + 4));
                        boolean chunked = head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked");
                        pos = end + 4;
                        state = chunked ? State.SIZE : State.PLAIN;
                    }
                    case SIZE -> {
                        int eol = raw.indexOf("\r\n", pos);
                        if (eol < 0) {
                            return;
                        }
                        String size = raw.substring(pos, eol);
                        int semi = size.indexOf(';');
                        remaining = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                        pos = eol + 2;
                        state = remaining == 0 ? State.DONE : State.DATA;
                    }
                    case DATA -> {
                        int take = (int) Math.min(remaining, raw.length() - pos);
                        if (take == 0) {
                            return;
                        }
                        body.append(raw, pos, pos + take);
                        pos += take;
                        remaining -= take;
                        if (remaining == 0) {
                            state = State.DATA_CRLF;
                        }
                    }
                    case DATA_CRLF -> {
                        if (raw.length() - pos < 2) {
                            return;
                        }
                        pos += 2;
                        state = State.SIZE;
                    }
                    case PLAIN -> {
                        body.append(raw, pos, raw.length());
                        pos = raw.length();
                        return;
                    }
                    case DONE -> {
                        return;
                    }
                }
            }
        }
    }

    private static long pct(List<Long> xs, int p) {
        if (xs.isEmpty()) {
            return -1;
        }
        long[] a = xs.stream().mapToLong(Long::longValue).sorted().toArray();
        return a[Math.min(a.length - 1, (int) Math.ceil(p / 100.0 * a.length) - 1)];
    }
}
