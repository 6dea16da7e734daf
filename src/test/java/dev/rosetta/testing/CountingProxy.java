package dev.rosetta.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A forward proxy on a loopback port, for egress tests: {@code CONNECT host:port} tunnels and
 * absolute-form plain-HTTP requests, each counted and its target recorded. Host names in
 * {@code hosts} are mapped to addresses (so a test can name an upstream the machine cannot resolve, and
 * only a call through the proxy reaches it). With credentials set, anything without the matching
 * {@code Proxy-Authorization} gets 407. Blocking, one thread per connection: a test tool.
 */
public final class CountingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "counting-proxy");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, String> hosts;
    private final Optional<String> expectedAuthorization;
    private final AtomicInteger tunnels = new AtomicInteger();
    private final AtomicInteger forwarded = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final List<String> targets = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    public CountingProxy(Map<String, String> hosts, Optional<String> user, Optional<String> password) {
        this.hosts = Map.copyOf(hosts);
        this.expectedAuthorization = user.map(u -> "Basic " + Base64.getEncoder()
                .encodeToString((u + ":" + password.orElse("")).getBytes(StandardCharsets.UTF_8)));
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        threads.execute(this::accept);
    }

    public CountingProxy(Map<String, String> hosts) {
        this(hosts, Optional.empty(), Optional.empty());
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code http://127.0.0.1:PORT}, or with {@code user:password@}. */
    public String url(String userInfo) {
        return "http://" + (userInfo.isEmpty() ? "" : userInfo + "@") + "127.0.0.1:" + port();
    }

    public int tunnels() {
        return tunnels.get();
    }

    /** Plain-HTTP requests forwarded (the first of each connection; the rest of it is piped). */
    public int forwarded() {
        return forwarded.get();
    }

    /** Requests answered 407. */
    public int refused() {
        return refused.get();
    }

    /** {@code CONNECT host:port} or {@code GET http://...} as asked, in order. */
    public List<String> targets() {
        return List.copyOf(targets);
    }

    /** The {@code Proxy-Authorization} values received. */
    public List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            String head = readHead(in);
            if (head.isEmpty()) {
                return;
            }
            String[] lines = head.split("\r\n");
            String[] request = lines[0].split(" ");
            String auth = null;
            for (String line : lines) {
                if (line.toLowerCase().startsWith("proxy-authorization:")) {
                    auth = line.substring(line.indexOf(':') + 1).trim();
                    authorizations.add(auth);
                }
            }
            if (expectedAuthorization.isPresent() && !expectedAuthorization.get().equals(auth)) {
                refused.incrementAndGet();
                out.write(("HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm=\"test\"\r\n"
                        + "content-length: 0\r\nconnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return;
            }
            targets.add(request[0] + " " + request[1]);
            if (request[0].equals("CONNECT")) {
                tunnels.incrementAndGet();
                try (Socket up = open(request[1])) {
                    out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    pipe(client, up, new byte[0]);
                }
                return;
            }
            java.net.URI uri = java.net.URI.create(request[1]);
            forwarded.incrementAndGet();
            try (Socket up = open(uri.getHost() + ":" + (uri.getPort() > 0 ? uri.getPort() : 80))) {
                pipe(client, up, (head).getBytes(StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            // a test tool: a broken connection just ends
        }
    }

    private Socket open(String hostPort) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        return new Socket(hosts.getOrDefault(host, host), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** Sends {@code first} upstream, then copies both ways until either side closes. */
    private void pipe(Socket client, Socket up, byte[] first) throws IOException {
        up.getOutputStream().write(first);
        up.getOutputStream().flush();
        var back = threads.submit(() -> {
            copy(up, client);
            return null;
        });
        copy(client, up);
        try {
            back.get();
        } catch (Exception e) {
            // ends with the connection
        }
    }

    private static void copy(Socket from, Socket to) {
        byte[] buf = new byte[16384];
        try {
            int n;
            while ((n = from.getInputStream().read(buf)) >= 0) {
                to.getOutputStream().write(buf, 0, n);
                to.getOutputStream().flush();
            }
        } catch (IOException e) {
            // either side closed
        }
        try {
            to.shutdownOutput();
        } catch (IOException e) {
            // already closed
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            byte[] a = b.toByteArray();
            int n = a.length;
            if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
                break;
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        threads.shutdownNow();
    }
}
