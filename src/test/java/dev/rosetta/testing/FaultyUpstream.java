package dev.rosetta.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A provider on a loopback socket that misbehaves below HTTP: it reads each request itself and
 * answers with raw bytes, so it can reset before the headers, send a malformed status line, stop in
 * the middle of a declared body, or hang. One thread per connection; connections are numbered, and
 * it records which ones the other side closed, so a test can tell that the gateway released a
 * connection (closed it, or reused it for the next request).
 *
 * <p>Every connection is served in a loop: after an answer that leaves HTTP/1.1 framing intact
 * ({@link Step.Keep}) the next request on it is read and answered too.
 */
public final class FaultyUpstream implements AutoCloseable {

    /** A request as received, with the number of the connection that carried it. */
    public record Request(int connection, String method, String path, java.util.Map<String, String> headers,
                          byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** One step of a raw answer. */
    public sealed interface Step {
        record Bytes(byte[] bytes) implements Step {
        }

        /** Writes {@code times} copies of {@code bytes} (a huge body without holding it in memory). */
        record Repeat(byte[] bytes, long times) implements Step {
        }

        record Pause(long millis) implements Step {
        }

        /** Closes with a TCP reset (SO_LINGER 0). */
        record Reset() implements Step {
        }

        /** Closes with an orderly FIN. */
        record Close() implements Step {
        }

        /** Sends nothing more and waits (at most 30 s) for the other side to close. */
        record Hang() implements Step {
        }

        /** The answer is complete and well framed: read the next request on this connection. */
        record Keep() implements Step {
        }

        static Step text(String s) {
            return new Bytes(s.getBytes(StandardCharsets.UTF_8));
        }
    }

    private final ServerSocket server;
    private final Thread acceptor;
    private final AtomicInteger connections = new AtomicInteger();
    private final Set<Integer> closedByPeer = ConcurrentHashMap.newKeySet();
    private final Set<Integer> ended = ConcurrentHashMap.newKeySet();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final LinkedBlockingQueue<Request> received = new LinkedBlockingQueue<>();
    private volatile boolean recording = true;
    private volatile Function<Request, List<Step>> script = r -> List.of(Step.text(
            "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n"), new Step.Keep());

    public FaultyUpstream() {
        try {
            server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        acceptor = Thread.ofVirtual().name("faulty-upstream-accept").start(this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** Whether to keep requests for {@link #take()}; a long run that never takes them turns it off. */
    public FaultyUpstream recording(boolean on) {
        this.recording = on;
        return this;
    }

    public FaultyUpstream answer(Function<Request, List<Step>> script) {
        this.script = script;
        return this;
    }

    /** The next request received, waiting up to 10 s. */
    public Request take() {
        try {
            Request r = received.poll(10, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("the faulty upstream received no request");
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public void clearReceived() {
        received.clear();
    }

    /** Whether connection {@code n} is gone (closed by either side). */
    public boolean ended(int n) {
        return ended.contains(n);
    }

    /** Whether the gateway closed connection {@code n} (as opposed to this fake). */
    public boolean closedByPeer(int n) {
        return closedByPeer.contains(n);
    }

    /** Connections currently open. */
    public int openConnections() {
        return open.size();
    }

    public int connectionsAccepted() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                int n = connections.incrementAndGet();
                open.add(s);
                Thread.ofVirtual().name("faulty-upstream-" + n).start(() -> serve(s, n));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket, int n) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                Request req = read(in, n);
                if (req == null) {
                    closedByPeer.add(n);
                    return;
                }
                if (req.method().equals("TLS")) {
                    out.write("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    return;
                }
                if (recording) {
                    received.add(req);
                }
                if (!play(socket, in, out, n, script.apply(req))) {
                    return;
                }
            }
        } catch (IOException e) {
            closedByPeer.add(n);
        } finally {
            open.remove(socket);
            ended.add(n);
        }
    }

    /** Plays the steps; true when the connection stays usable for another request. */
    private boolean play(Socket socket, InputStream in, OutputStream out, int n, List<Step> steps) throws IOException {
        for (Step step : steps) {
            switch (step) {
                case Step.Bytes b -> {
                    out.write(b.bytes());
                    out.flush();
                }
                case Step.Repeat r -> {
                    for (long i = 0; i < r.times(); i++) {
                        out.write(r.bytes());
                    }
                    out.flush();
                }
                case Step.Pause p -> sleep(p.millis());
                case Step.Reset r -> {
                    socket.setSoLinger(true, 0);
                    return false;
                }
                case Step.Close c -> {
                    socket.shutdownOutput();
                    return false;
                }
                case Step.Hang h -> {
                    socket.setSoTimeout(30_000);
                    try {
                        while (in.read() >= 0) {
                            // discard until the gateway closes
                        }
                        closedByPeer.add(n);
                    } catch (java.net.SocketTimeoutException e) {
                        // bounded: give up after 30 s
                    }
                    return false;
                }
                case Step.Keep k -> {
                    return true;
                }
            }
        }
        return false;
    }

    private static Request read(InputStream in, int n) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while (matched < 4 && (b = in.read()) >= 0) {
            head.write(b);
            if (head.size() == 1 && b == 0x16) {
                // A TLS ClientHello on a plain socket: the caller answers as a plain server would.
                return new Request(n, "TLS", "", java.util.Map.of(), new byte[0]);
            }
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        if (matched < 4) {
            return null;
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] first = lines[0].split(" ");
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            return null;
        }
        return new Request(n, first[0], first.length > 1 ? first[1] : "", headers, body);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An HTTP/1.1 head; {@code contentLength} < 0 means chunked. */
    public static String head(int status, String contentType, long contentLength, String... extraHeaders) {
        StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        sb.append("content-type: ").append(contentType).append("\r\n");
        sb.append(contentLength < 0 ? "transfer-encoding: chunked" : "content-length: " + contentLength).append("\r\n");
        for (String h : extraHeaders) {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    /** One chunk of a chunked body. */
    public static String chunk(String data) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        return Integer.toHexString(bytes.length) + "\r\n" + data + "\r\n";
    }

    public static final String LAST_CHUNK = "0\r\n\r\n";

    /** A complete, kept-alive answer with a body of known length. */
    public static List<Step> complete(int status, String contentType, String body, String... extraHeaders) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        List<Step> steps = new ArrayList<>();
        steps.add(Step.text(head(status, contentType, bytes.length, extraHeaders)));
        steps.add(new Step.Bytes(bytes));
        steps.add(new Step.Keep());
        return steps;
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        acceptor.interrupt();
    }
}
